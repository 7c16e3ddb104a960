"""Human handoff end to end through both real adapters: a Telegram shopper and a Slack staff thread.

Wired like production's two processes (``serve telegram`` and ``serve slack``) sharing one data
directory: each builds its own ``HandoffService`` over the same SQLite ticket and conversation stores.
The real python-telegram-bot app polls the loopback fake Bot API; the real slack-bolt app gets signed
requests and writes to the loopback fake Slack Web API.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.handoff import HandoffService, SQLiteTicketStore
from assistant.llm.scripted import ScriptedGenerator
from bots.slack.app import build_slack_bot
from bots.slack.desk import desk_from_settings
from bots.telegram.adapter import TelegramAdapter
from bots.telegram.channel import TelegramSendChannel
from knowledge.store import KnowledgeStore
from shopguide_testkit.fake_bot_api import WRITE_METHODS, FakeBotApi
from shopguide_testkit.fake_slack_api import FakeSlackApi
from shopguide_testkit.slack_harness import ADMIN, SIGNING_SECRET, SUPPORT_CHANNEL, SlackHarness
from shopguide_testkit.tg_harness import TEST_TOKEN

pytestmark = pytest.mark.integration  # loopback fake Bot API and Slack Web API servers

SHOPPER = 5150
PHONE = "13812345678"
STAFF = "USTAFF"


@dataclass
class TelegramProcess:
    """What ``shopguide serve telegram`` builds when Slack is configured."""

    adapter: TelegramAdapter
    assistant: Assistant
    handoff: HandoffService


def telegram_process(settings: Settings, store: KnowledgeStore) -> TelegramProcess:
    # bots/serve.py (serve telegram): handoff_desk, build_telegram_assistant, then the shopper channel.
    desk = desk_from_settings(settings)
    assert desk is not None, "Slack is configured, so the Telegram process must open tickets in Slack"
    handoff = HandoffService(SQLiteTicketStore(settings.handoff_db), desk=desk)
    assistant = build_assistant(settings, generator=ScriptedGenerator(), knowledge=store, handoff=handoff)
    handoff.bind_memory(assistant.memory)
    handoff.bind_retriever(assistant.catalog)
    adapter = TelegramAdapter(assistant, settings)
    handoff.register_channel(adapter.shopper_channel())
    return TelegramProcess(adapter, assistant, handoff)


async def slack_process(
    settings: Settings, store: KnowledgeStore, api: FakeSlackApi
) -> tuple[SlackHarness, TelegramSendChannel]:
    # bots/serve.py (build_slack_service): its own HandoffService on the shared ticket store, staff replies to
    # Telegram shoppers sent through the Bot API from this process.
    handoff = HandoffService(SQLiteTicketStore(settings.handoff_db))
    assistant = build_assistant(settings, generator=ScriptedGenerator(), knowledge=store)
    handoff.bind_memory(assistant.memory)
    handoff.bind_retriever(assistant.catalog)
    relay = TelegramSendChannel(settings.telegram_token.get_secret_value(), base_url=settings.telegram_api_base_url)
    handoff.register_channel(relay)
    bot = build_slack_bot(settings, assistant, handoff=handoff)
    harness = SlackHarness(api, bot, assistant, handoff, aiohttp.ClientSession(), settings)
    await bot.start_http("127.0.0.1", 0)
    return harness, relay


@dataclass
class RoundTrip:
    tg: FakeBotApi
    telegram: TelegramProcess
    slack: SlackHarness


@pytest.fixture
async def round_trip(tmp_path: Path, demo_store: KnowledgeStore) -> AsyncIterator[RoundTrip]:
    tg, slack_api = FakeBotApi(), FakeSlackApi()
    await tg.start()
    await slack_api.start()
    # One configuration for both processes, as both read the same environment.
    settings = Settings(
        data_dir=tmp_path,
        telegram_token=SecretStr(TEST_TOKEN),
        telegram_api_base_url=tg.base_url,
        slack_bot_token=SecretStr("xoxb-test-token"),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_support_channel=SUPPORT_CHANNEL,
        slack_api_url=slack_api.base_url,
        slack_update_interval_s=0.05,
        admin_ids=[f"slack:{ADMIN}"],
    )
    telegram = telegram_process(settings, demo_store)
    slack, relay = await slack_process(settings, demo_store, slack_api)
    try:
        async with telegram.adapter.polling(poll_timeout=5):
            yield RoundTrip(tg, telegram, slack)
    finally:
        await relay.aclose()
        await slack.aclose()  # also stops the fake Slack API and closes the Slack process's stores
        telegram.assistant.memory.close()
        telegram.handoff.tickets.close()
        await tg.stop()


def bot_writes(tg: FakeBotApi, since: int) -> list[str]:
    """Write calls (messages, photos, edits) the shopper's chat received after call number ``since``."""
    return [c.method for c in tg.calls_to_chat(SHOPPER)[since:] if c.method in WRITE_METHODS]


async def shopper_says(tg: FakeBotApi, text: str) -> int:
    """The shopper sends ``text``; returns the call count before it, to look at what followed."""
    before = len(tg.calls_to_chat(SHOPPER))
    await tg.send_text(SHOPPER, SHOPPER, text)
    return before


async def answered(tg: FakeBotApi, text: str) -> list[str]:
    """The shopper sends ``text`` and waits for the bot to finish; returns the new texts shown."""
    shown_before = len(tg.shown(SHOPPER))
    before = await shopper_says(tg, text)
    await tg.wait_for(lambda: bool(bot_writes(tg, before)))
    await tg.wait_until_quiet(1.2)  # longer than one streaming edit interval
    return [m.text for m in tg.shown(SHOPPER)[shown_before:]]


def posted(api: FakeSlackApi) -> str:
    """Everything the bot wrote to Slack, as the wire saw it."""
    return json.dumps([c.args for c in api.calls_of("chat.postMessage")], ensure_ascii=False)


async def test_telegram_shopper_is_handed_to_a_slack_thread_and_back(round_trip: RoundTrip) -> None:
    started = time.monotonic()
    tg, slack, api = round_trip.tg, round_trip.slack, round_trip.slack.api

    # 1. A product question (with a phone number in it) gets a normal answer: cards, then text.
    first = await answered(tg, f"tell me about SG-RUN-0001, you can text me on {PHONE}")
    assert len(first) >= 2 and any("¥" in t for t in first[:-1]), first
    assert "colleague" not in first[-1]
    assert api.calls_of("chat.postMessage") == []  # no ticket yet

    # 2. Asking for a human: the honest handoff text in Telegram, a ticket thread in the support channel.
    [handoff_text] = await answered(tg, "I want to talk to a human")
    assert "a colleague will reply here" in handoff_text
    await api.wait_for(lambda: len(api.channel_roots(SUPPORT_CHANNEL)) == 1)
    [opened] = api.calls_of("chat.postMessage")
    assert opened.args["channel"] == SUPPORT_CHANNEL and not opened.args.get("thread_ts")
    [root] = api.channel_roots(SUPPORT_CHANNEL)
    ticket_id = re.search(r"ticket (\w+)\)", root.text).group(1)  # type: ignore[union-attr]
    sections = "\n".join(b["text"]["text"] for b in root.blocks if b["type"] == "section")
    assert "Handoff from Telegram" in root.text and "I want to talk to a human" in sections
    assert "SG-RUN-0001" in sections.split("*Products discussed:*")[1]
    assert "[phone]" in sections  # the earlier turn is in the transcript, redacted
    assert PHONE not in posted(api)

    # 3. While handed off the bot is silent in Telegram; the shopper's words go to the ticket thread.
    before = await shopper_says(tg, f"where is my parcel? call {PHONE}")
    await api.wait_for(lambda: len(api.thread(SUPPORT_CHANNEL, root.ts)) == 1)
    assert api.thread(SUPPORT_CHANNEL, root.ts)[0].text == "*Shopper:* where is my parcel? call [phone]"
    await tg.wait_until_quiet(1.2)
    assert bot_writes(tg, before) == []
    assert PHONE not in posted(api)

    # 4. A staff reply in the thread, as a signed Events API request, reaches the shopper's chat.
    staff_text = "Hi, this is Mei from the shop. Your parcel ships tomorrow."
    delivery = await slack.channel_message(
        staff_text, user=STAFF, channel=SUPPORT_CHANNEL, ts="1700009000.000200", thread_ts=root.ts
    )
    assert delivery.status == 200
    await tg.wait_for(lambda: any(c.params.get("text") == staff_text for c in tg.calls_to("sendMessage", SHOPPER)))
    assert tg.texts(SHOPPER)[-1] == staff_text

    # 5. /shopguide resolve <ticket> hands the shopper back to the bot, and the shopper is told so.
    delivery = await slack.slash(f"resolve {ticket_id}", user=STAFF, channel=SUPPORT_CHANNEL, rid="resolve")
    assert delivery.status == 200
    await tg.wait_for(lambda: "shopping assistant" in tg.texts(SHOPPER)[-1])
    assert tg.texts(SHOPPER)[-1].startswith("Our colleague has handed you back")
    await api.wait_for(lambda: any(r["rid"] == "resolve" for r in api.responses))
    resolved_reply = next(r["text"] for r in api.responses if r["rid"] == "resolve")
    assert "the shopper is back with the bot" in resolved_reply
    assert "&lt;" not in resolved_reply, "no escaped mention markup shown to staff"
    await api.wait_for(lambda: any("Resolved by" in m.text for m in api.thread(SUPPORT_CHANNEL, root.ts)))

    # ... and the next question gets a normal bot answer in Telegram, no longer relayed to the thread.
    thread_before = len(api.thread(SUPPORT_CHANNEL, root.ts))
    back = await answered(tg, "tell me about SG-RUN-0002")
    assert len(back) >= 2 and any("¥" in t for t in back[:-1]), back
    assert "colleague" not in back[-1]
    assert len(api.thread(SUPPORT_CHANNEL, root.ts)) == thread_before
    assert time.monotonic() - started < 20
