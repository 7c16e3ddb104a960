"""What shoppers asked for that the shop could not give is recorded as it happens (no shopper, no PII) and
reaches staff through `shopguide report feedback`, with the reactions."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.app import Assistant
from assistant.config import Settings
from assistant.types import IncomingMessage
from bots.cli import app

runner = CliRunner()
PHONE = "13812345678"


def dm(text: str, user: str = "601") -> IncomingMessage:
    return IncomingMessage(platform="telegram", chat_id=user, user_id=user, text=text)


def group(text: str, user: str = "602") -> IncomingMessage:
    return IncomingMessage(platform="telegram", chat_id="-100300", user_id=user, text=text)


async def test_unmet_requests_are_kept_without_a_name_and_reported(
    settings: Settings, scripted_assistant: Assistant, monkeypatch: pytest.MonkeyPatch, restore_logging: None
) -> None:
    tv = await scripted_assistant.ask(dm("do you sell TVs?"))
    assert "don't sell" in tv.text
    await scripted_assistant.ask(group("有卖电视吗"))  # a group chat counts too: the record names nobody
    await scripted_assistant.ask(dm("do you have TVs?", user="603"))
    kettle = await scripted_assistant.ask(dm(f"Is the Stridex AeroRun 2 dishwasher safe? call me on {PHONE}"))
    assert "don't know" in kettle.text, kettle.text
    # An answer about a product is rated with 👍 / 👎 (no "something else": it is not a pick among items).
    assert [c.value for c in kettle.choices][-2:] == ["👍", "👎"]
    assert "Show me something else" not in [c.label for c in kettle.choices]
    scripted_assistant.react(dm("👎"), "down")
    picks = await scripted_assistant.ask(dm("backpacks under 1000"))
    assert picks.cards
    scripted_assistant.react(dm("👎"), "down")

    stored = scripted_assistant.personaliser.store.requests_since(0)
    assert sorted((r.kind, r.text) for r in stored if r.kind == "not_carried") == [
        ("not_carried", "tv"),
        ("not_carried", "tv"),
        ("not_carried", "电视"),
    ]
    [unanswered] = [r for r in stored if r.kind == "unanswered"]
    assert unanswered.sku == "SG-RUN-0001" and "dishwasher safe" in unanswered.text
    assert PHONE not in unanswered.text and "[phone]" in unanswered.text
    assert all("601" not in r.text + r.sku and "603" not in r.text + r.sku for r in stored)

    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(settings.data_dir))
    result = runner.invoke(app, ["report", "feedback", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert "telegram:" not in result.output, "the report names nobody"
    assert report["not_carried"] == [["tv", 2], ["电视", 1]]
    assert report["reactions"] == {"up": 0, "down": 2, "other": 0}
    assert report["questions_rated_down"] == [
        ["Is the Stridex AeroRun 2 dishwasher safe? call me on [phone]", 1],
        ["backpacks under 1000", 1],
    ]
    assert report["questions_unanswered"][0][0].startswith("Is the Stridex AeroRun 2 dishwasher safe?")
    text = runner.invoke(app, ["report", "feedback"])
    assert "asked for, not sold: tv (2), 电视 (1)" in text.output
    assert "unanswered 1x: Is the Stridex AeroRun 2 dishwasher safe? call me on [phone]" in text.output
