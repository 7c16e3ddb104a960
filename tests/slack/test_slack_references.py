"""Typing "2" after a list of product cards in a Slack thread shows the second product."""

from __future__ import annotations

import asyncio

import pytest

from shopguide_testkit.slack_harness import SlackHarness

pytestmark = pytest.mark.integration  # a loopback fake Slack Web API server


async def test_a_number_after_cards_shows_that_product(slack: SlackHarness) -> None:
    root = "1700000950.000100"
    await slack.dm("running shoes under 500 for road running", ts=root)
    await slack.api.wait_for(lambda: len(slack.api.thread("D1", root)) >= 1)
    await asyncio.sleep(0.5)
    [listing] = slack.api.thread("D1", root)
    cards = [b for b in listing.blocks if b["type"] == "section" and "fields" in b]
    assert len(cards) >= 2
    second = cards[1]["text"]["text"]
    assert "👍" in str(listing.blocks) and "👎" in str(listing.blocks)  # quick replies under the cards
    await slack.dm("2", ts="1700000951.000100", thread_ts=root)
    await slack.api.wait_for(lambda: len(slack.api.thread("D1", root)) >= 2)
    await asyncio.sleep(0.5)
    answer = slack.api.thread("D1", root)[-1]
    shown = answer.text + "\n" + "\n".join(str(b) for b in answer.blocks)
    name = second.strip("*").split("*")[0]
    assert name and name in shown
    assert "What are you shopping for" not in answer.text
    assert "I won't suggest those again" not in answer.text
