"""Two-step delivery claims (lease → answer → delivered) on SQLite, Postgres and Redis: a lease held by a
live replica turns redeliveries away; one that lapsed undelivered (its replica died mid-turn) is taken over
by exactly one other replica; a delivered id is never answered again."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine

from assistant.state.claims import MAX_ATTEMPTS, DeliveryClaims, RedisDeliveryClaims, SQLiteDeliveryClaims
from assistant.state.postgres import PostgresDeliveryClaims
from assistant.state.sql import open_engine

pytestmark = pytest.mark.integration

LEASE_S = 0.4
ReplicaFactory = Callable[[], DeliveryClaims]


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def replica(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReplicaFactory]:
    """``replica()`` opens the store as one more replica would (its own owner id), on the backend under test."""
    engines: list[Engine] = []
    clients: list[redis.Redis] = []

    def make() -> DeliveryClaims:
        if request.param == "sqlite":
            return SQLiteDeliveryClaims(tmp_path / "claims.sqlite3", lease_s=LEASE_S)
        if request.param == "postgres":
            url, schema = request.getfixturevalue("postgres_url"), request.getfixturevalue("pg_schema")
            engines.append(open_engine(url, schema))
            return PostgresDeliveryClaims(engines[-1], ttl_s=3600, lease_s=LEASE_S)
        url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
        clients.append(redis.Redis.from_url(url))
        return RedisDeliveryClaims(clients[-1], prefix, lease_s=LEASE_S)

    yield make
    for engine in engines:
        engine.dispose()
    for client in clients:
        client.close()


def test_a_live_lease_turns_redeliveries_away_and_delivered_is_final(replica: ReplicaFactory) -> None:
    a, b = replica(), replica()
    assert a.lease("telegram:1:100", '{"update_id": 100}') is True
    assert b.lease("telegram:1:100", '{"update_id": 100}') is False  # A is answering it
    assert a.lease("telegram:1:102", "{}") is True
    assert a.renew(["telegram:1:100", "telegram:1:102"]) == set()  # both still A's, one round trip
    a.delivered("telegram:1:100")
    a.delivered("telegram:1:102")
    time.sleep(LEASE_S + 0.2)
    assert b.lease("telegram:1:100", "{}") is False  # answered: never again
    assert b.expired("telegram:1:", 10) == []
    assert a.claim("telegram:1:101") is True and b.lease("telegram:1:101", "{}") is False  # one-step claims are done


def test_a_lapsed_lease_is_taken_over_by_exactly_one_replica(replica: ReplicaFactory) -> None:
    dead = replica()
    assert dead.lease("telegram:1:200", '{"update_id": 200}')
    assert dead.lease("slack:Ev9", "{}")
    survivors = [replica() for _ in range(3)]
    assert survivors[0].expired("telegram:1:", 10) == []  # still leased: nothing to take over
    time.sleep(LEASE_S + 0.2)  # the holder was killed: no renewals
    # Each survivor sees the lapsed Telegram delivery with the update it must answer (not Slack's).
    assert all(s.expired("telegram:1:", 10) == [("telegram:1:200", '{"update_id": 200}')] for s in survivors)
    won: list[bool] = []
    threads = [threading.Thread(target=lambda s=s: won.append(s.lease("telegram:1:200", ""))) for s in survivors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False, False, True]
    assert survivors[0].expired("telegram:1:", 10) == []
    # A replica that was only stalled learns which deliveries it lost, and keeps the others.
    assert dead.renew(["telegram:1:200", "slack:Ev9"]) == {"telegram:1:200"}


def test_an_update_that_keeps_killing_replicas_is_given_up(replica: ReplicaFactory) -> None:
    for _ in range(MAX_ATTEMPTS):
        assert replica().lease("telegram:1:300", '{"update_id": 300}')
        time.sleep(LEASE_S + 0.15)
    assert replica().expired("telegram:1:", 10) == []
    assert replica().lease("telegram:1:300", "{}") is False
