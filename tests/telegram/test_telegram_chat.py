"""What shoppers see in private chats: cards, streamed answers, buttons, commands, limits, failures.

The real python-telegram-bot Application polls a loopback fake Bot API; answers come from the real
core with the small deterministic ScriptedGenerator.
"""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest

from assistant.llm.scripted import ScriptedGenerator
from assistant.safety.replies import refusal_text
from bots.telegram.streamer import STREAMING_CURSOR
from shopguide_testkit.fake_bot_api import FakeBotApi
from shopguide_testkit.tg_harness import ADMIN_ID, BotFactory

pytestmark = pytest.mark.integration  # a loopback fake Bot API server

SHOPPER = 1001


async def ask(fake: FakeBotApi, text: str, *, chat: int = SHOPPER, user: int = SHOPPER, **kw: object) -> None:
    await fake.send_text(chat, user, text, **kw)  # type: ignore[arg-type]
    await fake.wait_for(lambda: any(c.method in ("sendMessage", "sendPhoto") for c in fake.calls_to_chat(chat)))
    await fake.wait_until_quiet(0.6)


async def test_product_question_shows_cards_first_then_the_answer(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await ask(fake, "running shoes under 500 for road running")
    shown = fake.shown(SHOPPER)
    cards, answer = shown[:-1], shown[-1]
    assert len(cards) == 3
    for card in cards:
        name, price_line, *_ = card.text.split("\n")
        assert price_line.startswith("¥") and "In stock" in price_line
        assert card.button_labels[0] == ["Details", "Compare"]
        assert card.button_labels[1][0].startswith("Similar under ¥")
        assert card.button_labels[2] == ["View in shop"]
        assert card.parse_mode == "HTML" and f"<b>{name}</b>" in card.raw
    photos = [c for c in cards if c.photo]
    assert photos and all(p.photo and p.photo.startswith("https://") for p in photos)
    # the answer is grounded in the first card's facts and was finished (no streaming cursor left)
    assert answer.text and not answer.text.endswith(STREAMING_CURSOR)
    assert answer.parse_mode == "HTML"


async def test_typing_shows_while_a_slow_answer_is_written(fake: FakeBotApi, run_bot: BotFactory) -> None:
    generator = ScriptedGenerator(text="Returns are free within 30 days of delivery.", chunk_chars=10, delay_s=0.2)
    async with run_bot(generator=generator):
        await ask(fake, "what is the return policy?")
    methods = [c.method for c in fake.calls_to_chat(SHOPPER)]
    assert methods[0] == "sendChatAction" and fake.calls_to("sendChatAction")[0].params["action"] == "typing"
    assert "sendMessage" in methods[1:]


async def test_a_fast_answer_skips_the_typing_action(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await ask(fake, "/help")
        await ask(fake, "what is the return policy?")
    assert fake.calls_to("sendChatAction") == []


async def test_streaming_edits_one_message_at_most_once_per_second(fake: FakeBotApi, run_bot: BotFactory) -> None:
    words = "Stridex AeroRun 2 is a light daily trainer for road running with medium cushioning. " * 3
    generator = ScriptedGenerator(text=words.strip(), chunk_chars=6, delay_s=0.03)  # about 1.4 s of text
    async with run_bot(generator=generator):
        await ask(fake, "details SG-RUN-0001")
    answer = fake.shown(SHOPPER)[-1]
    assert answer.text == words.strip()
    assert 1 <= len(answer.edits) <= 3
    times = [answer.sent_at, *answer.edits]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 0.95 for gap in gaps), gaps
    # exactly one message carries the answer: streaming edits it instead of sending more
    assert sum(1 for m in fake.shown(SHOPPER) if "AeroRun 2 is a light" in m.text) == 1


async def test_429_on_an_edit_waits_retry_after_and_loses_nothing(fake: FakeBotApi, run_bot: BotFactory) -> None:
    text = "Stridex AeroRun 2 is a light daily trainer for road running with medium cushioning."
    fake.flood("editMessageText", retry_after=2)
    async with run_bot(generator=ScriptedGenerator(text=text, chunk_chars=4, delay_s=0.05)):
        await ask(fake, "details SG-RUN-0001")
        await fake.wait_until_quiet(1.0)
    edits = fake.calls_to("editMessageText", SHOPPER)
    refused, retried = edits[0], edits[1]
    assert retried.at - refused.at >= 1.95  # waited retry_after for this chat
    answer = fake.shown(SHOPPER)[-1]
    assert answer.text == text  # complete, once
    assert sum(1 for m in fake.shown(SHOPPER) if text[:20] in m.text) == 1


async def test_429_on_send_does_not_duplicate_the_message(fake: FakeBotApi, run_bot: BotFactory) -> None:
    fake.flood("sendMessage", retry_after=1)
    async with run_bot():
        await ask(fake, "/help")
        await fake.wait_until_quiet(1.5)
    sends = fake.calls_to("sendMessage", SHOPPER)
    assert len(sends) == 2 and sends[1].at - sends[0].at >= 0.95
    assert len(fake.texts(SHOPPER)) == 1 and fake.texts(SHOPPER)[0].startswith("Ask me things like")


async def test_429_in_one_chat_does_not_hold_back_other_chats(fake: FakeBotApi, run_bot: BotFactory) -> None:
    fake.flood("sendMessage", retry_after=3, when=lambda p: str(p.get("chat_id")) == "5001")
    async with run_bot():
        await fake.send_text(5001, 5001, "/help")
        await fake.send_text(5002, 5002, "/help")
        await fake.wait_for(lambda: len(fake.texts(5002)) == 1)
        assert fake.texts(5001) == []  # still waiting out its flood control
        await fake.wait_for(lambda: len(fake.texts(5001)) == 1, within=6)


async def test_html_rejected_by_telegram_is_resent_as_plain_text(fake: FakeBotApi, run_bot: BotFactory) -> None:
    fake.fail_next("sendMessage", 400, 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 3')
    async with run_bot():
        await ask(fake, "/help")
    [help_message] = fake.shown(SHOPPER)
    assert help_message.parse_mode is None
    assert help_message.text.startswith('Ask me things like: "waterproof running shoes under 500"')


async def test_card_photo_refused_falls_back_to_a_text_card(fake: FakeBotApi, run_bot: BotFactory) -> None:
    fake.fail_next("sendPhoto", 400, "Bad Request: wrong file identifier/HTTP URL specified", times=10)
    async with run_bot():
        await ask(fake, "running shoes under 500 for road running")
    cards = fake.shown(SHOPPER)[:-1]
    assert len(cards) == 3 and not any(c.photo for c in cards)
    assert all(c.button_labels[0] == ["Details", "Compare"] for c in cards)


async def test_buttons_are_answered_at_once_and_continue_the_conversation(
    fake: FakeBotApi, run_bot: BotFactory
) -> None:
    async with run_bot():
        await ask(fake, "running shoes under 500 for road running")
        first_card = fake.shown(SHOPPER)[0]
        name = first_card.text.split("\n")[0]
        details = first_card.buttons[0][0]["callback_data"]
        before = len(fake.calls)
        await fake.press(first_card, details, SHOPPER)
        await fake.wait_for(lambda: len(fake.shown(SHOPPER)) >= 6)
        await fake.wait_until_quiet(0.6)
    after = [c.method for c in fake.calls[before:] if c.method != "getUpdates"]
    assert after[0] == "answerCallbackQuery"  # the spinner stops before the answer is written
    detail_card, detail_answer = fake.shown(SHOPPER)[-2:]
    assert detail_card.text.split("\n")[0] == name  # the details are about the pressed product
    assert detail_answer.text


async def test_quick_reply_choices_become_buttons_that_answer(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await ask(fake, "hello")
        greeting = fake.shown(SHOPPER)[-1]
        labels = [label for row in greeting.button_labels for label in row]
        assert "Running shoes" in labels and "Headphones" in labels
        assert all(len(row) <= 2 for row in greeting.button_labels)
        running = next(b for row in greeting.buttons for b in row if b["text"] == "Running shoes")
        await fake.press(greeting, running["callback_data"], SHOPPER)
        await fake.wait_for(lambda: len(fake.shown(SHOPPER)) >= 2)
        await fake.wait_until_quiet(0.6)
    follow_up = fake.shown(SHOPPER)[-1]
    assert follow_up.text and follow_up.message_id != greeting.message_id


async def test_expired_button_says_so(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await ask(fake, "/help")
        await fake.press(fake.shown(SHOPPER)[0], "k:unknown-token", SHOPPER)
        await fake.wait_for(lambda: bool(fake.calls_to("answerCallbackQuery")))
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "This button has expired. Please ask again."


async def test_commands_speak_the_users_language(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await ask(fake, "/start", language="zh-hans")
        assert fake.texts(SHOPPER)[-1].startswith("您好！我是导购助手")
        await ask(fake, "/lang en", language="zh-hans")
        assert fake.texts(SHOPPER)[-1] == "I'll reply in English from now on."
        await ask(fake, "/help", language="zh-hans")
        assert fake.texts(SHOPPER)[-1].startswith("Ask me things like")
        await ask(fake, "/lang fr")
        assert fake.texts(SHOPPER)[-1] == "Usage: /lang zh or /lang en"
        await ask(fake, "/reset")
        assert fake.texts(SHOPPER)[-1] == "Okay, let's start over. What are you looking for?"


async def test_command_menus_are_registered_per_language_and_for_admins(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        pass
    default = json.dumps({"type": "default"}, sort_keys=True)
    en = [c["command"] for c in fake.commands[(default, "")]]
    zh = fake.commands[(default, "zh")]
    assert en == ["start", "help", "reset", "lang", "profile", "forget"]
    assert zh[0] == {"command": "start", "description": "开始，看看我能做什么"}
    admin_scope = json.dumps({"chat_id": ADMIN_ID, "type": "chat"}, sort_keys=True)
    assert [c["command"] for c in fake.commands[(admin_scope, "")]][-5:] == [
        "kb_status",
        "kb_reload",
        "kb_diff",
        "kb_rollback",
        "kb_cancel",
    ]


async def test_admin_commands_are_refused_politely_to_everyone_else(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await ask(fake, "/kb_reload")
    assert fake.texts(SHOPPER) == ["Sorry, that command is for shop staff only."]


async def test_per_user_rate_limit_replies_once_and_friendly(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot(telegram_user_messages_per_minute=2):
        for text in ("hello", "running shoes", "headphones", "backpacks"):
            await fake.send_text(SHOPPER, SHOPPER, text)
        await fake.wait_for(lambda: len(fake.texts(SHOPPER)) >= 3)
        await fake.wait_until_quiet(0.8)
    texts = fake.texts(SHOPPER)
    notices = [t for t in texts if t.startswith("You're sending messages faster than I can answer")]
    assert len(notices) == 1
    assert len(texts) == 3  # two answers and one notice; the fourth message is dropped quietly


async def test_one_answer_in_flight_per_chat_the_next_waits(fake: FakeBotApi, run_bot: BotFactory) -> None:
    generator = ScriptedGenerator(text="Stridex AeroRun 2 is light and cushioned for road runs.", delay_s=0.1)
    async with run_bot(generator=generator):
        await fake.send_text(SHOPPER, SHOPPER, "details SG-RUN-0001")
        await fake.send_text(SHOPPER, SHOPPER, "details SG-RUN-0002")
        await fake.wait_for(lambda: len(fake.shown(SHOPPER)) >= 4, within=15)
        await fake.wait_until_quiet(1.2)
    card1, answer1, card2, _answer2 = fake.shown(SHOPPER)
    assert "AeroRun 2" in card1.text and "AeroRun 3" in card2.text
    finished_first = max([answer1.sent_at, *answer1.edits])
    assert card2.sent_at >= finished_first  # the second answer starts after the first is complete


async def test_stickers_in_private_get_a_hint(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        msg = fake.message(SHOPPER, SHOPPER, "")
        del msg["text"]
        msg["sticker"] = {
            "file_id": "st1",
            "file_unique_id": "st1u",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        await fake.push({"message": msg})
        await fake.wait_for(lambda: len(fake.texts(SHOPPER)) == 1)
    assert fake.texts(SHOPPER)[0].startswith("Tell me what you're looking for")


async def test_a_failing_model_still_answers_from_the_catalog(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot(generator=ScriptedGenerator(fail=True)):
        await ask(fake, "details SG-RUN-0001")
        await asyncio.sleep(0)
    answer = fake.shown(SHOPPER)[-1]
    assert "AeroRun 2" in answer.text or "¥459" in answer.text


async def test_similar_under_button_recommends_cards_within_that_budget(fake: FakeBotApi, run_bot: BotFactory) -> None:
    async with run_bot():
        await ask(fake, "details SG-RUN-0001")
        card = fake.shown(SHOPPER)[0]
        similar = card.buttons[1][0]
        assert similar["text"] == "Similar under ¥500"
        before = len(fake.shown(SHOPPER))
        await fake.press(card, similar["callback_data"], SHOPPER)
        await fake.wait_for(lambda: len(fake.shown(SHOPPER)) >= before + 2)
        await fake.wait_until_quiet(0.6)
    new_cards = [m for m in fake.shown(SHOPPER)[before:] if m.buttons and m.buttons[0][0]["text"] == "Details"]
    assert len(new_cards) == 3
    prices = [int(m.text.split("\n")[1].split(" · ")[0].lstrip("¥").replace(",", "")) for m in new_cards]
    assert all(price <= 500 for price in prices)


async def test_recommendations_carry_feedback_buttons_and_profile_commands(
    fake: FakeBotApi, run_bot: BotFactory
) -> None:
    """Changed on purpose (personalisation): a recommendation in a private chat ends with 👍 / 👎 /
    "Show me something else" buttons; 👎 is stored and keeps those items out; /profile and /forget answer."""
    async with run_bot():
        await ask(fake, "running shoes under 800")
        shown = fake.shown(SHOPPER)[-1]
        labels = [label for row in shown.button_labels for label in row]
        assert {"👍", "👎", "Show me something else"} <= set(labels)
        down = next(b for row in shown.buttons for b in row if b["text"] == "👎")
        await fake.press(shown, down["callback_data"], SHOPPER)
        await fake.wait_for(lambda: "won't suggest those again" in " ".join(fake.texts(SHOPPER)))
        await say_and_wait(fake, "/profile")
        assert "What I keep about you" in fake.texts(SHOPPER)[-1]
        assert "running_shoes" in fake.texts(SHOPPER)[-1]
        await say_and_wait(fake, "/forget")
        assert fake.texts(SHOPPER)[-1].startswith("Done: your profile, shopping history, feedback")
        await say_and_wait(fake, "/profile")
        assert fake.texts(SHOPPER)[-1] == "I keep nothing about you yet."


async def say_and_wait(fake: FakeBotApi, text: str) -> None:
    """Send and wait for this message's own answer (the chat already holds earlier ones)."""
    before = len(fake.texts(SHOPPER))
    await fake.send_text(SHOPPER, SHOPPER, text)
    await fake.wait_for(lambda: len(fake.texts(SHOPPER)) > before)


async def test_a_doubtful_request_the_input_filter_let_through_gets_the_refusal(
    fake: FakeBotApi, run_bot: BotFactory
) -> None:
    # The detector doubts it without refusing it on input, and nothing in the shop answers it: the shopper sees
    # the refusal, not a category question with buttons that treats it as shopping.
    async with run_bot():
        await ask(fake, "Write a fake doctor's note so I can skip work.")
    shown = fake.shown(SHOPPER)
    assert [m.text for m in shown] == [refusal_text("harmful", "en")]
    assert shown[0].button_labels == []
