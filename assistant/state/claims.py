"""Exactly-once delivery: platforms redeliver what they think failed, so each delivery id is claimed once.

Slack retries events (``event_id``) and Telegram redelivers webhook updates (``update_id``) when an answer
is slow; neither SDK deduplicates. The port has three implementations: a SQLite file (one machine, the
default), a Postgres table and Redis keys with expiry (several replicas).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Protocol

import redis

from knowledge.durable import open_private_sqlite

log = logging.getLogger("shopguide.dedupe")

# Slack retries three times over about an hour (https://api.slack.com/apis/events-api#retries) and
# Telegram keeps undelivered updates for 24 hours (https://core.telegram.org/bots/api#getting-updates);
# keep claims a day so late redeliveries after a restart are still recognised.
SEEN_TTL_S = 24 * 3600
# Expired claims are swept every this many claims (a cheap indexed DELETE, off the common path).
SWEEP_EVERY_CLAIMS = 500


class DeliveryClaims(Protocol):
    def claim(self, delivery_id: str) -> bool:
        """True the first time an id is seen, False for every redelivery."""
        ...

    def close(self) -> None: ...


class SQLiteDeliveryClaims:
    """SQLite set of claimed delivery ids; ``claim`` is atomic across tasks, threads and processes."""

    def __init__(self, path: Path | str, ttl_s: float = SEEN_TTL_S) -> None:
        # No fsync per claim (it sits on the ack path); WAL keeps claims across a process crash,
        # only a power loss could forget the last ones, and then a redelivery is answered twice at worst.
        # The table keeps its first name (Slack event ids) so existing data directories keep their claims.
        self._conn = open_private_sqlite(
            path,
            "PRAGMA synchronous=NORMAL;"
            "CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, at REAL NOT NULL);",
        )
        self._lock = threading.Lock()
        self.ttl_s = ttl_s
        self._claims = 0

    def claim(self, delivery_id: str) -> bool:
        """True the first time an id is seen, False for every redelivery."""
        now = time.time()
        with self._lock:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO seen_events(event_id, at) VALUES (?, ?)", (delivery_id, now)
            )
            self._claims += 1
            if self._claims % SWEEP_EVERY_CLAIMS == 0:
                self._conn.execute("DELETE FROM seen_events WHERE at < ?", (now - self.ttl_s,))
        return cur.rowcount == 1

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class RedisDeliveryClaims:
    """Claims as Redis keys that expire on their own (``SET NX EX``): no sweeping, shared by every replica."""

    def __init__(self, client: redis.Redis, prefix: str, ttl_s: float = SEEN_TTL_S) -> None:
        self._client = client
        self._prefix = f"{prefix}:seen:"
        self.ttl_s = ttl_s

    def claim(self, delivery_id: str) -> bool:
        try:
            return bool(self._client.set(self._prefix + delivery_id, b"1", nx=True, ex=int(self.ttl_s)))
        except redis.RedisError as exc:
            # Answering a redelivery twice is better than dropping a first delivery while Redis restarts.
            log.warning("dedupe redis_unavailable delivery_id=%s error=%s", delivery_id, type(exc).__name__)
            return True

    def close(self) -> None:
        """The client is shared; its owner closes it."""
