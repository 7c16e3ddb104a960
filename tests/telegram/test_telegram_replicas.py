"""Two Telegram replicas sharing Redis: long polling has one consumer at a time (the second waits instead of
getting 409 Conflict and exiting) and takes over when the first stops."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from assistant.state.backends import dispose_shared
from shopguide_testkit.fake_bot_api import FakeBotApi
from shopguide_testkit.tg_harness import AdapterFactory

pytestmark = pytest.mark.integration


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
