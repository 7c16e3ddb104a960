from __future__ import annotations

from fake_bot_api import FakeBotApi
from tg_harness import BotFactory


async def test_private_question_gets_cards_and_answer(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await fake.send_text(100, 100, "running shoes under 500 for road running")
        await fake.wait_for(lambda: len(fake.calls_to("sendMessage", 100)) >= 2)
        await fake.wait_until_quiet(1.2)
    for m in fake.shown(100):
        print(repr(m.text), m.button_labels, m.edits)
    print([c.method for c in fake.calls])
