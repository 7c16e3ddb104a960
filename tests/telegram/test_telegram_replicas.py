"""Two Telegram replicas sharing Redis and Postgres: long polling has one consumer at a time (the second waits
instead of getting 409 Conflict and exiting) and takes over when the first stops; a turn whose replica dies
mid-turn is answered once by another replica."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import httpx
import pytest
import redis
from pydantic import SecretStr

from assistant.config import Settings
from assistant.state.backends import dispose_shared, shared_engine
from assistant.state.postgres import PostgresDeliveryClaims
from bots.common.leases import LeasedDeliveries
from shopguide_testkit.fake_bot_api import FakeBotApi
from shopguide_testkit.tg_harness import AdapterFactory

pytestmark = pytest.mark.integration

# Short leases so a dead replica's turn is taken over within the test's patience.
LEASE_S = 1.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_second_replica_waits_for_the_poller_then_takes_over(
    fake: FakeBotApi, make_adapter: AdapterFactory, redis_url: str, redis_prefix: str
) -> None:
    shared = {"redis_url": SecretStr(redis_url), "redis_prefix": redis_prefix}
    first, second = make_adapter(**shared), make_adapter(**shared)
    second_polls = asyncio.Event()

    async def run_second() -> None:
        async with second.polling(poll_timeout=1):
            second_polls.set()
            await fake.wait_for(lambda: len(fake.texts(2)) >= 1, within=30)

    async with first.polling(poll_timeout=1):
        waiting = asyncio.create_task(run_second())
        await fake.send_text(1, 1, "hi")
        await fake.wait_for(lambda: len(fake.texts(1)) >= 1, within=30)
        await asyncio.sleep(1.5)  # several poll rounds: the second replica is still waiting its turn
        assert not second_polls.is_set()
    await asyncio.wait_for(second_polls.wait(), timeout=20)
    await fake.send_text(2, 2, "hello")
    await asyncio.wait_for(waiting, timeout=40)
    assert not first.conflict.is_set() and not second.conflict.is_set()
    assert len(fake.texts(1)) == 1  # answered once, by the replica that polled
    dispose_shared()


async def test_a_turn_whose_replica_died_mid_turn_is_answered_once_by_another(
    fake: FakeBotApi, make_adapter: AdapterFactory, shared_settings: Settings, redis_url: str, redis_prefix: str
) -> None:
    """What a replica SIGKILLed mid-turn leaves behind: its lease on the update (with the update) in Postgres,
    lapsing, and its turn at the head of the chat's Redis queue. The surviving replica takes the update over
    and answers it once, before the chat's next message that reached it meanwhile."""
    shared = {
        "database_url": shared_settings.database_url,
        "database_schema": shared_settings.database_schema,
        "redis_url": SecretStr(redis_url),
        "redis_prefix": redis_prefix,
    }
    first = {"update_id": 7001, "message": fake.message(5001, 5001, "what is the return policy?")}
    second = {"update_id": 7002, "message": fake.message(5001, 5001, "details SG-RUN-0001")}
    engine = shared_engine(Settings(**shared))  # type: ignore[arg-type]
    dead = PostgresDeliveryClaims(engine, ttl_s=3600, lease_s=LEASE_S)
    assert dead.lease(f"telegram:{fake.bot_id}:7001", json.dumps(first))
    queue = redis.Redis.from_url(redis_url)
    dead_turn = f"telegram:{fake.bot_id}:tg-7001"  # turns are named after their update
    queue.rpush(f"{redis_prefix}:turns:q:5001", dead_turn)
    queue.set(f"{redis_prefix}:turns:lease:{dead_turn}", b"1", px=30_000)  # far from lapsing yet

    survivor = make_adapter(**shared)
    survivor.leases = LeasedDeliveries(
        PostgresDeliveryClaims(engine, ttl_s=3600, lease_s=LEASE_S), take_over_every_s=LEASE_S / 2
    )
    port = free_port()
    webhook = {"url": "https://shop.example.com/tg", "listen": "127.0.0.1", "url_path": "tg", "secret": "s3cret"}
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    started = time.monotonic()
    async with survivor.webhook(port=port, **webhook), httpx.AsyncClient() as client:
        assert (await client.post(f"http://127.0.0.1:{port}/tg", json=second, headers=headers)).status_code == 200
        await fake.wait_for(lambda: len(fake.texts(5001)) >= 2, within=60)
        waited = time.monotonic() - started
        await fake.wait_until_quiet(seconds=2 * LEASE_S)
        shown = [m.text for m in fake.shown(5001) if m.from_bot and not m.deleted]
        # One answer per message, none lost, none twice (the second is a product card and its text), and the
        # taken-over question answered first, without waiting for the dead turn's 30 s queue lease.
        assert [("returns" in t, "AeroRun" in t) for t in shown] == [(True, False), (False, True), (False, True)]
        assert waited < 20 and survivor.leases.taken_over == 1
        # Telegram retrying the same update later is not answered again.
        await client.post(f"http://127.0.0.1:{port}/tg", json=first, headers=headers)
        await fake.wait_until_quiet(seconds=1.0)
        assert len([m for m in fake.shown(5001) if m.from_bot and not m.deleted]) == len(shown)
    assert dead.renew(f"telegram:{fake.bot_id}:7001") is False
    queue.close()
    dispose_shared()
