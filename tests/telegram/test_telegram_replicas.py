"""Two Telegram replicas sharing Redis and Postgres: long polling has one consumer at a time (the second waits
instead of getting 409 Conflict and exiting) and takes over when the first stops; a turn whose replica dies
mid-turn is answered once by another replica."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import redis
from pydantic import SecretStr

from assistant.config import Settings
from assistant.state.backends import dispose_shared, shared_engine
from assistant.state.postgres import PostgresDeliveryClaims
from assistant.state.shared_texts import RedisSharedTexts
from bots.common.leases import LeasedDeliveries
from bots.telegram.adapter import TelegramAdapter
from shopguide_testkit.fake_bot_api import FakeBotApi
from shopguide_testkit.tg_harness import TEST_TOKEN, AdapterFactory

pytestmark = pytest.mark.integration

# Short leases so a dead replica's turn is taken over within the test's patience.
LEASE_S = 1.0
WEBHOOK = {"url": "https://shop.example.com/tg", "listen": "127.0.0.1", "url_path": "tg", "secret": "s3cret"}
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}


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
    and answers it once, before the chat's next message that reached it meanwhile, after deleting the part of
    the answer the dead replica had posted."""
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
    # It had posted the start of its answer before it died, and recorded that with its lease.
    async with httpx.AsyncClient() as client:
        sent = await client.post(
            f"{fake.base_url}{TEST_TOKEN}/sendMessage", json={"chat_id": 5001, "text": "You can return an item …"}
        )
    partial = sent.json()["result"]["message_id"]
    posted = RedisSharedTexts(queue, redis_prefix, "posted", 3600)
    assert posted.put(f"telegram:{fake.bot_id}:7001", json.dumps([partial]))

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
        # The dead turn's half-written answer is gone: the shopper sees one answer to the first question.
        assert fake.messages[5001][partial].deleted
        assert "You can return an item …" not in shown
        assert waited < 20 and survivor.leases.taken_over == 1
        # Telegram retrying the same update later is not answered again.
        await client.post(f"http://127.0.0.1:{port}/tg", json=first, headers=headers)
        await fake.wait_until_quiet(seconds=1.0)
        assert len([m for m in fake.shown(5001) if m.from_bot and not m.deleted]) == len(shown)
    assert dead.renew([f"telegram:{fake.bot_id}:7001"]) == {f"telegram:{fake.bot_id}:7001"}
    queue.close()
    dispose_shared()


# A replica whose event loop is busy with other chats' CPU-bound work (retrieval, rendering) runs it in slices
# this long: between acknowledging an update and queueing its turn it waits a slice at every await, which is
# when a shopper's next message, delivered to the idle replica, used to overtake.
BUSY_SLICE_S = 0.02


@contextlib.asynccontextmanager
async def busy_replica_in_own_thread(adapter: TelegramAdapter, port: int) -> AsyncIterator[None]:
    """A replica with an event loop of its own, as in a separate process, kept busy by CPU-bound work."""
    started, stop = threading.Event(), threading.Event()

    async def serve() -> None:
        async with adapter.webhook(port=port, **WEBHOOK):
            started.set()
            while not stop.is_set():
                time.sleep(BUSY_SLICE_S)  # noqa: ASYNC251 (blocks the loop on purpose, as CPU-bound work does)
                await asyncio.sleep(0)

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="replica")
    thread.start()
    try:
        # This loop serves the fake Bot API the replica starts against: wait without blocking it.
        assert await asyncio.to_thread(started.wait, 30)
        yield
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 30)


async def test_two_messages_of_a_chat_on_two_replicas_are_answered_in_order(
    fake: FakeBotApi, make_adapter: AdapterFactory, redis_url: str, redis_prefix: str
) -> None:
    """Telegram sends a chat's next message once the previous one is acknowledged, and the proxy may hand it
    to the other replica. Each replica takes the message's place in the chat's Redis queue before it
    acknowledges, so the chat's answers come in the order the shopper wrote, however busy the first replica."""
    shared = {"redis_url": SecretStr(redis_url), "redis_prefix": redis_prefix}
    busy, idle = make_adapter(**shared), make_adapter(**shared)
    ports = [free_port(), free_port()]
    chat = 6001
    async with (
        idle.webhook(port=ports[1], **WEBHOOK),
        httpx.AsyncClient() as client,
        busy_replica_in_own_thread(busy, ports[0]),
    ):

        async def deliver(port: int, update_id: int, message: dict[str, object]) -> None:
            update = {"update_id": update_id, "message": message}
            response = await client.post(f"http://127.0.0.1:{port}/tg", json=update, headers=HEADERS)
            assert response.status_code == 200

        await deliver(ports[0], 9500, fake.message(chat, chat, "what is the return policy?"))
        await deliver(ports[1], 9501, fake.message(chat, chat, "details SG-RUN-0001"))
        await fake.wait_for(lambda: len(fake.texts(chat)) >= 2, within=60)
        await fake.wait_until_quiet(seconds=1.0)
    shown = [m.text for m in fake.shown(chat) if m.from_bot and not m.deleted]
    # The return policy first, then the product card and its text; nothing twice, nothing swapped.
    assert [("returns" in t, "AeroRun" in t) for t in shown] == [(True, False), (False, True), (False, True)]
    assert [s.request_id for s in busy.stats] == ["tg-9500"] and [s.request_id for s in idle.stats] == ["tg-9501"]
    dispose_shared()


async def test_a_long_button_sent_by_one_replica_works_on_another(
    make_adapter: AdapterFactory, redis_url: str, redis_prefix: str
) -> None:
    """Telegram allows 64 bytes of callback data; a longer payload (a Chinese quick reply) travels as a token.
    The press may reach any replica behind the proxy: the token is readable by all of them through Redis."""
    shared = {"redis_url": SecretStr(redis_url), "redis_prefix": redis_prefix}
    sender, receiver = make_adapter(**shared), make_adapter(**shared)
    alone = make_adapter()  # no Redis: one machine, its own memory only
    payload = "预算在一千到两千元之间、适合长途徒步的轻量防水登山鞋"
    data = sender.codec.encode(payload)
    assert len(data.encode()) <= 64 and payload not in data
    assert receiver.codec.decode(data) == payload
    assert alone.codec.decode(data) is None
    dispose_shared()
