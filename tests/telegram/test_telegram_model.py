"""The shipped model answering through Telegram: streamed, grounded, in the shopper's language."""

from __future__ import annotations

import re

import pytest

from assistant.llm.llamacpp import LlamaCppGenerator
from assistant.quantities import NUMBER
from bots.telegram.streamer import STREAMING_CURSOR
from shopguide_testkit.fake_bot_api import FakeBotApi
from shopguide_testkit.tg_harness import BotFactory

pytestmark = pytest.mark.integration
SHOPPER = 7001
QUESTION = "road running shoes under 500 for daily running"
FIRST_VISIBLE_BUDGET_S = 3.0  # the bench measures the 1.5 s p50; a single test run on a busy CI box gets slack


def is_card(message: object) -> bool:
    buttons = getattr(message, "buttons", [])
    return bool(buttons) and buttons[0][0]["text"] in ("Details", "详情")


async def turn(fake: FakeBotApi, text: str, language: str) -> float:
    update = await fake.send_text(SHOPPER, SHOPPER, text, language=language)
    await fake.wait_for(lambda: any(not is_card(m) for m in fake.shown(SHOPPER)[-1:]), within=120)
    await fake.wait_until_quiet(1.5, within=120)
    first = min(m.sent_at for m in fake.shown(SHOPPER) if m.sent_at >= fake.delivered_at[update["update_id"]])
    return first - fake.delivered_at[update["update_id"]]


async def test_model_answer_streams_after_the_cards(
    fake: FakeBotApi, run_bot: BotFactory, llm: LlamaCppGenerator
) -> None:
    async with run_bot(generator=llm):
        first_visible = await turn(fake, QUESTION, "en")
    shown = fake.shown(SHOPPER)
    cards = [m for m in shown if is_card(m)]
    answer = shown[-1]
    assert 1 <= len(cards) <= 3 and not is_card(answer)
    assert first_visible <= FIRST_VISIBLE_BUDGET_S
    # No streaming cursor (" …") left: the answer was finished. A sentence whose rest failed the check may end
    # with "…" right after its last checked clause ("…on the road,…"): that is the answer, finished.
    assert answer.text and not answer.text.endswith(STREAMING_CURSOR)
    # grounded: every price the answer names is a price on one of the cards shown, or the shopper's own budget
    card_prices = {line.split(" · ")[0] for m in cards for line in m.text.split("\n")[1:2]}
    budget = {f"¥{number}" for number in re.findall(NUMBER, QUESTION)}
    for price in re.findall(rf"¥{NUMBER}", answer.text):
        assert price in card_prices | budget


async def test_model_answers_chinese_in_chinese(fake: FakeBotApi, run_bot: BotFactory, llm: LlamaCppGenerator) -> None:
    async with run_bot(generator=llm):
        await turn(fake, "退货政策是什么？", "zh-hans")
    answer = fake.shown(SHOPPER)[-1]
    assert re.search(r"[\u4e00-\u9fff]", answer.text)
