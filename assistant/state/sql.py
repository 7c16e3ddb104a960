"""The Postgres side of shared state: engine, table definitions (SQLAlchemy Core) and schema migrations.

Tables are created and changed only by the Alembic scripts in ``migrations/``; :func:`migrate` runs them at
start under an advisory lock, so replicas starting together do not race to create the same table.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    Engine,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..errors import ConfigError, ShopguideError

log = logging.getLogger("shopguide.database")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant works; it only has to be the same for every replica of every version.
MIGRATION_LOCK_ID = 0x5390_6D16
# A replica waits this long for a connection from the pool before the turn fails with a clear error.
POOL_TIMEOUT_S = 10.0
# Connections per replica: turns touch the database briefly (one transaction each), a few suffice.
POOL_SIZE = 5
# A running replica waits this long for Postgres to accept connections again (a restart takes well under a
# second, a managed failover some seconds) before a database call fails; backing off between attempts.
OUTAGE_RIDE_S = 15.0
RECONNECT_FIRST_WAIT_S = 0.05
RECONNECT_MAX_WAIT_S = 1.0
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

metadata = MetaData()

conversations = Table(
    "conversations",
    metadata,
    Column("key", Text, primary_key=True),
    Column("state", Text, nullable=False),
    Column("updated_at", Double, nullable=False),
    Index("conversations_by_age", "updated_at"),
)

handoff_tickets = Table(
    "handoff_tickets",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("conversation_key", Text, nullable=False),
    Column("platform", Text, nullable=False),
    Column("chat_id", Text, nullable=False),
    Column("thread_id", Text),
    Column("user_id", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("desk_ref", Text),
    Column("created_at", Double, nullable=False),
    Column("resolved_at", Double),
    Index("handoff_by_conversation", "conversation_key", "status"),
    Index("handoff_by_desk_ref", "desk_ref"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", Double, nullable=False),
    Column("entry", Text, nullable=False),
    Index("audit_by_time", "at"),
)

seen_deliveries = Table(
    "seen_deliveries",
    metadata,
    Column("delivery_id", Text, primary_key=True),
    Column("at", Double, nullable=False),
    # Two-step deliveries (migration 0002): NULL lease_until = delivered (or claimed in one step).
    Column("lease_until", Double),
    Column("owner", Text),
    Column("payload", Text),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Index("seen_by_time", "at"),
    Index("seen_by_lease", "lease_until", postgresql_where=text("lease_until IS NOT NULL")),
)


# Shopper profiles, history, feedback and unmet requests (assistant.personal): the columns of the SQLite
# store's tables, so both stores read and write the same records.
shopper_profiles = Table(
    "shopper_profiles",
    metadata,
    Column("shopper", Text, primary_key=True),
    Column("profile", Text, nullable=False),
    Column("updated_at", Double, nullable=False),
)

shopper_events = Table(
    "shopper_events",
    metadata,
    Column("shopper", Text, primary_key=True),
    Column("sku", Text, primary_key=True),
    Column("kind", Text, primary_key=True),
    Column("at", Double, primary_key=True),
    Column("source", Text, nullable=False),
    Index("shopper_events_at", "at"),
)

shopper_feedback = Table(
    "shopper_feedback",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("shopper", Text, nullable=False),
    Column("conversation", Text, nullable=False),
    Column("turn_at", Double, nullable=False),
    Column("reaction", Text, nullable=False),
    Column("skus", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("at", Double, nullable=False),
    Index("shopper_feedback_shopper", "shopper"),
    Index("shopper_feedback_at", "at"),
)

shop_requests = Table(
    "shop_requests",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("sku", Text, nullable=False),
    Column("at", Double, nullable=False),
    Index("shop_requests_at", "at"),
)


# The knowledge base's live-release pointer (knowledge.pointer), one row per deployment schema (migration 0004).
# ``stamp`` grows with every write, so a replica polling it sees any change, its own included.
kb_release_pointer = Table(
    "kb_release_pointer",
    metadata,
    Column("name", Text, primary_key=True),
    Column("release_id", Text, nullable=False),
    Column("history", Text, nullable=False),
    Column("revision", BigInteger, nullable=False),
    Column("stamp", BigInteger, nullable=False),
    Column("activated_at", Double, nullable=False),
)


class DatabaseUnavailable(ShopguideError):
    code = "database_unavailable"


def sqlalchemy_url(url: str) -> str:
    """``postgresql://`` as users write it, with the psycopg (v3) driver SQLAlchemy needs named."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("postgresql+psycopg://"):
        return url
    raise ConfigError(
        "SHOPGUIDE_DATABASE_URL must start with postgresql://",
        hint="for example postgresql://shopguide@127.0.0.1:5432/shopguide, or leave it empty for SQLite files",
    )


def check_schema_name(schema: str) -> str:
    if not _SCHEMA_NAME.match(schema):
        raise ConfigError(
            f"database schema {schema!r} is not a plain lower-case identifier",
            hint="use letters, digits and underscores, starting with a letter (SHOPGUIDE_DATABASE_SCHEMA)",
        )
    return schema


def open_engine(url: str, schema: str = "public") -> Engine:
    """A pooled engine whose connections all work in ``schema``; the schema is migrated to the newest version."""
    schema = check_schema_name(schema)
    engine = create_engine(
        sqlalchemy_url(url),
        pool_size=POOL_SIZE,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=True,  # a restarted Postgres leaves dead pooled connections: test before use
        connect_args={"options": f"-csearch_path={schema}"},
    )
    try:
        migrate(engine, schema)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseUnavailable(
            f"cannot prepare the shared-state database: {type(exc).__name__}: {str(exc).splitlines()[0]}",
            hint="check SHOPGUIDE_DATABASE_URL and that Postgres accepts connections",
        ) from exc
    # Only now: a wrong URL at start is reported at once, an outage of a database that worked is waited out.
    ride_out_restarts(engine)
    return engine


def ride_out_restarts(engine: Engine, within_s: float = OUTAGE_RIDE_S) -> None:
    """New connections retry while Postgres refuses them (restarting, starting up, shutting down), so a turn
    running during a database restart waits a moment instead of failing. Pooled connections that died with the
    old server are already replaced at checkout (``pool_pre_ping``)."""

    @event.listens_for(engine, "do_connect")
    def connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        deadline = time.monotonic() + within_s
        wait = RECONNECT_FIRST_WAIT_S
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except dialect.loaded_dbapi.OperationalError as exc:
                if time.monotonic() + wait > deadline:
                    raise
                log.warning("database reconnecting error=%s", str(exc).strip().splitlines()[0][:160])
                time.sleep(wait)
                wait = min(wait * 2, RECONNECT_MAX_WAIT_S)


# A transaction cut by a restarting server is run again this many times (on a new connection,
# which waits for the server: ``sql.ride_out_restarts``); the cut transaction committed nothing.
DISCONNECT_RETRIES = 2

T = TypeVar("T")
P = ParamSpec("P")


def retried_on_disconnect(method: Callable[P, T]) -> Callable[P, T]:
    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in itertools.count():
            try:
                return method(*args, **kwargs)
            except OperationalError as exc:
                if not exc.connection_invalidated or attempt >= DISCONNECT_RETRIES:
                    raise
                log.warning("database transaction_cut retry=%d error=%s", attempt + 1, type(exc.orig).__name__)
        raise AssertionError("unreachable")

    return run


def alembic_config(engine_or_connection: object, schema: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = engine_or_connection
    config.attributes["schema"] = schema
    return config


def migrate(engine: Engine, schema: str) -> None:
    """Bring ``schema`` to the newest migration; replicas starting at once take turns on an advisory lock."""
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        command.upgrade(alembic_config(conn, schema), "head")


def current_revision(engine: Engine, schema: str) -> str | None:
    with engine.connect() as conn:
        row = conn.execute(text(f'SELECT version_num FROM "{schema}".alembic_version')).first()
    return None if row is None else str(row[0])


def drop_schema(engine: Engine, schema: str) -> None:
    """Remove a schema and everything in it (tests clean up their per-run schema with this)."""
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{check_schema_name(schema)}" CASCADE'))
