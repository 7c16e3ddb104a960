"""The knowledge base's live-release pointer in Postgres (``knowledge.pointer.PointerStore``), for replicas.

Every replica and every CLI command of one deployment reads and writes one row; a write bumps its stamp and
sends ``NOTIFY`` in the same transaction, so each serving replica's listener wakes its store at commit and the
switch is followed at once, with or without queries. The stamp is still polled on queries (the file pointer's
way), so a replica whose listening connection dropped misses nothing: it follows on its next query, and on
reconnecting it looks once more.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import Engine, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import SQLAlchemyError

from knowledge.errors import KnowledgeStoreCorrupt
from knowledge.pointer import FilePointerStore, validate_pointer

from .sql import kb_release_pointer

log = logging.getLogger("shopguide.kb")

POINTER_ROW = "live"
CHANNEL = "shopguide_kb_release"  # the payload names the schema: deployments sharing a database ignore each other
LISTEN_POLL_S = 1.0  # how often the listener wakes to see whether it was closed
RECONNECT_S = (0.5, 1.0, 2.0, 5.0)  # the listener's waits between reconnect attempts, the last one repeated


class PostgresPointerStore:
    """The pointer row of one deployment schema, with switch notifications."""

    def __init__(self, engine: Engine, url: str, schema: str, legacy: FilePointerStore | None = None) -> None:
        self._engine = engine
        self._url = url  # plain ``postgresql://`` URL for the listening connection
        self._schema = schema
        self._closed = threading.Event()
        self._listener: threading.Thread | None = None
        if legacy is not None:
            self._adopt(legacy)

    def _adopt(self, legacy: FilePointerStore) -> None:
        """A data directory that served on one machine keeps its live release and rollback history when it
        moves to Postgres: the file's pointer becomes the row, once (the first replica to start wins)."""
        if not legacy.exists():
            return
        try:
            data = legacy.read()
        except KnowledgeStoreCorrupt:
            return  # the damage is reported when the store opens the file's release; nothing to carry over
        with self._engine.begin() as conn:
            statement = pg_insert(kb_release_pointer).values(
                name=POINTER_ROW,
                release_id=str(data["release_id"]),
                history=json.dumps([str(r) for r in data.get("history", [])]),
                revision=int(data.get("revision", 0)),
                stamp=1,
                activated_at=float(data.get("activated_at", time.time())),
            )
            conn.execute(statement.on_conflict_do_nothing(index_elements=[kb_release_pointer.c.name]))

    def exists(self) -> bool:
        return self._row() is not None

    def read(self) -> dict[str, Any]:
        row = self._row()
        if row is None:
            raise KnowledgeStoreCorrupt("no release pointer in the database", hint="run `shopguide kb reload`")
        try:
            history = json.loads(row.history)
        except ValueError as exc:
            raise KnowledgeStoreCorrupt("the release pointer's history is unreadable") from exc
        data = {
            "release_id": row.release_id,
            "history": history,
            "revision": row.revision,
            "activated_at": row.activated_at,
        }
        return validate_pointer(data, f"in schema {self._schema}")

    def write(self, release_id: str, history: list[str], revision: int) -> int:
        values = {
            "release_id": release_id,
            "history": json.dumps(history),
            "revision": revision,
            "activated_at": time.time(),
        }
        with self._engine.begin() as conn:
            insert = pg_insert(kb_release_pointer).values(name=POINTER_ROW, stamp=1, **values)
            upsert = insert.on_conflict_do_update(
                index_elements=[kb_release_pointer.c.name],
                set_={**values, "stamp": kb_release_pointer.c.stamp + 1},
            ).returning(kb_release_pointer.c.stamp)
            stamp = int(conn.execute(upsert).scalar_one())
            # Delivered at commit, to every listener but never before the row is visible.
            conn.execute(text("SELECT pg_notify(:channel, :schema)"), {"channel": CHANNEL, "schema": self._schema})
        return stamp

    def stamp(self) -> int | None:
        try:
            with self._engine.connect() as conn:
                value = conn.execute(
                    select(kb_release_pointer.c.stamp).where(kb_release_pointer.c.name == POINTER_ROW)
                ).scalar()
        except SQLAlchemyError as exc:
            log.warning("release pointer not readable: %s", type(exc).__name__)
            return None  # Postgres away: keep serving the current release, look again on the next poll
        return None if value is None else int(value)

    def _row(self) -> Any:
        with self._engine.connect() as conn:
            return conn.execute(select(kb_release_pointer).where(kb_release_pointer.c.name == POINTER_ROW)).first()

    def watch(self, on_change: Callable[[], None]) -> bool:
        if self._listener is None:
            self._listener = threading.Thread(
                target=self._listen, args=(on_change,), daemon=True, name="kb-release-listener"
            )
            self._listener.start()
        return True

    def _listen(self, on_change: Callable[[], None]) -> None:
        attempt = 0
        while not self._closed.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if attempt:
                        on_change()  # switches made while we were away: look once
                    attempt = 0
                    while not self._closed.is_set():
                        for notice in conn.notifies(timeout=LISTEN_POLL_S):
                            if notice.payload == self._schema:
                                on_change()
            except psycopg.Error as exc:
                wait = RECONNECT_S[min(attempt, len(RECONNECT_S) - 1)]
                attempt += 1
                log.warning("release listener lost its connection (%s); again in %.1f s", type(exc).__name__, wait)
                self._closed.wait(wait)
            except Exception:  # a follow that failed must not end the listener
                log.exception("release listener")
                attempt += 1
                self._closed.wait(RECONNECT_S[0])

    def close(self) -> None:
        self._closed.set()
        listener = self._listener
        if listener is not None:
            listener.join(LISTEN_POLL_S * 2)
