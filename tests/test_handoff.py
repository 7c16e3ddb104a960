"""Human handoff: the core service alone, then the full round trip Telegram fake ↔ Slack fake.

The Telegram side uses ``bots.telegram.channel.TelegramSendChannel`` (python-telegram-bot's ``Bot`` with
``base_url`` pointed at a loopback fake Bot API) as the shopper's ``ShopperChannel``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from assistant.conversation import ConversationState, SQLiteConversationStore
from assistant.handoff import HandoffService, HandoffTicket, SQLiteTicketStore, TicketBrief
from assistant.llm.scripted import ScriptedGenerator
from assistant.types import IncomingMessage
from bots.telegram.channel import TelegramSendChannel
from knowledge.store import KnowledgeStore
from shopguide_testkit.fake_slack_api import FakeTelegramApi
from shopguide_testkit.slack_harness import SUPPORT_CHANNEL, SlackHarness, start_harness

TG_TOKEN = "123456:TEST-token"


class NotebookDesk:
    """A real, tiny StaffDesk that keeps tickets in lists (what a paper notebook at the desk would do)."""

    def __init__(self) -> None:
        self.briefs: list[TicketBrief] = []
        self.lines: list[tuple[str, str]] = []

    async def open_ticket(self, brief: TicketBrief) -> str:
        self.briefs.append(brief)
        return f"notebook:{len(self.briefs)}"

    async def post_shopper_message(self, ticket: HandoffTicket, text: str) -> None:
        self.lines.append((ticket.ticket_id, text))

    async def post_notice(self, ticket: HandoffTicket, text: str) -> None:
        self.lines.append((ticket.ticket_id, f"notice: {text}"))


class InboxChannel:
    platform = "telegram"

    def __init__(self) -> None:
        self.inbox: list[tuple[str, str | None, str]] = []

    async def send(self, chat_id: str, thread_id: str | None, text: str) -> None:
        self.inbox.append((chat_id, thread_id, text))


def _shopper(text: str) -> IncomingMessage:
    return IncomingMessage(platform="telegram", chat_id="4242", user_id="777", text=text)


async def test_service_opens_relays_and_resolves(tmp_path: Path) -> None:
    memory = SQLiteConversationStore(tmp_path / "memory.sqlite3")
    desk, inbox = NotebookDesk(), InboxChannel()
    service = HandoffService(SQLiteTicketStore(tmp_path / "t.sqlite3"), desk=desk, channels=[inbox], memory=memory)
    message = _shopper("human please, call me on 13812345678 or mail a.b@example.com")
    state = memory.load(message.conversation_key)
    state.add_turn("user", "my card is 4111 1111 1111 1111", 12)
    state.handoff = True
    memory.save(state)

    await service.open(message, state, "asked_for_human")
    [brief] = desk.briefs
    assert "13812345678" not in brief.question and "[phone]" in brief.question and "[email]" in brief.question
    assert brief.transcript[0].text == "my card is [card]"

    await service.relay_from_shopper(_shopper("still there? 13812345678"), state)
    ticket = service.ticket_for_desk_ref("notebook:1")
    assert ticket is not None and desk.lines == [(ticket.ticket_id, "still there? [phone]")]

    assert await service.relay_from_staff(ticket.ticket_id, "Hi, Anna here. Refund is on its way.")
    assert inbox.inbox[-1] == ("4242", None, "Hi, Anna here. Refund is on its way.")

    await service.resolve(ticket.ticket_id, by="slack:U9")
    assert memory.load(message.conversation_key).handoff is False
    assert "shopping assistant" in inbox.inbox[-1][2]
    assert await service.relay_from_staff(ticket.ticket_id, "late reply") is False

    # tickets survive a restart
    reopened = SQLiteTicketStore(tmp_path / "t.sqlite3")
    stored = reopened.get(ticket.ticket_id)
    assert stored is not None and stored.status == "resolved" and stored.desk_ref == "notebook:1"
    memory.close()


async def test_second_request_reuses_the_open_ticket(tmp_path: Path) -> None:
    desk = NotebookDesk()
    service = HandoffService(SQLiteTicketStore(":memory:"), desk=desk)
    message = _shopper("human")
    state = ConversationState(key=message.conversation_key)
    await service.open(message, state, "asked_for_human")
    await service.open(_shopper("human!!"), state, "asked_for_human")
    assert len(desk.briefs) == 1 and desk.lines[-1][1] == "human!!"


@pytest.fixture
async def round_trip(tmp_path: Path, demo_store: KnowledgeStore) -> AsyncIterator[tuple[SlackHarness, FakeTelegramApi]]:
    telegram = FakeTelegramApi(TG_TOKEN)
    base = await telegram.start()
    harness = await start_harness(tmp_path, demo_store, generator=ScriptedGenerator())
    channel = TelegramSendChannel(TG_TOKEN, base_url=base)
    harness.handoff.register_channel(channel)
    yield harness, telegram
    await channel.aclose()
    await harness.aclose()
    await telegram.stop()


async def test_round_trip_telegram_shopper_to_slack_staff_and_back(
    round_trip: tuple[SlackHarness, FakeTelegramApi],
) -> None:
    slack, telegram = round_trip
    assistant = slack.assistant
    # The shopper talks to the bot on Telegram (as the Telegram adapter would call the core) ...
    await assistant.ask(_shopper("tell me about SG-RUN-0001"))
    reply = await assistant.ask(_shopper("I want to talk to a human, call me at 13812345678"))
    assert reply.handoff and "colleague will reply here" in reply.text

    # ... a ticket thread opens in the support channel with redacted transcript, products and evidence.
    await slack.api.wait_for(lambda: len(slack.api.channel_roots(SUPPORT_CHANNEL)) == 1)
    [root] = slack.api.channel_roots(SUPPORT_CHANNEL)
    shown = " ".join(b.get("text", {}).get("text", "") for b in root.blocks if b["type"] == "section")
    assert "13812345678" not in shown and "[phone]" in shown
    assert "SG-RUN-0001" in shown and "Evidence the bot used" in shown and "¥" in shown
    assert root.blocks[-1]["elements"][0]["action_id"] == "sg_resolve"

    # While handed off the bot stays silent; the shopper's words go to the thread.
    silent = await assistant.ask(_shopper("where is my parcel?"))
    assert silent.text == "" and silent.handoff
    await slack.api.wait_for(lambda: len(slack.api.thread(SUPPORT_CHANNEL, root.ts)) == 1)
    assert slack.api.thread(SUPPORT_CHANNEL, root.ts)[0].text == "*Shopper:* where is my parcel?"

    # A staff reply in the thread reaches the shopper on Telegram.
    delivery = await slack.channel_message(
        "Hi! It ships tomorrow &amp; you'll get a tracking link.",
        user="USTAFF",
        channel=SUPPORT_CHANNEL,
        ts="1700009000.000200",
        thread_ts=root.ts,
    )
    assert delivery.status == 200
    await slack.api.wait_for(lambda: len(telegram.sent) == 1)
    assert telegram.sent[0]["text"] == "Hi! It ships tomorrow & you'll get a tracking link."
    assert int(telegram.sent[0]["chat_id"]) == 4242

    # Resolve (button) hands the shopper back to the bot.
    await slack.click(
        "sg_resolve",
        slack.handoff.tickets.list_open()[0].ticket_id,
        user="USTAFF",
        channel=SUPPORT_CHANNEL,
        message_ts=root.ts,
    )
    await slack.api.wait_for(lambda: len(telegram.sent) == 2)
    assert "shopping assistant" in telegram.sent[1]["text"]
    assert slack.handoff.tickets.list_open() == []
    back = await assistant.ask(_shopper("tell me about SG-RUN-0002"))
    assert back.text and not back.handoff


async def test_long_staff_replies_are_split_for_telegram(round_trip: tuple[SlackHarness, FakeTelegramApi]) -> None:
    slack, telegram = round_trip
    await slack.assistant.ask(_shopper("I want to talk to a human"))
    ticket = slack.handoff.tickets.list_open()[0]
    long_reply = "Here is everything about your order. " * 200
    assert await slack.handoff.relay_from_staff(ticket.ticket_id, long_reply)
    assert len(telegram.sent) >= 2 and all(len(m["text"]) <= 4096 for m in telegram.sent)
    assert " ".join(m["text"] for m in telegram.sent).split() == long_reply.split()
