"""A shopper's profile in chat: kept across conversations and restarts, used to skip a question it already
knows (and say so), never recommending what they dislike, never used in a group chat; reactions refine."""

from __future__ import annotations

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.llm.scripted import ScriptedGenerator
from assistant.personal.profile import SQLiteProfileStore
from assistant.types import IncomingMessage
from knowledge.models import Product
from knowledge.store import KnowledgeStore


def dm(text: str, user: str = "501") -> IncomingMessage:
    """A private Telegram chat: the chat id is the user's id."""
    return IncomingMessage(platform="telegram", chat_id=user, user_id=user, text=text)


def group(text: str, user: str = "501") -> IncomingMessage:
    return IncomingMessage(platform="telegram", chat_id="-100200", user_id=user, text=text)


def catalog(assistant: Assistant) -> dict[str, Product]:
    return {p.sku: p for p in assistant.catalog.all_products()}


async def test_budget_remembered_across_reset_and_restart_skips_the_question(
    settings: Settings, demo_store: KnowledgeStore
) -> None:
    first = build_assistant(settings, generator=ScriptedGenerator(), knowledge=demo_store)
    await first.ask(dm("running shoes under 800"))
    first.reset(dm(""))
    await first.aclose()
    again = build_assistant(settings, generator=ScriptedGenerator(), knowledge=demo_store)
    reply = await again.ask(dm("I need running shoes"))
    assert reply.text.startswith("You usually look under ¥800 for running shoes — still right?")
    assert reply.cards, "the known budget answers the question it would have asked"
    prices = {c.price for c in reply.cards}
    assert all(p is not None and p <= 800 for p in prices)
    zh = await again.ask(dm("我想买跑鞋", user="502"))
    assert not zh.cards and zh.choices, "another shopper's budget is not this one's"
    await again.aclose()


async def test_a_disliked_brand_is_never_recommended(scripted_assistant: Assistant) -> None:
    products = catalog(scripted_assistant)
    reply = await scripted_assistant.ask(dm("I don't like Lumo. Show me headphones under 2000"))
    assert reply.cards
    assert all(c.brand != "Lumo" for c in reply.cards)
    later = await scripted_assistant.ask(dm("the cheapest headphones"))
    assert later.cards and all(c.brand != "Lumo" for c in later.cards)
    assert all(products[c.sku].brand != "Lumo" for c in later.cards)
    zh = await scripted_assistant.ask(dm("不要红色的，推荐一款1000元以内的背包", user="503"))
    assert zh.cards and all(products[c.sku].attributes.get("color") != "red" for c in zh.cards)


async def test_profile_is_not_used_or_shown_in_a_group_chat(scripted_assistant: Assistant) -> None:
    await scripted_assistant.ask(dm("running shoes under 800"))
    reply = await scripted_assistant.ask(group("I need running shoes"))
    assert "usually" not in reply.text
    assert "Profiles are only shown in a private chat" in scripted_assistant.profile(group("/profile"))
    assert "running_shoes" in scripted_assistant.profile(dm("/profile"))


async def test_something_else_and_thumbs_down_refine_the_next_suggestion(scripted_assistant: Assistant) -> None:
    first = await scripted_assistant.ask(dm("backpacks under 1000"))
    shown = {c.sku for c in first.cards}
    assert shown
    other = await scripted_assistant.ask(dm("show me something else"))
    assert other.cards and not shown & {c.sku for c in other.cards}
    thanks = scripted_assistant.react(dm(""), "down")
    assert "won't suggest those again" in thanks
    third = await scripted_assistant.ask(dm("backpacks under 1000"))
    seen = shown | {c.sku for c in other.cards}
    assert third.cards and not seen & {c.sku for c in third.cards}


async def test_forget_erases_profile_history_and_feedback(settings: Settings, scripted_assistant: Assistant) -> None:
    await scripted_assistant.ask(dm("running shoes under 800"))
    scripted_assistant.react(dm(""), "up")
    text, erased = scripted_assistant.forget(dm("/forget"))
    assert "erased" in text
    assert erased.profiles == 1 and erased.feedback == 1
    assert scripted_assistant.profile(dm("/profile")) == "I keep nothing about you yet."
    store = SQLiteProfileStore(settings.memory_db)
    assert store.load("telegram:501").preferences == []
    assert store.feedback_since(0) == []
    store.close()


async def test_personalisation_off_keeps_nothing(settings: Settings, demo_store: KnowledgeStore) -> None:
    off = build_assistant(
        settings.model_copy(update={"personalisation": False}), generator=ScriptedGenerator(), knowledge=demo_store
    )
    await off.ask(dm("running shoes under 800"))
    off.reset(dm(""))
    reply = await off.ask(dm("I need running shoes"))
    assert "usually" not in reply.text and not reply.cards
    assert off.profile(dm("/profile")) == "This shop does not keep shopper profiles."
    store = SQLiteProfileStore(settings.memory_db)
    assert store.load("telegram:501").preferences == []
    store.close()
    await off.aclose()
