"""Personalisation in Slack, driven with signed requests against the fake Slack Web API: Block Kit 👍 / 👎 /
"Show me something else" on a DM recommendation, `profile` and `forget` for the shopper, and the staff's
feedback digest (posted by `/shopguide digest` and by the app's weekly job)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.llm.scripted import ScriptedGenerator
from assistant.state.claims import SQLiteDeliveryClaims
from bots.cli import app
from bots.slack.client import make_client
from bots.slack.digest import DigestSchedule, next_slot
from knowledge.store import KnowledgeStore
from shopguide_testkit.fake_slack_api import FakeMessage
from shopguide_testkit.slack_harness import ADMIN, SlackHarness, start_harness

DM = "D1"


def _final(messages: list[FakeMessage]) -> bool:
    return bool(messages) and not any(
        b.get("text", {}).get("text", "").endswith("…") for m in messages for b in m.blocks
    )


def _buttons(message: FakeMessage) -> dict[str, tuple[str, str]]:
    """label -> (action_id, value) of the message's quick-reply buttons."""
    return {
        e["text"]["text"]: (e["action_id"], e["value"])
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
    }


def _card_skus(message: FakeMessage) -> set[str]:
    return {b["fields"][2]["text"].split("`")[1] for b in message.blocks if b["type"] == "section" and "fields" in b}


async def _ask_in_dm(slack: SlackHarness, text: str, ts: str) -> FakeMessage:
    await slack.dm(text, ts=ts)
    await slack.api.wait_for(lambda: _final(slack.api.thread(DM, ts)))
    await asyncio.sleep(0.3)
    return slack.api.thread(DM, ts)[-1]


async def _response(slack: SlackHarness, rid: str) -> dict[str, Any]:
    await slack.api.wait_for(lambda: any(r["rid"] == rid for r in slack.api.responses))
    return next(r for r in slack.api.responses if r["rid"] == rid)


async def test_dm_recommendation_buttons_rate_and_refine(slack: SlackHarness) -> None:
    root = "1700001000.000100"
    first = await _ask_in_dm(slack, "backpacks under 1000", root)
    shown = _card_skus(first)
    buttons = _buttons(first)
    assert shown and {"👍", "👎", "Show me something else"} <= set(buttons)
    assert buttons["👎"][0].startswith("sg_choice_")

    action, value = buttons["Show me something else"]
    await slack.click(action, value, channel=DM, message_ts=first.ts, thread_ts=root)
    await slack.api.wait_for(lambda: len(slack.api.thread(DM, root)) >= 2 and _final(slack.api.thread(DM, root)))
    await asyncio.sleep(0.3)
    other = slack.api.thread(DM, root)[-1]
    assert _card_skus(other) and not shown & _card_skus(other), "something else shows other items"

    action, value = _buttons(other)["👎"]
    await slack.click(action, value, channel=DM, message_ts=other.ts, thread_ts=root)
    await slack.api.wait_for(lambda: "won't suggest those again" in slack.api.thread(DM, root)[-1].text)
    stored = slack.assistant.personaliser.store.feedback_since(0)
    assert [f.reaction for f in stored] == ["other", "down"]
    assert set(stored[-1].skus) == _card_skus(other) and stored[-1].shopper == "slack:U1"
    again = await _ask_in_dm(slack, "backpacks under 1000", "1700001010.000100")
    assert _card_skus(again) and not (shown | _card_skus(other)) & _card_skus(again)


async def test_profile_and_forget_for_the_shopper(slack: SlackHarness) -> None:
    await _ask_in_dm(slack, "running shoes under 800", "1700001100.000100")
    await slack.slash("profile", channel=DM, rid="p1")
    mine = await _response(slack, "p1")
    assert mine["response_type"] == "ephemeral"
    assert "running_shoes" in mine["text"] and "¥800" in mine["text"] and "said" in mine["text"]

    await slack.slash("profile", channel="CGENERAL", rid="p2")
    assert "Profiles are only shown in a private chat" in (await _response(slack, "p2"))["text"]

    # In a channel nobody's profile is used, and there are no rating buttons.
    await slack.mention("I need running shoes", ts="1700001150.000100")
    await slack.api.wait_for(lambda: _final(slack.api.thread("CGENERAL", "1700001150.000100")))
    await asyncio.sleep(0.3)
    in_channel = slack.api.thread("CGENERAL", "1700001150.000100")[-1]
    assert "usually" not in in_channel.text and "👍" not in _buttons(in_channel)

    # "forget" inside a sentence is a question, not an erasure.
    await _ask_in_dm(slack, "forget it, show me tents", "1700001200.000100")
    assert slack.assistant.personaliser.store.load("slack:U1").preferences

    await slack.dm("forget", ts="1700001300.000100")
    await slack.api.wait_for(lambda: bool(slack.api.thread(DM, "1700001300.000100")))
    assert slack.api.thread(DM, "1700001300.000100")[0].text.startswith("Done: your profile, shopping history")
    assert slack.assistant.personaliser.store.load("slack:U1").preferences == []
    await slack.slash("profile", channel=DM, rid="p3")
    assert (await _response(slack, "p3"))["text"] == "I keep nothing about you yet."


def _section_texts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] in ("section", "header"))


async def test_digest_command_posts_what_staff_need_and_names_nobody(slack: SlackHarness) -> None:
    await _ask_in_dm(slack, "do you sell TVs?", "1700001400.000100")
    first = await _ask_in_dm(slack, "backpacks under 1000", "1700001500.000100")
    action, value = _buttons(first)["👎"]
    await slack.click(action, value, channel=DM, message_ts=first.ts, thread_ts="1700001500.000100")
    await slack.api.wait_for(lambda: "won't suggest" in slack.api.thread(DM, "1700001500.000100")[-1].text)

    await slack.slash("digest", user="U1", channel="CSTAFF", rid="d1")
    assert (await _response(slack, "d1"))["text"] == "Sorry, `digest` is for shopguide admins only."

    await slack.slash("digest", user=ADMIN, channel="CSTAFF", rid="d2")
    digest = await _response(slack, "d2")
    assert digest["response_type"] == "in_channel"
    text = _section_texts(digest["blocks"])
    assert digest["blocks"][0]["type"] == "header" and "Shopper feedback since" in text
    assert "0 👍   1 👎" in text
    assert "*Asked for, but we don't sell it*\n• tv — 1×" in text
    assert "*Questions that failed*\n• 👎 backpacks under 1000 — 1×" in text
    for sku in _card_skus(first):
        assert f"• {sku} — 1×" in text
    assert "U1" not in str(digest) and "D1" not in str(digest)


async def test_the_weekly_job_posts_once_across_replicas(tmp_path: Path, demo_store: KnowledgeStore) -> None:
    harness = await start_harness(
        tmp_path, demo_store, generator=ScriptedGenerator(), digest_channel="CSTAFF", digest_weekday=3, digest_hour=7
    )
    try:
        assert harness.bot.digest is not None and harness.bot.digest.channel == "CSTAFF"
        await harness.dm("do you sell TVs?", ts="1700001600.000100")
        await harness.api.wait_for(lambda: bool(harness.api.thread(DM, "1700001600.000100")))
        # Two replicas whose clocks stand 0.3 s before next week's slot share the claims table.
        slot = next_slot(time.time(), 3, 7)
        started = time.monotonic()

        def clock() -> float:
            return slot - 0.3 + (time.monotonic() - started)

        store = harness.assistant.personaliser.store
        replicas = [
            DigestSchedule(
                make_client(harness.settings),
                store,
                SQLiteDeliveryClaims(tmp_path / "claims.sqlite3", 3600),
                "CSTAFF",
                weekday=3,
                hour=7,
                clock=clock,
            )
            for _ in range(2)
        ]
        for replica in replicas:
            replica.start()
        await harness.api.wait_for(lambda: bool(harness.api.channel_roots("CSTAFF")))
        await asyncio.sleep(0.5)
        for replica in replicas:
            await replica.stop()
        [posted] = harness.api.channel_roots("CSTAFF")
        assert "Shopper feedback since" in posted.text
        assert "• tv — 1×" in _section_texts(posted.blocks)
        assert sum(len(r.posted) for r in replicas) == 1
    finally:
        await harness.aclose()


def test_next_slot_is_the_coming_weekday_and_hour_in_utc() -> None:
    wednesday_noon = 1_764_763_200.0  # 2025-12-03 12:00 UTC, a Wednesday
    assert next_slot(wednesday_noon, 3, 7) == wednesday_noon + 19 * 3600  # Thursday 07:00
    assert next_slot(wednesday_noon, 2, 9) == wednesday_noon + 7 * 86_400 - 3 * 3600  # next Wednesday 09:00
    assert next_slot(wednesday_noon, 2, 12) == wednesday_noon + 7 * 86_400  # strictly after


async def test_report_feedback_posts_the_digest_to_a_channel(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, restore_logging: None
) -> None:
    await _ask_in_dm(slack, "do you sell TVs?", "1700001700.000100")
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(slack.settings.data_dir))
    monkeypatch.setenv("SHOPGUIDE_SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SHOPGUIDE_SLACK_API_URL", slack.api.base_url)
    # The command runs its own event loop; the fake Slack API keeps serving on this one meanwhile.
    result = await asyncio.to_thread(CliRunner().invoke, app, ["report", "feedback", "--slack-channel", "CSTAFF"])
    assert result.exit_code == 0, result.output
    assert "posted the digest to CSTAFF" in result.output
    [posted] = slack.api.channel_roots("CSTAFF")
    assert "*Asked for, but we don't sell it*\n• tv — 1×" in _section_texts(posted.blocks)
    monkeypatch.setenv("SHOPGUIDE_SLACK_BOT_TOKEN", "")
    refused = await asyncio.to_thread(CliRunner().invoke, app, ["report", "feedback", "--slack-channel", "CSTAFF"])
    assert refused.exit_code == 2 and "needs SHOPGUIDE_SLACK_BOT_TOKEN" in refused.output
