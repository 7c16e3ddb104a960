"""A number or "the cheaper one" after a product list means one of the products just shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app import Assistant
from assistant.types import IncomingMessage, Intent
from bots.cli import app
from knowledge.models import Product
from knowledge.store import KnowledgeStore

SHOES = "running shoes under 500 for road running"
SHOES_ZH = "推荐跑鞋500以内"


def msg(text: str, user: str = "u1") -> IncomingMessage:
    return IncomingMessage(platform="test", chat_id="c1", user_id=user, text=text)


async def shown_then(assistant: Assistant, first: str, then: str, user: str) -> tuple[list[str], list[Product], str]:
    listed = await assistant.ask(msg(first, user))
    assert len(listed.cards) >= 2
    reply = await assistant.ask(msg(then, user))
    catalog = {p.sku: p for p in assistant.catalog.all_products()}
    return [c.sku for c in listed.cards], [catalog[c.sku] for c in reply.cards], reply.text


@pytest.mark.parametrize(
    ("first", "then", "pick"),
    [
        (SHOES, "2", 1),
        (SHOES, "#3", 2),
        (SHOES, "the second one", 1),
        (SHOES, "is number 1 in stock?", 0),
        (SHOES, "the last one", -1),
        (SHOES_ZH, "第二个", 1),
        (SHOES_ZH, "3号", 2),
        (SHOES_ZH, "最后一个有货吗？", -1),
    ],
)
async def test_a_position_picks_the_product_shown_there(
    scripted_assistant: Assistant, first: str, then: str, pick: int
) -> None:
    shown, products, text = await shown_then(scripted_assistant, first, then, user=f"u-{then}")
    assert [p.sku for p in products] == [shown[pick]]
    assert shown[pick] in text or products[0].display_name("zh") in text or products[0].name in text


@pytest.mark.parametrize(("first", "then"), [(SHOES, "the cheaper one"), (SHOES_ZH, "便宜的那个")])
async def test_the_cheaper_one_is_the_lowest_priced_shown(scripted_assistant: Assistant, first: str, then: str) -> None:
    shown, products, _ = await shown_then(scripted_assistant, first, then, user=f"u-{then}")
    prices = {p.sku: p.price for p in scripted_assistant.catalog.get_products(shown)}
    assert [p.sku for p in products] == [min(shown, key=lambda s: prices[s] or 0)]


async def test_a_number_keeps_the_conversation_language(scripted_assistant: Assistant) -> None:
    await scripted_assistant.ask(msg(SHOES_ZH, "zh-user"))
    reply = await scripted_assistant.ask(msg("2", "zh-user"))
    assert reply.language == "zh" and reply.intent is Intent.PRODUCT_INFO


async def test_a_number_beyond_the_list_is_not_a_product(scripted_assistant: Assistant) -> None:
    await scripted_assistant.ask(msg(SHOES, "far"))
    reply = await scripted_assistant.ask(msg("7", "far"))
    assert not reply.cards


async def test_a_number_answering_a_clarifying_question_is_not_a_product(scripted_assistant: Assistant) -> None:
    await scripted_assistant.ask(msg(SHOES, "clarify"))
    asked = await scripted_assistant.ask(msg("I need a laptop", "clarify"))
    assert asked.choices and not asked.cards  # a clarifying question is open
    reply = await scripted_assistant.ask(msg("2", "clarify"))
    assert all(c.category == "laptops" for c in reply.cards)


def _terminal(monkeypatch: pytest.MonkeyPatch, session_dir: Path, tmp_path: Path, typed: list[str]) -> list[str]:
    """What the terminal printed after each line the shopper typed."""
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(session_dir / "kb"))
    monkeypatch.setenv("SHOPGUIDE_LLM_BACKEND", "none")
    monkeypatch.setenv("SHOPGUIDE_MEMORY_DB", str(tmp_path / "memory.sqlite3"))
    result = CliRunner().invoke(app, ["chat"], input="\n".join([*typed, "/quit", ""]))
    assert result.exit_code == 0, result.output
    return result.output.split("you> ")[1:]


def _second_card(listed: str) -> str:
    second = next(line for line in listed.splitlines() if line.strip().startswith("2. "))
    return second.strip()[3:].split("  ")[0]


@pytest.mark.parametrize("pick", ["2", "the second one"])
def test_terminal_chat_picks_the_second_card(
    monkeypatch: pytest.MonkeyPatch, session_dir: Path, demo_store: KnowledgeStore, tmp_path: Path, pick: str
) -> None:
    # Under numbered cards a bare number is the product at that place, even with 👍/👎 quick replies shown:
    # those take letters.
    listed, answered = _terminal(monkeypatch, session_dir, tmp_path, [SHOES, pick])[:2]
    assert "[a] 👍" in listed and "[b] 👎" in listed and "[1]" not in listed
    name = _second_card(listed)
    assert name in answered and "What are you shopping for" not in answered
    assert "I won't suggest those again" not in answered


def test_terminal_chat_letter_picks_the_quick_reply_under_cards(
    monkeypatch: pytest.MonkeyPatch, session_dir: Path, demo_store: KnowledgeStore, tmp_path: Path
) -> None:
    listed, rated = _terminal(monkeypatch, session_dir, tmp_path, [SHOES, "b"])[:2]
    assert "[b] 👎" in listed
    assert "→ 👎" in rated and "I won't suggest those again" in rated


def test_terminal_chat_number_picks_the_quick_reply_without_cards(
    monkeypatch: pytest.MonkeyPatch, session_dir: Path, demo_store: KnowledgeStore, tmp_path: Path
) -> None:
    # A clarifying question's quick replies are the only list on screen: a number picks one of them.
    asked, answered = _terminal(monkeypatch, session_dir, tmp_path, ["I need a laptop", "1"])[:2]
    assert "[1] " in asked and "[a]" not in asked
    assert "→ " in answered
