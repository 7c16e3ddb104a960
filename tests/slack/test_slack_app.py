"""The real slack-bolt app, driven with signed HTTP requests, answering through the fake Slack Web API."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.llm.scripted import ScriptedGenerator
from knowledge.store import KnowledgeStore
from shopguide_testkit.fake_slack_api import FakeMessage
from shopguide_testkit.slack_harness import ADMIN, SIGNING_SECRET, SlackHarness, sign, start_harness

QUESTION = "compare SG-RUN-0001 and SG-RUN-0002"


def _answers(slack: SlackHarness, channel: str, thread_ts: str) -> list[FakeMessage]:
    return slack.api.thread(channel, thread_ts)


def _final(messages: list[FakeMessage]) -> bool:
    """Posted and no longer showing the streaming cursor."""
    return bool(messages) and not any(
        b.get("text", {}).get("text", "").endswith("…") for m in messages for b in m.blocks
    )


async def _settle(seconds: float = 0.3) -> None:
    await asyncio.sleep(seconds)


async def test_mention_is_answered_in_its_thread_with_product_cards(slack: SlackHarness) -> None:
    delivery = await slack.mention(QUESTION, ts="1700000100.000100")
    assert delivery.status == 200
    await slack.api.wait_for(lambda: _final(_answers(slack, "CGENERAL", "1700000100.000100")))
    await _settle()
    [answer] = _answers(slack, "CGENERAL", "1700000100.000100")
    cards = [b for b in answer.blocks if b["type"] == "section" and "fields" in b]
    assert cards, "product cards expected"
    labels = [f["text"].split("\n")[0] for f in cards[0]["fields"]]
    assert labels[:2] == ["*Price*", "*Stock*"]
    assert cards[0]["accessory"]["action_id"] == "sg_details"
    assert cards[0]["fields"][0]["text"].split("\n")[1].startswith("¥")
    actions = [b for b in answer.blocks if b["type"] == "actions"]
    if len(cards) >= 2:
        assert actions and actions[0]["elements"][0]["action_id"] == "sg_compare"
    assert answer.blocks[0]["type"] == "section" and answer.blocks[0]["text"]["type"] == "mrkdwn"
    assert answer.text  # plain-text fallback for notifications
    assert "…" not in answer.blocks[0]["text"]["text"]  # the streaming cursor is gone


async def test_each_event_is_answered_once_under_slack_retries(slack: SlackHarness) -> None:
    body, _ = slack.event_body(
        {"type": "app_mention", "user": "U1", "text": "<@UBOT> hello", "ts": "1700000200.000100", "channel": "C2"}
    )
    first = await slack.post(body, "application/json")
    retries = [await slack.post(body, "application/json", retry_num=n) for n in (1, 2)]
    assert [d.status for d in [first, *retries]] == [200, 200, 200]
    await slack.api.wait_for(lambda: len(_answers(slack, "C2", "1700000200.000100")) >= 1)
    await _settle(0.5)
    assert len(_answers(slack, "C2", "1700000200.000100")) == 1
    assert slack.bot.dedupe.dropped == 2


async def test_dedupe_survives_a_restart(tmp_path: Path, demo_store: KnowledgeStore) -> None:
    harness = await start_harness(tmp_path, demo_store, generator=ScriptedGenerator())
    body, _ = harness.event_body(
        {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "ts": "1700000300.000100", "channel": "C3"}
    )
    await harness.post(body, "application/json")
    await harness.api.wait_for(lambda: len(harness.api.thread("C3", "1700000300.000100")) == 1)
    await harness.aclose()
    again = await start_harness(tmp_path, demo_store, generator=ScriptedGenerator())
    try:
        delivery = await again.post(body, "application/json", retry_num=1)
        assert delivery.status == 200
        await _settle(0.5)
        assert again.api.calls_of("chat.postMessage") == []
    finally:
        await again.aclose()


async def test_wrong_or_stale_signatures_are_refused(slack: SlackHarness) -> None:
    body, _ = slack.event_body(
        {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "ts": "1700000400.000100", "channel": "C4"}
    )
    wrong = await slack.post(body, "application/json", secret="not-the-secret")
    stale = await slack.post(body, "application/json", timestamp=int(time.time()) - 6 * 60)
    tampered = await slack.post(
        body.replace("hi", "bye"),
        "application/json",
        signature=sign(body, int(time.time()), SIGNING_SECRET),
    )
    assert [wrong.status, stale.status, tampered.status] == [401, 401, 401]
    await _settle()
    assert slack.api.calls_of("chat.postMessage") == []
    # a correctly signed copy still goes through (the refused ones did not claim the event id)
    assert (await slack.post(body, "application/json")).status == 200
    await slack.api.wait_for(lambda: len(_answers(slack, "C4", "1700000400.000100")) == 1)


async def test_dm_is_answered_in_the_thread_of_the_message(slack: SlackHarness) -> None:
    await slack.dm("hello", ts="1700000500.000100")
    await slack.api.wait_for(lambda: len(_answers(slack, "D1", "1700000500.000100")) == 1)
    [answer] = _answers(slack, "D1", "1700000500.000100")
    assert "shopguide" in answer.text.lower() or answer.text


async def test_a_thread_is_one_conversation(slack: SlackHarness) -> None:
    root = "1700000600.000100"
    await slack.mention("I need running shoes", ts=root)
    await slack.api.wait_for(lambda: len(_answers(slack, "CGENERAL", root)) >= 1)
    await _settle()
    await slack.mention("under 500 for road", ts="1700000601.000100", thread_ts=root)
    await slack.api.wait_for(lambda: len(_answers(slack, "CGENERAL", root)) >= 2)
    await _settle()
    keys = slack.assistant.memory.keys()
    assert f"slack:CGENERAL:{root}:U1" in keys
    state = slack.assistant.memory.load(f"slack:CGENERAL:{root}:U1")
    assert len([t for t in state.turns if t.role == "user"]) == 2
    assert state.slots.category == "running_shoes"


async def test_slash_help_and_reviews_answer_through_response_url(slack: SlackHarness) -> None:
    ack = await slack.slash("help", rid="help")
    assert ack.status == 200 and ack.ack_ms < 3000
    await slack.api.wait_for(lambda: any(r["rid"] == "help" for r in slack.api.responses))
    help_reply = next(r for r in slack.api.responses if r["rid"] == "help")
    assert "kb status" in help_reply["text"] and help_reply["response_type"] == "ephemeral"

    await slack.slash("reviews SG-RUN-0011", rid="rev")
    await slack.api.wait_for(lambda: any(r["rid"] == "rev" for r in slack.api.responses))
    reviews = next(r for r in slack.api.responses if r["rid"] == "rev")
    assert "13 reviews" in reviews["text"] and "Pros" in reviews["text"] and "Cons" in reviews["text"]
    assert reviews["response_type"] == "in_channel"


async def test_mention_subcommand_copy_posts_in_thread(slack: SlackHarness) -> None:
    await slack.mention("copy SG-RUN-0001 zh playful", ts="1700000700.000100")
    await slack.api.wait_for(lambda: len(_answers(slack, "CGENERAL", "1700000700.000100")) >= 1)
    [message] = _answers(slack, "CGENERAL", "1700000700.000100")
    assert "商品描述" in message.text and "广告语" in message.text and "社交媒体帖子" in message.text


class RecordingKb:
    """A small real KbOperations: reports progress twice and returns a status line."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, str]] = []

    async def run(self, action: str, args: list[str], actor: str, progress: Any) -> str:
        self.runs.append((action, actor))
        if action == "reload":
            await progress("reload: validating catalog")
            await progress("reload: indexing 240 products")
        return f"kb {action}: done"


async def test_kb_commands_are_admin_only_audited_and_report_progress_in_thread(
    tmp_path: Path, demo_store: KnowledgeStore
) -> None:
    kb = RecordingKb()
    harness = await start_harness(tmp_path, demo_store, generator=ScriptedGenerator(), kb=kb)
    try:
        await harness.slash("kb reload", user="U1", rid="denied")
        await harness.api.wait_for(lambda: any(r["rid"] == "denied" for r in harness.api.responses))
        denied = next(r for r in harness.api.responses if r["rid"] == "denied")
        assert "admins only" in denied["text"] and denied["response_type"] == "ephemeral"
        assert kb.runs == []

        await harness.mention("kb reload", user=ADMIN, ts="1700000800.000100")
        await harness.api.wait_for(lambda: len(harness.api.thread("CGENERAL", "1700000800.000100")) >= 3)
        texts = [m.text for m in harness.api.thread("CGENERAL", "1700000800.000100")]
        assert texts == ["reload: validating catalog", "reload: indexing 240 products", "kb reload: done"]
        assert kb.runs == [("reload", f"slack:{ADMIN}")]

        await harness.slash("kb reload", user=ADMIN, rid="slash-reload")
        await harness.api.wait_for(lambda: len(kb.runs) == 2)
        await _settle()
        [root] = [m for m in harness.api.channel_roots("CGENERAL") if "kb reload" in m.text]
        assert [m.text for m in harness.api.thread("CGENERAL", root.ts)][-1] == "kb reload: done"

        audit = [json.loads(line) for line in harness.settings.audit_log.read_text().splitlines()]
        assert [(a["who"], a["action"], a["result"]) for a in audit] == [("slack:U1", "reload", "denied")]
    finally:
        await harness.aclose()


async def test_admin_by_user_group(tmp_path: Path, demo_store: KnowledgeStore) -> None:
    kb = RecordingKb()
    harness = await start_harness(
        tmp_path,
        demo_store,
        generator=ScriptedGenerator(),
        kb=kb,
        usergroups={"S_ADMINS": ["UGROUP"]},
        slack_admin_group="S_ADMINS",
    )
    try:
        await harness.mention("kb status", user="UGROUP", ts="1700000850.000100")
        await harness.api.wait_for(lambda: len(harness.api.thread("CGENERAL", "1700000850.000100")) == 1)
        assert kb.runs == [("status", "slack:UGROUP")]
    finally:
        await harness.aclose()


async def test_details_button_answers_about_that_product_in_the_thread(slack: SlackHarness) -> None:
    root = "1700000900.000100"
    delivery = await slack.click("sg_details", "SG-RUN-0001", message_ts="1700000901.000100", thread_ts=root)
    assert delivery.status == 200
    await slack.api.wait_for(lambda: len(_answers(slack, "CGENERAL", root)) >= 1)
    await _settle()
    [answer] = _answers(slack, "CGENERAL", root)
    cards = [b for b in answer.blocks if b["type"] == "section" and "fields" in b]
    assert cards and "SG-RUN-0001" in cards[0]["fields"][2]["text"]


async def test_rate_limited_writes_wait_for_retry_after_and_still_answer(slack: SlackHarness) -> None:
    slack.api.rate_limit("chat.postMessage", times=1, retry_after=1)
    started = time.monotonic()
    await slack.mention("hello", ts="1700001000.000100", channel="C10")
    await slack.api.wait_for(lambda: len(_answers(slack, "C10", "1700001000.000100")) == 1, timeout=10)
    assert time.monotonic() - started >= 0.9  # waited Retry-After
    assert [c.status for c in slack.api.calls if c.method == "chat.postMessage"] == [429, 200]


async def test_streaming_edits_are_paced_per_channel(tmp_path: Path, demo_store: KnowledgeStore) -> None:
    slow = ScriptedGenerator("Stridex AeroRun 2 is a light road trainer. " * 3, chunk_chars=4, delay_s=0.03)
    harness = await start_harness(tmp_path, demo_store, generator=slow, update_interval_s=0.5)
    try:
        await harness.mention("tell me about SG-RUN-0001", ts="1700001100.000100")
        await harness.api.wait_for(lambda: _final(harness.api.thread("CGENERAL", "1700001100.000100")), timeout=15)
        await _settle(0.8)
        writes = [c for c in harness.api.calls if c.method in ("chat.postMessage", "chat.update")]
        assert len(writes) >= 2
        gaps = [b.at - a.at for a, b in itertools.pairwise(writes)]
        assert min(gaps) >= 0.45  # never more than one write per interval in a channel
        [answer] = harness.api.thread("CGENERAL", "1700001100.000100")
        assert answer.edits == len(writes) - 1
    finally:
        await harness.aclose()


async def test_native_streaming_when_the_workspace_supports_it(tmp_path: Path, demo_store: KnowledgeStore) -> None:
    harness = await start_harness(tmp_path, demo_store, generator=ScriptedGenerator(), native_streaming=True)
    try:
        await harness.mention(QUESTION, ts="1700001200.000100")
        await harness.api.wait_for(lambda: len(harness.api.calls_of("chat.stopStream")) == 1)
        start = harness.api.calls_of("chat.startStream")[0].args
        assert start["thread_ts"] == "1700001200.000100" and start["recipient_user_id"] == "U1"
        [answer] = harness.api.thread("CGENERAL", "1700001200.000100")
        assert answer.text.strip() and not answer.streaming
        assert any("fields" in b for b in answer.blocks)  # cards arrive with the stop
    finally:
        await harness.aclose()


async def test_native_streaming_unavailable_falls_back_to_updates(slack: SlackHarness) -> None:
    await slack.mention(QUESTION, ts="1700001300.000100")
    await slack.api.wait_for(lambda: len(_answers(slack, "CGENERAL", "1700001300.000100")) == 1)
    await _settle()
    assert len([c for c in slack.api.calls if c.method == "chat.startStream"]) == 1  # tried once, then remembered
    assert slack.bot.streamer.native_available is False
    assert slack.api.calls_of("chat.postMessage")


async def test_socket_mode_acks_envelopes_and_answers_once(tmp_path: Path, demo_store: KnowledgeStore) -> None:
    harness = await start_harness(tmp_path, demo_store, generator=ScriptedGenerator(), socket_mode=True)
    api = harness.api
    try:
        await api.wait_for(lambda: bool(api.sockets))
        body, _ = harness.event_body(
            {"type": "app_mention", "user": "U1", "text": "<@UBOT> hello", "ts": "1700001400.000100", "channel": "C14"}
        )
        payload = json.loads(body)
        for attempt in (0, 1):  # Slack redelivers over the socket too
            envelope = {
                "envelope_id": f"env-{attempt}",
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": attempt,
                "retry_reason": "timeout" if attempt else "",
                "payload": payload,
            }
            sent = await api.push_envelope(envelope)
            await api.wait_for(
                lambda attempt=attempt: any(a["envelope_id"] == f"env-{attempt}" for a in api.socket_acks)
            )
            ack = next(a for a in api.socket_acks if a["envelope_id"] == f"env-{attempt}")
            assert ack["at"] - sent < 3.0
        await api.wait_for(lambda: len(api.thread("C14", "1700001400.000100")) == 1)
        await _settle(0.5)
        assert len(api.thread("C14", "1700001400.000100")) == 1
        assert harness.bot.dedupe.dropped == 1
    finally:
        await harness.aclose()


@pytest.mark.parametrize("native", [False, True], ids=["chat_update", "native_stream"])
async def test_fact_check_reset_replaces_the_streamed_text(
    tmp_path: Path, demo_store: KnowledgeStore, native: bool
) -> None:
    liar = ScriptedGenerator("Stridex AeroRun 2 costs ¥99 today.", chunk_chars=5, delay_s=0.01)
    harness = await start_harness(tmp_path, demo_store, generator=liar, native_streaming=native)
    try:
        await harness.mention("how much is SG-RUN-0001", ts="1700001500.000100")
        if native:
            await harness.api.wait_for(lambda: len(harness.api.calls_of("chat.stopStream")) == 1)
        await harness.api.wait_for(lambda: _final(harness.api.thread("CGENERAL", "1700001500.000100")))
        await _settle()
        [answer] = harness.api.thread("CGENERAL", "1700001500.000100")
        # Sentences are checked before they stream, so the native stream itself carries the repaired price
        # (this test read the blocks a reset rewrote, before verified streaming).
        shown = answer.text if native else answer.blocks[0]["text"]["text"]
        assert "¥99" not in shown and "¥459" in shown
        written = [str(c.args.get("markdown_text") or c.args.get("text") or "") for c in harness.api.calls]
        assert not any("¥99" in w for w in written)
    finally:
        await harness.aclose()


async def test_long_answers_continue_in_the_thread(tmp_path: Path, demo_store: KnowledgeStore) -> None:
    long_text = "The Stridex AeroRun 2 is a light daily trainer for road running. " * 120
    harness = await start_harness(tmp_path, demo_store, generator=ScriptedGenerator(long_text, chunk_chars=400))
    try:
        await harness.mention("tell me about SG-RUN-0001", ts="1700001600.000100")
        await harness.api.wait_for(lambda: len(harness.api.thread("CGENERAL", "1700001600.000100")) >= 3)
        await _settle(0.5)
        messages = harness.api.thread("CGENERAL", "1700001600.000100")
        assert all(len(b["text"]["text"]) <= 3000 for m in messages for b in m.blocks if b["type"] == "section")
        assert any("fields" in b for b in messages[-1].blocks)
    finally:
        await harness.aclose()


async def test_kb_status_through_the_core_knowledge_admin(tmp_path: Path, demo_store: KnowledgeStore) -> None:
    from assistant.admin import AdminActor, KnowledgeAdmin
    from bots.slack.kb import AdminKbOperations, SlackKnowledgeAdmin

    harness = await start_harness(
        tmp_path,
        demo_store,
        generator=ScriptedGenerator(),
        usergroups={"S_ADMINS": ["UGROUP"]},
        slack_admin_group="S_ADMINS",
    )
    admin = SlackKnowledgeAdmin(demo_store, harness.settings)
    harness.bot.commands.kb = AdminKbOperations(admin)
    try:
        for user, ts in ((ADMIN, "1700001700.000100"), ("UGROUP", "1700001701.000100")):
            await harness.mention("kb status", user=user, ts=ts)
            await harness.api.wait_for(lambda ts=ts: len(harness.api.thread("CGENERAL", ts)) == 1)
            assert harness.api.thread("CGENERAL", ts)[0].text.startswith("live: ")
        audit = [(a["who"], a["action"], a["result"]) for a in admin.audit.entries()]
        assert audit == [(f"slack:{ADMIN}", "status", "ok"), ("slack:UGROUP", "status", "ok")]
        # the group grant is per verified call only: the plain core admin still refuses the group member
        assert not KnowledgeAdmin(demo_store, harness.settings).is_admin(AdminActor("slack", "UGROUP"))
    finally:
        await harness.aclose()


@pytest.mark.integration
async def test_mention_answered_by_the_shipped_model(tmp_path: Path, demo_store: KnowledgeStore, llm: Any) -> None:
    harness = await start_harness(tmp_path, demo_store, generator=llm, llm_timeout_s=120.0)
    try:
        await harness.mention("SG-RUN-0001 多少钱？", ts="1700001800.000100")
        await harness.api.wait_for(lambda: _final(harness.api.thread("CGENERAL", "1700001800.000100")), timeout=180)
        [answer] = harness.api.thread("CGENERAL", "1700001800.000100")
        assert "459" in answer.blocks[0]["text"]["text"]  # the model may write ¥459 or 459元
        assert any("fields" in b for b in answer.blocks)
    finally:
        await harness.aclose()


async def test_http_mode_refuses_to_start_without_a_signing_secret(tmp_path: Path, demo_store: KnowledgeStore) -> None:
    from assistant.errors import ConfigError

    with pytest.raises(ConfigError):
        await start_harness(tmp_path, demo_store, generator=ScriptedGenerator(), slack_signing_secret="")
