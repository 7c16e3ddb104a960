"""Groups, forum topics, human handoff, 409 Conflict and webhook mode."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import httpx
import pytest

from assistant.conversation import ConversationState
from assistant.types import IncomingMessage
from bots.telegram.channel import TelegramShopperChannel
from bots.telegram.cli import EXIT_CONFLICT, run_telegram
from shopguide_testkit.fake_bot_api import BOT_USERNAME, FakeBotApi
from shopguide_testkit.tg_harness import AdapterFactory, BotFactory

pytestmark = pytest.mark.integration  # a loopback fake Bot API server

GROUP = -100123
ANN, BOB = 2001, 2002


async def settle(fake: FakeBotApi) -> None:
    await fake.wait_until_quiet(0.6)


async def test_groups_answer_only_mentions_replies_and_commands(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await fake.send_text(GROUP, ANN, "anyone tried the new running shoes?", kind="supergroup")
        await settle(fake)
        assert fake.shown(GROUP) == []  # people talking among themselves are left alone

        question = await fake.send_text(GROUP, ANN, f"@{BOT_USERNAME} what is the return policy?", kind="supergroup")
        await fake.wait_for(lambda: len(fake.shown(GROUP)) == 1)
        await settle(fake)
        [answer] = fake.shown(GROUP)
        assert answer.reply_to == question["message"]["message_id"]  # quotes whom it answers
        assert "@" not in answer.text

        await fake.send_text(GROUP, BOB, "and for shoes?", kind="supergroup", reply_to=answer)
        await fake.wait_for(lambda: len(fake.shown(GROUP)) >= 2)
        await settle(fake)

        await fake.send_text(GROUP, BOB, f"/help@{BOT_USERNAME}", kind="supergroup")
        await fake.send_text(GROUP, BOB, "/help@some_other_bot", kind="supergroup")
        await settle(fake)
    assert sum(1 for t in fake.texts(GROUP) if t.startswith("Ask me things like")) == 1


async def test_one_conversation_per_user_in_a_group(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await fake.send_text(GROUP, ANN, f"/lang@{BOT_USERNAME} zh", kind="supergroup")
        await settle(fake)
        await fake.send_text(GROUP, ANN, f"@{BOT_USERNAME} hello", kind="supergroup")
        await settle(fake)
        await fake.send_text(GROUP, BOB, f"@{BOT_USERNAME} hello", kind="supergroup")
        await settle(fake)
    lang_set, ann_greeting, bob_greeting = fake.texts(GROUP)
    assert lang_set == "好的，之后我会用中文回复。"
    assert ann_greeting.startswith("您好")  # Ann chose Chinese
    assert bob_greeting.startswith("Hi!")  # Bob's conversation is his own


async def test_forum_topic_questions_are_answered_in_the_same_topic(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await fake.send_text(
            GROUP, ANN, f"@{BOT_USERNAME} road running shoes under 500 for running", kind="supergroup", thread_id=77
        )
        await fake.wait_for(lambda: len(fake.shown(GROUP)) >= 2)
        await settle(fake)
    shown = fake.shown(GROUP)
    assert shown and all(m.thread_id == 77 for m in shown)
    assert all(str(c.params.get("message_thread_id")) == "77" for c in fake.calls_to("sendMessage", GROUP))


class RecordingDesk:
    """A real (tiny) HandoffDesk: remembers who asked for a human and what they said since."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.relayed: list[str] = []

    async def open(self, message: IncomingMessage, state: ConversationState, reason: str) -> None:
        self.opened.append(reason)

    async def relay_from_shopper(self, message: IncomingMessage, state: ConversationState) -> None:
        self.relayed.append(message.text)


async def test_handoff_bot_goes_quiet_and_staff_replies_reach_the_topic(fake: FakeBotApi, run_bot: BotFactory) -> None:
    desk = RecordingDesk()
    async with run_bot() as adapter:
        adapter.assistant.pipeline.handoff = desk
        adapter.assistant.on_release_switched()  # the pipeline now knows a human desk exists
        await fake.send_text(GROUP, ANN, f"@{BOT_USERNAME} I want to talk to a human", kind="supergroup", thread_id=9)
        await fake.wait_for(lambda: len(fake.shown(GROUP)) == 1)
        await settle(fake)
        await fake.send_text(GROUP, ANN, f"@{BOT_USERNAME} my order never arrived", kind="supergroup", thread_id=9)
        await settle(fake)
        assert desk.relayed == ["my order never arrived"]
        assert len(fake.shown(GROUP)) == 1  # the bot stays silent while staff handle it

        channel = TelegramShopperChannel(adapter.sender)
        await channel.send(str(GROUP), "9", "Hi, this is Mia from the shop <team> & I'm on it.")
    assert fake.texts(GROUP, thread_id=9) == [
        "Sure — a colleague will reply here shortly. While they're on it, I'll stay quiet.",
        "Hi, this is Mia from the shop <team> & I'm on it.",
    ]


async def test_a_second_instance_exits_on_409_conflict(fake: FakeBotApi, make_adapter: AdapterFactory) -> None:
    fake.conflict()
    code = await asyncio.wait_for(run_telegram(make_adapter()), 20)
    assert code == EXIT_CONFLICT
    assert len(fake.calls_to("getUpdates")) <= 3  # it stopped instead of retrying in a loop


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_refuses_requests_without_the_secret(fake: FakeBotApi, make_adapter: AdapterFactory) -> None:
    port = free_port()
    update: dict[str, Any] = {"update_id": 1, "message": fake.message(3001, 3001, "/help")}
    adapter = make_adapter()
    if True:
        async with adapter.webhook(
            url="https://shop.example.com/tg/hook", listen="127.0.0.1", port=port, url_path="tg/hook", secret="s3cret"
        ):
            assert fake.webhook_url == "https://shop.example.com/tg/hook" and fake.webhook_secret == "s3cret"
            async with httpx.AsyncClient() as client:
                url = f"http://127.0.0.1:{port}/tg/hook"
                body = json.dumps(update)
                headers = {"Content-Type": "application/json"}
                missing = await client.post(url, content=body, headers=headers)
                wrong = await client.post(
                    url, content=body, headers={**headers, "X-Telegram-Bot-Api-Secret-Token": "guess"}
                )
                await asyncio.sleep(0.3)
                assert (missing.status_code, wrong.status_code) == (403, 403)
                assert fake.shown(3001) == []
                right = await client.post(
                    url, content=body, headers={**headers, "X-Telegram-Bot-Api-Secret-Token": "s3cret"}
                )
                assert right.status_code == 200
                await fake.wait_for(lambda: len(fake.shown(3001)) == 1)
    assert fake.texts(3001)[0].startswith("Ask me things like")
