"""What Telegram (or anyone holding the webhook secret) can send that the happy-path tests never do.

Redelivered updates, a backlog after downtime, bodies PTB cannot parse, unknown commands, and one update
of every kind python-telegram-bot's own tests build (``payloads/ptb_test_update.json``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bots.telegram.adapter import TelegramAdapter
from bots.telegram.logfilter import PTB_WEBHOOK_LOGGER
from shopguide_testkit.fake_bot_api import FakeBotApi
from shopguide_testkit.tg_harness import AdapterFactory, BotFactory

pytestmark = pytest.mark.integration  # a loopback fake Bot API server and the adapter's webhook server

PAYLOADS = Path(__file__).parent / "payloads" / "ptb_test_update.json"
SECRET = "hook-secret"
SHOPPER = 6100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Webhook:
    """Posts bodies to the adapter's local webhook server the way Telegram does."""

    def __init__(self, port: int, client: httpx.AsyncClient) -> None:
        self.url = f"http://127.0.0.1:{port}/tg/hook"
        self.client = client

    async def post(self, body: str | dict[str, Any]) -> int:
        content = body if isinstance(body, str) else json.dumps(body)
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        return (await self.client.post(self.url, content=content, headers=headers)).status_code


@contextlib.asynccontextmanager
async def webhook(adapter: TelegramAdapter) -> AsyncIterator[Webhook]:
    port = free_port()
    running = adapter.webhook(
        url="https://shop.example.com/tg/hook", listen="127.0.0.1", port=port, url_path="tg/hook", secret=SECRET
    )
    async with running, httpx.AsyncClient() as client:
        yield Webhook(port, client)


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_redelivered_update_is_answered_once_even_after_a_restart(
    fake: FakeBotApi, make_adapter: AdapterFactory
) -> None:
    update = {"update_id": 900001, "message": fake.message(SHOPPER, SHOPPER, "/help")}
    first = make_adapter()
    async with webhook(first) as hook:
        # Telegram resends when the answer was slow: the same update_id arrives again (even concurrently).
        statuses = await asyncio.gather(hook.post(update), hook.post(update), hook.post(update))
        await fake.wait_for(lambda: len(fake.shown(SHOPPER)) == 1)
        await fake.wait_until_quiet(0.5)
    assert statuses == [200, 200, 200]
    assert len(fake.shown(SHOPPER)) == 1 and first.redeliveries == 2

    # A new process on the same data directory still knows the id; a new update is answered.
    second = make_adapter()
    async with webhook(second) as hook:
        assert await hook.post(update) == 200
        fresh = {"update_id": 900002, "message": fake.message(SHOPPER, SHOPPER, "/help")}
        assert await hook.post(fresh) == 200
        await fake.wait_for(lambda: len(fake.shown(SHOPPER)) == 2)
        await fake.wait_until_quiet(0.5)
    assert len(fake.shown(SHOPPER)) == 2 and second.redeliveries == 1


async def test_polling_after_a_crash_answers_a_redelivered_update_once(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        update = await fake.send_text(SHOPPER, SHOPPER, "/help")
        await fake.wait_for(lambda: len(fake.shown(SHOPPER)) == 1)
    # The process died before its next getUpdates confirmed the offset: Telegram hands the update out again.
    await fake.push({"update_id": update["update_id"], "message": update["message"]})
    async with run_bot() as restarted:
        await fake.wait_for(lambda: restarted.redeliveries == 1)
        await fake.wait_until_quiet(0.5)
    assert len(fake.shown(SHOPPER)) == 1


async def test_drop_pending_updates_skips_the_backlog_of_a_downtime(fake: FakeBotApi, run_bot: BotFactory) -> None:
    await fake.send_text(SHOPPER, SHOPPER, "/help")  # sent while the bot was down
    async with run_bot(telegram_drop_pending_updates=True):
        await fake.wait_until_quiet(0.5)
        assert fake.shown(SHOPPER) == []
        await fake.send_text(SHOPPER, SHOPPER, "/help")
        await fake.wait_for(lambda: len(fake.shown(SHOPPER)) == 1)
    [drop] = fake.calls_to("deleteWebhook")
    assert str(drop.params.get("drop_pending_updates")).lower() == "true"


async def test_by_default_the_backlog_is_answered(fake: FakeBotApi, run_bot: BotFactory) -> None:
    await fake.send_text(SHOPPER, SHOPPER, "/help")
    async with run_bot():
        await fake.wait_for(lambda: len(fake.shown(SHOPPER)) == 1)


async def test_a_body_without_update_id_is_refused_and_its_text_never_logged(
    fake: FakeBotApi, make_adapter: AdapterFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # The webhook handler's own DEBUG line quotes every body; it must be withheld even when enabled.
    caplog.set_level(logging.DEBUG, logger=PTB_WEBHOOK_LOGGER)
    secret_words = "my flat is on Quiet Lane, door code 4411"
    message = fake.message(SHOPPER, SHOPPER, secret_words)
    async with webhook(make_adapter()) as hook:
        missing_id = await hook.post({"message": message})
        not_json = await hook.post('{"message": ' + json.dumps(secret_words))
        still_fine = await hook.post({"update_id": 900010, "message": fake.message(SHOPPER, SHOPPER, "/help")})
        await fake.wait_for(lambda: len(fake.shown(SHOPPER)) == 1)
    assert (missing_id, still_fine) == (400, 200)
    assert not_json >= 400
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "Quiet Lane" not in logged and "4411" not in logged and "Ann" not in logged
    assert any("webhook body rejected" in r.getMessage() for r in caplog.records)
    assert all(r.levelno < logging.CRITICAL for r in caplog.records)


async def test_an_unknown_command_in_a_private_chat_gets_a_hint(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await fake.send_text(SHOPPER, SHOPPER, "/discount")
        await fake.wait_for(lambda: len(fake.shown(SHOPPER)) == 1)
        await fake.send_text(SHOPPER + 1, SHOPPER + 1, "/discount_code@shopguide_test_bot", language="zh-hans")
        await fake.wait_for(lambda: len(fake.shown(SHOPPER + 1)) == 1)
    hint = fake.texts(SHOPPER)[0]
    assert "/discount" in hint and "/help" in hint
    assert fake.texts(SHOPPER + 1) == [
        "我不认识 /discount_code 这个命令。发送 /help 查看我能做什么，或直接输入您的问题。"
    ]


async def test_unknown_commands_in_groups_stay_quiet(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await fake.send_text(-4001, SHOPPER, "/discount", kind="group")
        await fake.wait_until_quiet(0.5)
    assert fake.shown(-4001) == []


async def test_every_update_kind_from_ptb_tests_is_handled_without_an_error(
    fake: FakeBotApi, make_adapter: AdapterFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    updates = json.loads(PAYLOADS.read_text(encoding="utf-8"))["updates"]
    statuses: dict[str, int] = {}
    async with webhook(make_adapter()) as hook:
        for index, item in enumerate(updates):
            # PTB's tests give every kind the same id; distinct ids so none is taken for a redelivery.
            statuses[item["name"]] = await hook.post({**item["update"], "update_id": 910000 + index})
        await fake.wait_until_quiet(0.5)
        after = await hook.post({"update_id": 919999, "message": fake.message(SHOPPER, SHOPPER, "/help")})
        await fake.wait_for(lambda: len(fake.shown(SHOPPER)) == 1)
    assert {name: s for name, s in statuses.items() if s != 200} == {}
    assert len(statuses) >= 20 and after == 200
    assert _errors(caplog) == []
