"""Shared fixtures: one demo knowledge store and one real model per test session.

Building the store (embedding the demo catalog) and loading the model take seconds, so they are
session-scoped; each test still gets its own conversation memory in its own temp directory.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.app import Assistant, build_assistant, load_knowledge
from assistant.config import Settings
from assistant.llm.llamacpp import LlamaCppGenerator
from assistant.llm.model_files import assemble_default_model
from assistant.llm.scripted import ScriptedGenerator
from knowledge.store import KnowledgeStore

# Every log line written during the session is scanned for PII; any leak fails the run.
pytest_plugins = ("tests.safety.pii_log_scan", "tests.servers")

# The assembled model is reused across sessions (it is 491 MB and always the same bytes).
MODEL_CACHE = Path(os.environ.get("SHOPGUIDE_TEST_CACHE", Path.home() / ".cache" / "shopguide-tests"))


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shopguide")


@pytest.fixture(scope="session")
def demo_store(session_dir: Path) -> KnowledgeStore:
    return load_knowledge(Settings(data_dir=session_dir / "kb", cache_dir=MODEL_CACHE))


@pytest.fixture(scope="session")
def model_path() -> Path:
    return assemble_default_model(MODEL_CACHE)


@pytest.fixture(scope="session")
def llm(model_path: Path) -> Iterator[LlamaCppGenerator]:
    generator = LlamaCppGenerator(model_path, threads=os.cpu_count() or 1, context=2048)
    yield generator


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, cache_dir=MODEL_CACHE, llm_timeout_s=60.0)


@pytest.fixture
async def scripted_assistant(settings: Settings, demo_store: KnowledgeStore) -> AsyncIterator[Assistant]:
    assistant = build_assistant(settings, generator=ScriptedGenerator(), knowledge=demo_store)
    yield assistant
    assistant.memory.close()


@pytest.fixture
async def model_assistant(
    settings: Settings, demo_store: KnowledgeStore, llm: LlamaCppGenerator
) -> AsyncIterator[Assistant]:
    assistant = build_assistant(settings, generator=llm, knowledge=demo_store)
    yield assistant
    assistant.memory.close()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """CLI commands run in-process reconfigure the root logger; give the test's handlers back afterwards."""
    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    for handler in before:
        if handler not in root.handlers:
            root.addHandler(handler)
