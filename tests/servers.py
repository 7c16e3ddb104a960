"""Real Postgres and Redis for the shared-state and replica tests (a pytest plugin): each run works in its
own schema and key prefix, so parallel runs never see each other. Unreachable servers skip the tests, except
under CI=true, where they fail."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis

from assistant.config import Settings
from assistant.state.backends import dispose_shared
from assistant.state.sql import drop_schema, open_engine

POSTGRES_USERS = ("postgres", "root")
POSTGRES_HOST = "127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"


def _unreachable(what: str, why: str) -> None:
    message = f"{what} unreachable ({why}); these tests need it running on this machine"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: a missing server is a failure)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    errors = []
    for user in POSTGRES_USERS:
        url = f"postgresql://{user}@{POSTGRES_HOST}/test"
        try:
            psycopg.connect(url, connect_timeout=3).close()
        except psycopg.Error as exc:
            errors.append(f"{user}: {str(exc).strip().splitlines()[0]}")
            continue
        return url
    _unreachable(f"Postgres at {POSTGRES_HOST}, database test", "; ".join(errors))
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        _unreachable("Redis at 127.0.0.1:6379", type(exc).__name__)
    return REDIS_URL


@pytest.fixture
def pg_schema(postgres_url: str) -> Iterator[str]:
    """A fresh schema for one test, dropped afterwards."""
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    yield schema
    engine = open_engine(postgres_url, schema)
    drop_schema(engine, schema)
    engine.dispose()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A fresh key prefix for one test; its keys are deleted afterwards."""
    prefix = f"t{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def shared_settings(tmp_path: Path, postgres_url: str, pg_schema: str) -> Iterator[Settings]:
    """Settings of one replica that keeps its state in Postgres."""
    yield Settings(data_dir=tmp_path, database_url=postgres_url, database_schema=pg_schema)
    dispose_shared()
