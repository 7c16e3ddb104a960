"""The streamer against the fake through the real PTB Bot: long answers, replaced text, deleted messages."""

from __future__ import annotations

import asyncio

import pytest

from assistant.llm.scripted import ScriptedGenerator
from bots.telegram.limits import MAX_MESSAGE_LENGTH
from bots.telegram.sender import ChatTarget
from bots.telegram.streamer import STREAMING_CURSOR, StreamedAnswer
from shopguide_testkit.fake_bot_api import FakeBotApi, utf16_len
from shopguide_testkit.tg_harness import BotFactory

pytestmark = pytest.mark.integration  # a loopback fake Bot API server

CHAT = 6001


def paragraphs(count: int) -> list[str]:
    return [f"Paragraph {n}: " + "Returns are free within 30 days & easy <really>. " * 9 for n in range(count)]


async def test_a_long_streamed_answer_continues_in_new_messages_split_between_paragraphs(
    fake: FakeBotApi, run_bot: BotFactory
) -> None:
    parts = paragraphs(20)  # about 9,000 characters
    async with run_bot() as adapter:
        stream = StreamedAnswer(adapter.sender, ChatTarget(CHAT), interval_s=0.2)
        for paragraph in parts:
            stream.append(paragraph.strip() + "\n\n")
            await asyncio.sleep(0.03)
        await stream.finish()
    shown = fake.shown(CHAT)
    assert len(shown) == 3
    assert all(utf16_len(m.text) <= MAX_MESSAGE_LENGTH for m in shown)
    assert all(m.text.startswith("Paragraph") and m.text.endswith("<really>.") for m in shown)
    assert "\n\n".join(m.text for m in shown) == "\n\n".join(p.strip() for p in parts)
    assert not any(m.text.endswith(STREAMING_CURSOR) for m in shown)
    assert all(m.parse_mode == "HTML" and "&lt;really&gt;" in m.raw for m in shown)


async def test_replaced_text_edits_in_place_and_removes_parts_no_longer_needed(
    fake: FakeBotApi, run_bot: BotFactory
) -> None:
    async with run_bot() as adapter:
        stream = StreamedAnswer(adapter.sender, ChatTarget(CHAT), interval_s=0.2)
        stream.append("\n\n".join(p.strip() for p in paragraphs(12)))
        await fake.wait_for(lambda: len(fake.shown(CHAT)) == 2)
        stream.replace("Sorry, let me correct that: returns are free within 30 days.")
        await stream.finish()
    assert fake.texts(CHAT) == ["Sorry, let me correct that: returns are free within 30 days."]
    assert len(fake.calls_to("deleteMessage", CHAT)) == 1


async def test_if_the_shopper_deletes_the_message_mid_stream_the_answer_still_arrives(
    fake: FakeBotApi, run_bot: BotFactory
) -> None:
    text = "Stridex AeroRun 2 is a light daily trainer for road running with medium cushioning."
    async with run_bot(generator=ScriptedGenerator(text=text, chunk_chars=5, delay_s=0.08)):
        await fake.send_text(CHAT, CHAT, "details SG-RUN-0001")
        await fake.wait_for(lambda: len(fake.shown(CHAT)) == 2)
        fake.shown(CHAT)[-1].deleted = True
        await fake.wait_for(lambda: len(fake.shown(CHAT)) == 2, within=10)
        await fake.wait_until_quiet(1.2)
    assert fake.shown(CHAT)[-1].text == text
