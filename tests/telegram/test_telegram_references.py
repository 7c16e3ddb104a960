"""Typing "2" or "第二个" after a list of cards in Telegram shows the second product, not the generic menu."""

from __future__ import annotations

import pytest

from shopguide_testkit.fake_bot_api import FakeBotApi
from shopguide_testkit.tg_harness import BotFactory

pytestmark = pytest.mark.integration  # a loopback fake Bot API server

SHOPPER = 1001


async def ask(fake: FakeBotApi, text: str, chat: int) -> None:
    before = len(fake.shown(chat))
    await fake.send_text(chat, chat, text)
    await fake.wait_for(lambda: len(fake.shown(chat)) > before)
    await fake.wait_until_quiet(0.6)


def card_names(fake: FakeBotApi, chat: int) -> list[str]:
    """The cards come first, the written answer last."""
    return [m.text.split("\n")[0] for m in fake.shown(chat)[:-1]]


@pytest.mark.parametrize(
    ("listing", "pick"), [("running shoes under 500 for road running", "2"), ("推荐跑鞋500以内", "第二个")]
)
async def test_a_number_after_cards_shows_that_product(
    fake: FakeBotApi, run_bot: BotFactory, listing: str, pick: str
) -> None:
    chat = SHOPPER + len(pick)
    async with run_bot():
        await ask(fake, listing, chat)
        listed = card_names(fake, chat)
        assert len(listed) >= 2
        # 👍/👎 quick replies are shown under the answer: a typed number still means the product.
        labels = [label for m in fake.shown(chat) for row in m.button_labels for label in row]
        assert "👍" in labels and "👎" in labels
        count = len(fake.shown(chat))
        await ask(fake, pick, chat)
    new = fake.shown(chat)[count:]
    texts = "\n".join(m.text for m in new)
    assert listed[1] in texts
    assert "What are you shopping for" not in texts and "您想买点什么" not in texts
    assert "I won't suggest those again" not in texts and "这些我不会再推荐了" not in texts
