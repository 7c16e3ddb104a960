from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from assistant.llm.scripted import ScriptedGenerator
from knowledge.store import KnowledgeStore
from shopguide_testkit.slack_harness import SlackHarness, start_harness


@pytest.fixture
async def slack(tmp_path: Path, demo_store: KnowledgeStore) -> AsyncIterator[SlackHarness]:
    harness = await start_harness(tmp_path, demo_store, generator=ScriptedGenerator())
    yield harness
    await harness.aclose()
