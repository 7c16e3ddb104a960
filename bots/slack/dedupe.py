"""Exactly-once replies: Slack redelivers events it thinks failed and slack-bolt does not deduplicate them.

Each event id is claimed once in SQLite (so a restart does not answer again); redeliveries are acked and
dropped before any listener runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.response import BoltResponse

from knowledge.durable import open_private_sqlite

log = logging.getLogger("shopguide.slack.dedupe")

# Slack retries three times over about an hour (https://api.slack.com/apis/events-api#retries);
# keep claims a day so late retries after a restart are still recognised.
SEEN_EVENTS_TTL_S = 24 * 3600


class SeenEvents:
    """SQLite set of claimed Slack event ids; ``claim`` is atomic across tasks and processes."""

    def __init__(self, path: Path | str, ttl_s: float = SEEN_EVENTS_TTL_S) -> None:
        # No fsync per claim (it sits on the ack path); WAL keeps claims across a process crash,
        # only a power loss could forget the last ones, and then a retry is answered twice at worst.
        self._conn = open_private_sqlite(
            path,
            "PRAGMA synchronous=NORMAL;"
            "CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, at REAL NOT NULL);",
        )
        self._lock = threading.Lock()
        self.ttl_s = ttl_s
        self._claims = 0

    def claim(self, event_id: str) -> bool:
        """True the first time an id is seen, False for every redelivery."""
        now = time.time()
        with self._lock:
            cur = self._conn.execute("INSERT OR IGNORE INTO seen_events(event_id, at) VALUES (?, ?)", (event_id, now))
            self._claims += 1
            if self._claims % 500 == 0:
                self._conn.execute("DELETE FROM seen_events WHERE at < ?", (now - self.ttl_s,))
        return cur.rowcount == 1

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class EventDedupeMiddleware(AsyncMiddleware):
    """Global bolt middleware: acks a redelivered event with 200 and stops it there."""

    def __init__(self, seen: SeenEvents) -> None:
        self.seen = seen
        self.dropped = 0

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        body = req.body
        event_id = body.get("event_id") if isinstance(body, dict) and body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id and not self.seen.claim(event_id):
            self.dropped += 1
            retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
            log.info("slack event duplicate_dropped event_id=%s retry_num=%s", event_id, retry)
            return BoltResponse(status=200, body="")
        return await next()
