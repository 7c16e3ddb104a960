"""Picks each state store from settings: SQLite files and in-process structures by default (one machine, no
setup), Postgres when ``SHOPGUIDE_DATABASE_URL`` is set, Redis when ``SHOPGUIDE_REDIS_URL`` is set.

Stores of one process share one Postgres engine (one connection pool) and one Redis client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

import redis
from sqlalchemy import Engine

from ..config import Settings
from ..conversation import ConversationStore, SQLiteConversationStore
from ..handoff import SQLiteTicketStore, TicketStore
from .claims import SEEN_TTL_S, DeliveryClaims, RedisDeliveryClaims, SQLiteDeliveryClaims
from .coordination import LeaderLock, LocalTurnOrder, RedisTurnOrder, SharedRateLimits, TurnOrder
from .shared_texts import RedisSharedTexts, SharedTexts

if TYPE_CHECKING:
    from knowledge.pointer import PointerStore

    from ..admin import AuditTrail
    from ..personal.profile import ProfileStore

_engines: dict[tuple[str, str], Engine] = {}
_redis: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def uses_postgres(settings: Settings) -> bool:
    return bool(settings.database_url.get_secret_value())


def uses_redis(settings: Settings) -> bool:
    return bool(settings.redis_url.get_secret_value())


def shared_engine(settings: Settings) -> Engine:
    """This process's engine for the configured database, migrated on first use."""
    from .sql import open_engine

    key = (settings.database_url.get_secret_value(), settings.database_schema)
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = open_engine(*key)
        return engine


def shared_redis(settings: Settings) -> redis.Redis:
    """This process's (synchronous) Redis client; short timeouts so an outage fails a call instead of a turn."""
    url = settings.redis_url.get_secret_value()
    with _lock:
        client = _redis.get(url)
        if client is None:
            client = _redis[url] = redis.Redis.from_url(
                url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
            )
        return client


# A Redis call on the turn path answers in well under a millisecond; two seconds means it is down.
REDIS_TIMEOUT_S = 2.0


def dispose_shared() -> None:
    """Close every pooled connection (tests and shutdown)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        for client in _redis.values():
            client.close()
        _redis.clear()


def open_release_pointer(settings: Settings) -> PointerStore | None:
    """The knowledge base's live-release pointer: in Postgres when configured (the first replica adopts the data
    directory's pointer file), else None (the file in the data directory)."""
    if not uses_postgres(settings):
        return None
    from knowledge.pointer import FilePointerStore
    from knowledge.registry import POINTER_FILE

    from .release_pointer import PostgresPointerStore

    url = settings.database_url.get_secret_value().replace("postgresql+psycopg://", "postgresql://", 1)
    legacy = FilePointerStore(settings.data_dir / POINTER_FILE)
    return PostgresPointerStore(shared_engine(settings), url, settings.database_schema, legacy)


def open_conversation_store(settings: Settings) -> ConversationStore:
    if uses_postgres(settings):
        from .postgres import PostgresConversationStore

        return PostgresConversationStore(shared_engine(settings))
    return SQLiteConversationStore(settings.memory_db)


def open_profile_store(settings: Settings) -> ProfileStore:
    """Shopper profiles, history, feedback and unmet requests on the same storage as conversation memory:
    its own tables in the memory file, or in the shared database."""
    if uses_postgres(settings):
        from .profiles import PostgresProfileStore

        return PostgresProfileStore(shared_engine(settings))
    from ..personal.profile import SQLiteProfileStore

    return SQLiteProfileStore(settings.memory_db)


def open_ticket_store(settings: Settings) -> TicketStore:
    if uses_postgres(settings):
        from .postgres import PostgresTicketStore

        return PostgresTicketStore(shared_engine(settings))
    return SQLiteTicketStore(settings.handoff_db)


def open_audit_trail(settings: Settings) -> AuditTrail:
    from ..admin import AuditLog

    if uses_postgres(settings):
        from .postgres import PostgresAuditTrail

        return PostgresAuditTrail(shared_engine(settings))
    return AuditLog(settings.audit_log)


def open_delivery_claims(settings: Settings, sqlite_path: Path, ttl_s: float = SEEN_TTL_S) -> DeliveryClaims:
    """A Postgres table when Postgres is configured (leases hold the update to answer, which must outlive a
    Redis restart), else Redis keys with expiry, else the SQLite file given.
    Dropped duplicates are counted under the file's name (``telegram``, ``slack``)."""
    claims: DeliveryClaims
    if uses_postgres(settings):
        from .postgres import PostgresDeliveryClaims

        claims = PostgresDeliveryClaims(shared_engine(settings), ttl_s)
    elif uses_redis(settings):
        claims = RedisDeliveryClaims(shared_redis(settings), settings.redis_prefix, ttl_s)
    else:
        claims = SQLiteDeliveryClaims(sqlite_path, ttl_s)
    return CountedClaims(claims, sqlite_path.stem)


class CountedClaims:
    """A claims store that counts the duplicates it turns away (``shopguide_duplicates_dropped_total``)."""

    def __init__(self, inner: DeliveryClaims, source: str) -> None:
        self.inner = inner
        self.source = source

    def claim(self, delivery_id: str) -> bool:
        return self._counted(self.inner.claim(delivery_id))

    def lease(self, delivery_id: str, payload: str) -> bool:
        return self._counted(self.inner.lease(delivery_id, payload))

    def _counted(self, claimed: bool) -> bool:
        from ..operations import DUPLICATES_DROPPED

        if not claimed:
            DUPLICATES_DROPPED.labels(self.source).inc()
        return claimed

    def renew(self, delivery_ids: Collection[str]) -> set[str]:
        return self.inner.renew(delivery_ids)

    def delivered(self, delivery_id: str) -> None:
        self.inner.delivered(delivery_id)

    def expired(self, prefix: str, limit: int) -> list[tuple[str, str]]:
        return self.inner.expired(prefix, limit)

    def close(self) -> None:
        self.inner.close()


def shared_texts(settings: Settings, namespace: str, ttl_s: int) -> SharedTexts | None:
    """Short texts by token that every replica reads (Telegram's long button payloads), or None on one machine."""
    if not uses_redis(settings):
        return None
    return RedisSharedTexts(shared_redis(settings), settings.redis_prefix, namespace, ttl_s)


def open_turn_order(settings: Settings) -> TurnOrder:
    """Each chat's turns in arrival order: across replicas through Redis, else within this process."""
    if uses_redis(settings):
        return RedisTurnOrder(settings.redis_url.get_secret_value(), settings.redis_prefix)
    return LocalTurnOrder()


def shared_rate_limits(settings: Settings, per_user_per_minute: int) -> SharedRateLimits | None:
    """Rate limits every replica agrees on, or None on one machine (the adapter keeps its own limiter)."""
    if not uses_redis(settings):
        return None
    return SharedRateLimits(
        shared_redis(settings),
        settings.redis_url.get_secret_value(),
        settings.redis_prefix,
        per_user_per_minute=per_user_per_minute,
        global_per_second=settings.turns_per_second,
    )


def leader_lock(settings: Settings, name: str) -> LeaderLock | None:
    """The lock a single-consumer loop (Telegram long polling) takes first, or None on one machine."""
    if not uses_redis(settings):
        return None
    return LeaderLock(settings.redis_url.get_secret_value(), settings.redis_prefix, name)


def dependency_checks(settings: Settings) -> dict[str, Callable[[], str]]:
    """Readiness checks of the shared stores this replica is configured with (each raises when down)."""
    checks: dict[str, Callable[[], str]] = {}
    if uses_postgres(settings):

        def database() -> str:
            from .postgres import touch

            touch(shared_engine(settings))
            return "postgres"

        checks["database"] = database
    else:
        checks["database"] = lambda: "sqlite files"
    if uses_redis(settings):

        def redis_check() -> str:
            shared_redis(settings).ping()
            return "redis"

        checks["redis"] = redis_check
    return checks
