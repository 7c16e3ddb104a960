"""What a Telegram shopper sees while an answer streams: checked sentences only, never an edit taking text back."""

from __future__ import annotations

import re

import pytest

from assistant.llm.scripted import ScriptedGenerator
from bots.telegram.streamer import STREAMING_CURSOR
from shopguide_testkit.fake_bot_api import FakeBotApi
from shopguide_testkit.tg_harness import BotFactory

pytestmark = pytest.mark.integration  # a loopback fake Bot API server

SHOPPER = 1001
LIAR = "Stridex AeroRun 2 is a light road shoe. It weighs 999 g. It costs ¥459. It comes in white."


def visible(raw: str) -> str:
    text = re.sub(r"<[^>]+>", "", raw)
    return text.removesuffix(STREAMING_CURSOR).replace("&amp;", "&").strip()


async def test_every_version_of_the_answer_extends_the_one_before(fake: FakeBotApi, run_bot: BotFactory) -> None:
    generator = ScriptedGenerator(LIAR, chunk_chars=4, delay_s=0.05)
    async with run_bot(generator=generator, edit_interval_s=0.2):
        await fake.send_text(SHOPPER, SHOPPER, "details SG-RUN-0001")
        await fake.wait_for(lambda: any(c.method == "sendMessage" for c in fake.calls_to_chat(SHOPPER)))
        await fake.wait_until_quiet(1.0)
    answer = fake.shown(SHOPPER)[-1]
    assert answer.text == "Stridex AeroRun 2 is a light road shoe. It costs ¥459. It comes in white."
    writes = [
        visible(str(c.params.get("text", "")))
        for c in fake.calls_to_chat(SHOPPER)
        if c.method in ("sendMessage", "editMessageText")
        and str(c.params.get("message_id", "")) in ("", str(answer.message_id))
    ]
    versions = [w for w in writes if w.startswith("Stridex AeroRun 2 is")]
    assert len(versions) >= 2, "the answer streamed in more than one write"
    for version in versions:
        assert "999" not in version
        assert answer.text.startswith(version), (version, answer.text)
