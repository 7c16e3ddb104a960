"""Fixtures for knowledge-base tests: real Chroma (embedded or a ``chroma run`` server), real encoder.

``kb_mode`` runs a test against both store modes; the server one is an integration test.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from chromadb.api import ClientAPI

from knowledge.embedding import MultilingualUSE
from knowledge.store import KnowledgeStore, make_client

DEMO_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "demo"
# The server answers its heartbeat within ~2 s on an idle machine; a loaded CI box gets more slack.
SERVER_START_TIMEOUT_S = 30.0
SUBSET_PER_CATEGORY = 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real ``chroma run`` server on a free loopback port, for the session."""
    binary = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = (path / "server.log").open("wb")
    proc = subprocess.Popen(
        [binary, "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"chroma server did not start: {(path / 'server.log').read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    yield "127.0.0.1", port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.integration)])
def kb_mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_store(kb_mode: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., KnowledgeStore]:
    """Factory of stores sharing one Chroma (so a second store acts like a second process)."""
    client: ClientAPI
    if kb_mode == "server":
        host, port = request.getfixturevalue("chroma_server")
        client = make_client("server", tmp_path, host, port)
    else:
        client = make_client("embedded", tmp_path / "chroma")

    def factory(**kwargs: object) -> KnowledgeStore:
        return KnowledgeStore(client, MultilingualUSE(threads=1), tmp_path / "kb", **kwargs)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def store(make_store: Callable[..., KnowledgeStore]) -> KnowledgeStore:
    return make_store()


@pytest.fixture(scope="session")
def demo_products() -> list[dict[str, object]]:
    lines = (DEMO_DIR / "products.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture
def small_catalog(tmp_path: Path, demo_products: list[dict[str, object]]) -> Path:
    """A few products of every demo category plus the English FAQ: builds in about a second."""
    folder = tmp_path / "catalog"
    folder.mkdir()
    seen: dict[object, int] = {}
    rows = []
    for product in demo_products:
        if seen.get(product["category"], 0) < SUBSET_PER_CATEGORY:
            seen[product["category"]] = seen.get(product["category"], 0) + 1
            rows.append(product)
    (folder / "products.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    shutil.copy(DEMO_DIR / "faq.md", folder / "faq.md")
    return folder
