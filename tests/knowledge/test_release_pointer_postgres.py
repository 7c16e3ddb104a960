"""The live-release pointer in Postgres: replicas (stores on one data volume and one schema) follow each other's
reloads and rollbacks when told (LISTEN/NOTIFY), without a query to poll on, and still follow when the
listening connection was cut. A data directory that served from its pointer file keeps its release and history.
Real Postgres (skipped with the reason without it; a failure when CI=true) and embedded Chroma.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from chromadb.api import ClientAPI

from assistant.state.release_pointer import PostgresPointerStore
from assistant.state.sql import open_engine
from knowledge.embedding import MultilingualUSE
from knowledge.pointer import FilePointerStore
from knowledge.registry import POINTER_FILE, make_client
from knowledge.reload import reload_catalog
from knowledge.store import KnowledgeStore

pytestmark = pytest.mark.integration

FOLLOW_WITHIN_S = 5.0  # a notified replica follows in well under a second; the margin is for a loaded machine
Replica = Callable[..., KnowledgeStore]


@pytest.fixture
def replicas(tmp_path: Path, postgres_url: str, pg_schema: str) -> Iterator[Replica]:
    """Stores on one Chroma and one data directory, each with its own pointer store (as separate processes)."""
    client: ClientAPI = make_client("embedded", tmp_path / "chroma")
    engine = open_engine(postgres_url, pg_schema)
    opened: list[KnowledgeStore] = []

    def replica(*, adopt: bool = False) -> KnowledgeStore:
        legacy = FilePointerStore(tmp_path / "kb" / POINTER_FILE) if adopt else None
        pointer = PostgresPointerStore(engine, postgres_url, pg_schema, legacy)
        store = KnowledgeStore(client, MultilingualUSE(threads=1), tmp_path / "kb", pointer=pointer)
        opened.append(store)
        return store

    yield replica
    for store in opened:
        store.close()
    engine.dispose()


def wait_for(condition: Callable[[], bool], timeout: float = FOLLOW_WITHIN_S) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(0.01)
    return time.monotonic() - started


def test_a_replica_follows_another_replicas_reload_and_rollback_without_a_query(
    replicas: Replica, small_catalog: Path
) -> None:
    admin = replicas()
    first = reload_catalog(admin, [small_catalog]).release_id
    serving = replicas()
    assert serving.open_live() and serving.live.release_id == first
    assert serving.notified
    switched: list[str] = []
    serving.subscribe(switched.append)

    second = reload_catalog(admin, [small_catalog]).release_id
    # No query reaches ``serving``: only the notification can move it.
    wait_for(lambda: serving.live.release_id == second)
    assert serving.history() == [first]

    admin.rollback()
    wait_for(lambda: serving.live.release_id == first)
    assert switched == [second, first]
    # The pointer is the database's: a replica opening now serves the rolled-back release.
    late = replicas()
    assert late.open_live() and late.live.release_id == first and late.history()[0] == second


def test_a_replica_whose_listening_connection_was_cut_still_follows(
    replicas: Replica, small_catalog: Path, postgres_url: str
) -> None:
    admin = replicas()
    first = reload_catalog(admin, [small_catalog]).release_id
    serving = replicas()
    assert serving.open_live()
    second = reload_catalog(admin, [small_catalog]).release_id
    wait_for(lambda: serving.live.release_id == second)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        cut = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN shopguide_kb_release%'"
        ).fetchall()
    assert cut
    admin.rollback()  # instant, so its notification is sent while nobody listens
    # It reconnects and looks once: no query, and no notification reached it.
    wait_for(lambda: serving.live.release_id == first, timeout=FOLLOW_WITHIN_S * 2)


def test_a_data_directory_that_served_from_its_pointer_file_keeps_its_release_and_history(
    tmp_path: Path, replicas: Replica, small_catalog: Path
) -> None:
    client = make_client("embedded", tmp_path / "chroma")
    one_machine = KnowledgeStore(client, MultilingualUSE(threads=1), tmp_path / "kb")
    first = reload_catalog(one_machine, [small_catalog]).release_id
    second = reload_catalog(one_machine, [small_catalog]).release_id
    moved = replicas(adopt=True)
    assert moved.open_live() and moved.live.release_id == second
    assert moved.history() == [first]
    assert moved.rollback() == first
