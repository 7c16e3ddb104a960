"""Exactly-once delivery: platforms redeliver what they think failed, so each delivery id is claimed once.

Slack retries events (``event_id``) and Telegram redelivers webhook updates (``update_id``) when an answer
is slow; neither SDK deduplicates. Two ways to claim:

- ``claim``: one step, the id is done once claimed (commands, events that need no answer);
- ``lease`` → answer → ``delivered``: the claim is a lease the replica renews while it answers. A replica
  killed mid-turn stops renewing; its lease lapses and another replica takes the delivery over from the
  stored update (``expired`` lists them), so the shopper gets one answer instead of none.

The port has three implementations: a SQLite file (one machine, the default; a restarted process takes over
its own lapsed leases), a Postgres table and Redis keys with expiry (several replicas).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Collection
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
# A delivery's lease; its holder renews it every third of this while answering. Shorter than the chat's
# turn lease (coordination.TURN_LEASE_S), so a taken-over turn resumes the dead turn's place in its chat.
DELIVERY_LEASE_S = 10.0
# An update that took down this many replicas is not tried again (a poison message must not kill them all).
MAX_ATTEMPTS = 3


class DeliveryClaims(Protocol):
    def claim(self, delivery_id: str) -> bool:
        """True the first time an id is seen, False for every redelivery."""
        ...

    def lease(self, delivery_id: str, payload: str) -> bool:
        """True when this replica now holds the delivery: first seen, or its holder's lease lapsed before it
        was delivered. False while another replica holds it, once delivered, or after ``MAX_ATTEMPTS``."""
        ...

    def renew(self, delivery_ids: Collection[str]) -> set[str]:
        """Extend our leases, all in one round trip; returns the ids no longer ours (another replica took them
        over). A store that cannot be reached loses none: the next renewal tries again."""
        ...

    def delivered(self, delivery_id: str) -> None:
        """The answer is out: the id is done (kept ``ttl_s`` to recognise redeliveries)."""
        ...

    def expired(self, prefix: str, limit: int) -> list[tuple[str, str]]:
        """(delivery id, payload) of lapsed, undelivered leases whose id starts with ``prefix``, oldest first."""
        ...

    def close(self) -> None: ...


def new_owner() -> str:
    return uuid.uuid4().hex


class SQLiteDeliveryClaims:
    """SQLite set of claimed delivery ids; ``claim`` is atomic across tasks, threads and processes.

    ``lease_until`` NULL means delivered (rows of older versions read as delivered)."""

    def __init__(self, path: Path | str, ttl_s: float = SEEN_TTL_S, lease_s: float = DELIVERY_LEASE_S) -> None:
        # No fsync per claim (it sits on the ack path); WAL keeps claims across a process crash,
        # only a power loss could forget the last ones, and then a redelivery is answered twice at worst.
        # The table keeps its first name (Slack event ids) so existing data directories keep their claims.
        self._conn = open_private_sqlite(
            path,
            "PRAGMA synchronous=NORMAL;"
            "CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, at REAL NOT NULL);",
        )
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(seen_events)")}
        for name, kind in (("lease_until", "REAL"), ("owner", "TEXT"), ("payload", "TEXT"), ("attempts", "INT")):
            if name not in columns:  # files of the one-step version gain the lease columns
                self._conn.execute(f"ALTER TABLE seen_events ADD COLUMN {name} {kind}")
        self._lock = threading.Lock()
        self.ttl_s = ttl_s
        self.lease_s = lease_s
        self.owner = new_owner()
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

    def lease(self, delivery_id: str, payload: str) -> bool:
        now = time.time()
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO seen_events(event_id, at, lease_until, owner, payload, attempts)"
                " VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT(event_id) DO UPDATE SET"
                " lease_until = excluded.lease_until, owner = excluded.owner, attempts = attempts + 1"
                " WHERE lease_until IS NOT NULL AND lease_until < ? AND attempts < ?",
                (delivery_id, now, now + self.lease_s, self.owner, payload, now, MAX_ATTEMPTS),
            )
        return cur.rowcount == 1

    def renew(self, delivery_ids: Collection[str]) -> set[str]:
        lost = set()
        with self._lock, self._conn:
            until = time.time() + self.lease_s
            for delivery_id in delivery_ids:
                cur = self._conn.execute(
                    "UPDATE seen_events SET lease_until = ? WHERE event_id = ? AND owner = ?"
                    " AND lease_until IS NOT NULL",
                    (until, delivery_id, self.owner),
                )
                if cur.rowcount != 1:
                    lost.add(delivery_id)
        return lost

    def delivered(self, delivery_id: str) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE seen_events SET lease_until = NULL, payload = NULL WHERE event_id = ?", (delivery_id,)
            )

    def expired(self, prefix: str, limit: int) -> list[tuple[str, str]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT event_id, payload FROM seen_events WHERE lease_until < ? AND attempts < ?"
                " AND substr(event_id, 1, ?) = ? ORDER BY at LIMIT ?",
                (time.time(), MAX_ATTEMPTS, len(prefix), prefix, limit),
            ).fetchall()
        return [(str(r[0]), str(r[1] or "")) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


# KEYS: the id's hash, the lease index. ARGV: id, owner, lease ms, ttl s, payload, max attempts.
# A string value is a one-step claim (or one of an older version): done. Server time, so replicas' clocks
# do not matter.
_LEASE = """
local key, index = KEYS[1], KEYS[2]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local kind = redis.call('TYPE', key)['ok']
if kind == 'string' then return 0 end
if kind == 'hash' then
  local lease_until = tonumber(redis.call('HGET', key, 'lease_until') or '0')
  local attempts = tonumber(redis.call('HGET', key, 'attempts') or '0')
  if lease_until == 0 or lease_until > now or attempts >= tonumber(ARGV[6]) then return 0 end
  redis.call('HINCRBY', key, 'attempts', 1)
else
  redis.call('HSET', key, 'payload', ARGV[5], 'attempts', 1)
  redis.call('EXPIRE', key, ARGV[4])
end
local lease_until = now + tonumber(ARGV[3])
redis.call('HSET', key, 'owner', ARGV[2], 'lease_until', lease_until)
redis.call('ZADD', index, lease_until, ARGV[1])
return 1
"""
_RENEW_LEASE = """
local key, index = KEYS[1], KEYS[2]
if redis.call('HGET', key, 'owner') ~= ARGV[2] or redis.call('HGET', key, 'lease_until') == '0' then return 0 end
local t = redis.call('TIME')
local lease_until = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[3])
redis.call('HSET', key, 'lease_until', lease_until)
redis.call('ZADD', index, lease_until, ARGV[1])
return 1
"""
_DELIVERED = """
if redis.call('TYPE', KEYS[1])['ok'] == 'hash' then
  redis.call('HSET', KEYS[1], 'lease_until', 0)
  redis.call('HDEL', KEYS[1], 'payload')
end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
"""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisDeliveryClaims:
    """Claims as Redis keys that expire on their own (``SET NX EX``): no sweeping, shared by every replica.
    Leases are hashes; a sorted set by lease end finds the lapsed ones without scanning keys."""

    def __init__(
        self, client: redis.Redis, prefix: str, ttl_s: float = SEEN_TTL_S, lease_s: float = DELIVERY_LEASE_S
    ) -> None:
        self._client = client
        self._prefix = f"{prefix}:seen:"
        self._index = f"{prefix}:leases"
        self.ttl_s = ttl_s
        self.lease_s = lease_s
        self.owner = new_owner()

    def claim(self, delivery_id: str) -> bool:
        try:
            return bool(self._client.set(self._prefix + delivery_id, b"1", nx=True, ex=int(self.ttl_s)))
        except redis.RedisError as exc:
            # Answering a redelivery twice is better than dropping a first delivery while Redis restarts.
            log.warning("dedupe redis_unavailable delivery_id=%s error=%s", delivery_id, type(exc).__name__)
            return True

    def lease(self, delivery_id: str, payload: str) -> bool:
        keys = (self._prefix + delivery_id, self._index)
        args = (delivery_id, self.owner, int(self.lease_s * 1000), int(self.ttl_s), payload, MAX_ATTEMPTS)
        try:
            return bool(self._client.eval(_LEASE, 2, *keys, *args))
        except redis.RedisError as exc:
            log.warning("dedupe redis_unavailable delivery_id=%s error=%s", delivery_id, type(exc).__name__)
            return True

    def renew(self, delivery_ids: Collection[str]) -> set[str]:
        ids = list(delivery_ids)
        pipe = self._client.pipeline(transaction=False)
        for delivery_id in ids:
            pipe.eval(_RENEW_LEASE, 2, self._prefix + delivery_id, self._index, delivery_id, self.owner, self.lease_ms)
        try:
            renewed = pipe.execute()
        except redis.RedisError as exc:
            log.warning("lease renew_failed leases=%d error=%s", len(ids), type(exc).__name__)
            return set()  # still ours as far as we know; the next renewal tries again
        return {delivery_id for delivery_id, ok in zip(ids, renewed, strict=True) if not ok}

    @property
    def lease_ms(self) -> int:
        return int(self.lease_s * 1000)

    def delivered(self, delivery_id: str) -> None:
        self._client.eval(_DELIVERED, 2, self._prefix + delivery_id, self._index, delivery_id)

    def expired(self, prefix: str, limit: int) -> list[tuple[str, str]]:
        now_s, now_us = self._client.time()
        now_ms = now_s * 1000 + now_us // 1000
        lapsed = self._client.zrangebyscore(self._index, 1, now_ms, start=0, num=limit * 4)
        ids = [_text(i) for i in lapsed if isinstance(i, (bytes, str))]
        found = []
        for delivery_id in ids:
            if not delivery_id.startswith(prefix):
                continue
            payload, attempts = self._client.hmget(self._prefix + delivery_id, ["payload", "attempts"])
            if payload is None or int(attempts or 0) >= MAX_ATTEMPTS:
                self._client.zrem(self._index, delivery_id)  # gone or given up: stop listing it
                continue
            found.append((delivery_id, _text(payload)))
            if len(found) >= limit:
                break
        return found

    def close(self) -> None:
        """The client is shared; its owner closes it."""
