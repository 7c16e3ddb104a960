"""Slack events are answered in two steps, lease → answer → delivered, as Telegram updates are: an event
whose replica died mid-turn is dispatched again once its lease lapses and answered exactly once."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import redis

from assistant.llm.scripted import ScriptedGenerator
from assistant.state.claims import SQLiteDeliveryClaims
from assistant.state.shared_texts import RedisSharedTexts
from bots.slack.dedupe import EVENT_PREFIX
from knowledge.store import KnowledgeStore
from shopguide_testkit.slack_harness import SlackHarness, start_harness

# Short leases so the dead replica's event is taken over within the test's patience.
LEASE_S = 1.0
SEEN_TTL_S = 3600.0


async def test_an_event_whose_replica_died_mid_turn_is_answered_once_by_another(
    tmp_path: Path, demo_store: KnowledgeStore
) -> None:
    """What a replica killed mid-turn leaves behind: its lease on the event (with the event) in the shared
    claims store, lapsing. Of two surviving replicas exactly one dispatches it again and answers it; a later
    Slack retry of the same event is acked and dropped."""
    claims = tmp_path / "claims.sqlite3"
    survivors: list[SlackHarness] = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        seen = SQLiteDeliveryClaims(claims, SEEN_TTL_S, lease_s=LEASE_S)
        survivors.append(await start_harness(tmp_path / name, demo_store, generator=ScriptedGenerator(), seen=seen))
    try:
        ts = "1700000900.000100"
        event = {"type": "message", "channel_type": "im", "user": "U1", "text": "what is the return policy?"}
        body, event_id = survivors[0].event_body(event | {"ts": ts, "channel": "D1"}, "EvDEAD0001")
        dead = SQLiteDeliveryClaims(claims, SEEN_TTL_S, lease_s=LEASE_S)
        assert dead.lease(EVENT_PREFIX + event_id, body)
        started = time.monotonic()

        def answers() -> list[str]:
            return [m.text for s in survivors for m in s.api.thread("D1", ts)]

        await survivors[0].api.wait_for(lambda: len(answers()) >= 1, timeout=30)
        waited = time.monotonic() - started
        await asyncio.sleep(3 * LEASE_S)  # both take-over loops have looked again meanwhile
        [answer] = answers()
        assert "return" in answer.lower()
        assert waited < 15
        assert sum(s.bot.dedupe.leases.taken_over for s in survivors) >= 1
        # Slack retrying the event later (signed, as Slack sends it) is not answered again.
        retry = await survivors[1].post(body, "application/json", retry_num=1)
        assert retry.status == 200
        await asyncio.sleep(0.5)
        assert len(answers()) == 1 and survivors[1].bot.dedupe.dropped == 1
        assert dead.renew([EVENT_PREFIX + event_id]) == {EVENT_PREFIX + event_id}
        dead.close()
    finally:
        for survivor in survivors:
            await survivor.aclose()


async def test_events_not_for_the_bot_are_marked_delivered_at_once(slack: SlackHarness) -> None:
    """Channel chatter holds no lease for a take-over loop to find; a redelivery of it is dropped."""
    chatter = {"type": "message", "channel_type": "channel", "user": "U2", "text": "lunch?", "ts": "1700000950.0001"}
    body, event_id = slack.event_body(chatter | {"channel": "CGENERAL"})
    assert (await slack.post(body, "application/json")).status == 200
    await asyncio.sleep(0.5)
    assert not slack.bot.dedupe.leases.holds(EVENT_PREFIX + event_id)
    assert (await slack.post(body, "application/json", retry_num=1)).status == 200
    assert slack.bot.dedupe.dropped == 1 and slack.api.calls_of("chat.postMessage") == []


async def test_a_dead_replicas_half_written_answer_is_deleted_before_the_event_is_answered_again(
    tmp_path: Path, demo_store: KnowledgeStore, redis_url: str, redis_prefix: str
) -> None:
    """The dead replica had posted the start of its answer and recorded its ts with the event (Redis). The replica
    that takes the event over deletes it first: the thread shows one answer."""
    seen = SQLiteDeliveryClaims(tmp_path / "claims.sqlite3", SEEN_TTL_S, lease_s=LEASE_S)
    survivor = await start_harness(
        tmp_path, demo_store, generator=ScriptedGenerator(), seen=seen, redis_url=redis_url, redis_prefix=redis_prefix
    )
    client = redis.Redis.from_url(redis_url)
    try:
        ts = "1700000990.000100"
        event = {"type": "message", "channel_type": "im", "user": "U1", "text": "what is the return policy?"}
        body, event_id = survivor.event_body(event | {"ts": ts, "channel": "D1"}, "EvDEAD0002")
        dead = SQLiteDeliveryClaims(tmp_path / "claims.sqlite3", SEEN_TTL_S, lease_s=LEASE_S)
        assert dead.lease(EVENT_PREFIX + event_id, body)
        partial = await survivor.bot.client.chat_postMessage(
            channel="D1", thread_ts=ts, text="You can return an item …"
        )
        posted = RedisSharedTexts(client, redis_prefix, "slack-posted", 3600)
        assert posted.put(EVENT_PREFIX + event_id, json.dumps([partial["ts"]]))

        await survivor.api.wait_for(lambda: any("…" not in m.text for m in survivor.api.thread("D1", ts)), timeout=30)
        await asyncio.sleep(2 * LEASE_S)
        [answer] = survivor.api.thread("D1", ts)
        assert "return" in answer.text.lower() and answer.ts != partial["ts"]
        assert survivor.api.calls_of("chat.delete")
        dead.close()
    finally:
        client.close()
        await survivor.aclose()


async def test_two_replies_in_one_thread_on_two_replicas_are_answered_in_order(
    tmp_path: Path, demo_store: KnowledgeStore, redis_url: str, redis_prefix: str
) -> None:
    """A shopper writes twice in a thread; Slack delivers the first reply to a replica whose model is slow and
    the second to another. The first takes its place in the thread's Redis queue before bolt acks it, so the
    second, acked after it, is answered only once the first is."""
    shared = {"redis_url": redis_url, "redis_prefix": redis_prefix}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    slow = ScriptedGenerator(text="The Stridex AeroRun 2 suits road runs.", chunk_chars=4, delay_s=0.15)
    first = await start_harness(tmp_path / "a", demo_store, generator=slow, **shared)
    second = await start_harness(tmp_path / "b", demo_store, generator=ScriptedGenerator(), **shared)
    try:
        thread = "1700001000.000100"
        reply = {"type": "message", "channel_type": "im", "user": "U7", "channel": "D7", "thread_ts": thread}
        body1, _ = first.event_body(reply | {"ts": "1700001001.000100", "text": "details SG-RUN-0001"}, "EvORDER01")
        body2, _ = second.event_body(
            reply | {"ts": "1700001002.000100", "text": "what is the return policy?"}, "EvORDER02"
        )
        assert (await first.post(body1, "application/json")).status == 200
        assert (await second.post(body2, "application/json")).status == 200
        await second.api.wait_for(lambda: bool(second.api.thread("D7", thread)), timeout=30)
        await first.api.wait_for(lambda: bool(first.api.thread("D7", thread)), timeout=30)
        writes = ("chat.postMessage", "chat.update")
        first_done = max(c.at for c in first.api.calls if c.method in writes)
        second_started = min(c.at for c in second.api.calls if c.method in writes)
        assert first_done <= second_started  # the thread's first question was answered completely first
    finally:
        await first.aclose()
        await second.aclose()
