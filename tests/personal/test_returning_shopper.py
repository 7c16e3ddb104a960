"""Conversation level: a returning shopper whose profile knows their budget reaches a fitting recommendation
in fewer turns than a new shopper with the same need (scripted needs, both languages).

A scripted shopper answers a budget question with their budget and any other question with its first quick
reply; a recommendation fits when every card is of the asked kind and within the budget.
"""

from __future__ import annotations

import json
from pathlib import Path
from statistics import mean
from typing import Any

from assistant.app import Assistant
from assistant.types import IncomingMessage

NEEDS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "data" / "returning_needs.json").read_text("utf-8"))
MAX_TURNS = 6
BUDGET_WORDS = ("budget", "预算")


async def turns_to_fit(assistant: Assistant, user: str, need: dict[str, Any]) -> int:
    products = {p.sku: p for p in assistant.catalog.all_products()}
    text = need["need"]
    for turn in range(1, MAX_TURNS + 1):
        reply = await assistant.ask(IncomingMessage(platform="telegram", chat_id=user, user_id=user, text=text))
        fits = reply.cards and all(
            products[c.sku].category == need["category"] and c.price is not None and c.price <= need["budget"]
            for c in reply.cards
        )
        if fits:
            return turn
        asked_budget = any(word in reply.text.lower() for word in BUDGET_WORDS)
        text = need["budget_text"] if asked_budget or not reply.choices else reply.choices[0].value
    return MAX_TURNS + 1


async def test_returning_shoppers_need_fewer_turns_in_both_languages(scripted_assistant: Assistant) -> None:
    figures: dict[str, dict[str, float]] = {}
    for language in ("en", "zh"):
        needs = [n for n in NEEDS if n["language"] == language]
        new, returning = [], []
        for i, need in enumerate(needs):
            first_visit = f"{language}{i}1"
            new.append(await turns_to_fit(scripted_assistant, first_visit, need))
            # The same shopper comes back another day: a fresh conversation, the profile kept.
            scripted_assistant.reset(
                IncomingMessage(platform="telegram", chat_id=first_visit, user_id=first_visit, text="")
            )
            returning.append(await turns_to_fit(scripted_assistant, first_visit, need))
        figures[language] = {"new": mean(new), "returning": mean(returning)}
        assert all(n <= MAX_TURNS for n in new), f"every scripted need is met ({language}): {new}"
        assert mean(returning) < mean(new), f"{language}: returning {returning} vs new {new}"
        assert all(r == 1 for r in returning), f"the profile answers the question at once ({language}): {returning}"
    print(f"\naverage turns to a fitting recommendation: {json.dumps(figures)}")
