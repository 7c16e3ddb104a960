"""Fixtures: a loopback fake Bot API and the real python-telegram-bot adapter talking to it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.llm.scripted import ScriptedGenerator
from assistant.ports import Generator
from bots.telegram.adapter import TelegramAdapter
from bots.telegram.flow import FlowControl
from knowledge.store import KnowledgeStore
from shopguide_testkit.fake_bot_api import FakeBotApi
from shopguide_testkit.tg_harness import ADMIN_ID, TEST_TOKEN, AdapterFactory, BotFactory


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def tg_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"telegram_token": SecretStr(TEST_TOKEN), "admin_ids": [f"telegram:{ADMIN_ID}"]})


@pytest.fixture
def make_adapter(fake: FakeBotApi, tg_settings: Settings, demo_store: KnowledgeStore) -> Iterator[AdapterFactory]:
    """``make_adapter(generator=..., **settings)``: a real adapter pointed at the fake, not started."""
    assistants: list[Assistant] = []
    adapters: list[TelegramAdapter] = []

    def make(
        *,
        generator: Generator | None = None,
        edit_interval_s: float = 1.0,
        flow: FlowControl | None = None,
        kb: Any = None,
        knowledge: KnowledgeStore | None = None,
        **overrides: Any,
    ) -> TelegramAdapter:
        settings = tg_settings.model_copy(update=overrides) if overrides else tg_settings
        assistant = build_assistant(
            settings, generator=generator or ScriptedGenerator(), knowledge=knowledge or demo_store
        )
        assistants.append(assistant)
        adapter = TelegramAdapter(
            assistant,
            settings,
            base_url=fake.base_url,
            edit_interval_s=edit_interval_s,
            flow=flow or FlowControl(),
            kb=kb,
            keep_stats=True,
        )
        adapters.append(adapter)
        return adapter

    yield make
    for adapter in adapters:
        adapter.close()
    for assistant in assistants:
        assistant.memory.close()


@pytest.fixture
def run_bot(make_adapter: AdapterFactory) -> BotFactory:
    """``async with run_bot(**kwargs) as adapter:`` polls the fake for the duration of the block."""

    @contextlib.asynccontextmanager
    async def run(**kwargs: Any) -> AsyncIterator[TelegramAdapter]:
        adapter = make_adapter(**kwargs)
        async with adapter.polling(poll_timeout=5):
            yield adapter

    return run
