"""Slack's update mode on the shared coalescing stream: a streaming update Slack refuses is skipped, never
repeated at once, and the shopper still gets the whole answer in one message."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from assistant.llm.scripted import ScriptedGenerator
from knowledge.store import KnowledgeStore
from shopguide_testkit.slack_harness import start_harness

pytestmark = pytest.mark.integration  # a loopback fake Slack Web API server

ANSWER = "Stridex AeroRun 2 is a light road shoe. It costs ¥459. It comes in white."
RETRY_AFTER_S = 1  # whole seconds, as Slack sends it


async def test_a_refused_streaming_update_is_skipped_and_the_answer_still_arrives_whole(
    tmp_path: Path, demo_store: KnowledgeStore
) -> None:
    generator = ScriptedGenerator(ANSWER, chunk_chars=4, delay_s=0.05)
    slack = await start_harness(tmp_path, demo_store, generator=generator, update_interval_s=0.2)
    slack.api.rate_limit("chat.update", times=1, retry_after=RETRY_AFTER_S)
    try:
        root = "1700000950.000100"
        await slack.dm("details SG-RUN-0001", ts=root)
        await slack.api.wait_for(lambda: any(ANSWER in m.text for m in slack.api.thread("D1", root)), 20)
        await asyncio.sleep(0.3)
        [answer] = slack.api.thread("D1", root)  # one message, edited: nothing posted twice
        assert ANSWER in answer.text and not answer.blocks[0]["text"]["text"].endswith("…")
        writes = [c for c in slack.api.calls if c.method in ("chat.postMessage", "chat.update")]
        refused = [i for i, c in enumerate(writes) if c.status == 429]
        assert len(refused) == 1
        after = writes[refused[0] + 1 :]
        assert after, "the final write must follow the refused update"
        # Retry-After holds the channel: the next write waits it out instead of repeating at once.
        assert after[0].at - writes[refused[0]].at >= RETRY_AFTER_S * 0.9
        assert all(c.status == 200 for c in after)
    finally:
        await slack.aclose()
