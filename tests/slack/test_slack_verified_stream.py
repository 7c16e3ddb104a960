"""What a Slack shopper sees while an answer streams: checked sentences only, never an update taking text back."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from assistant.llm.scripted import ScriptedGenerator
from knowledge.store import KnowledgeStore
from shopguide_testkit.slack_harness import start_harness

pytestmark = pytest.mark.integration  # a loopback fake Slack Web API server

LIAR = "Stridex AeroRun 2 is a light road shoe. It weighs 999 g. It costs ¥459. It comes in white."
FINAL = "Stridex AeroRun 2 is a light road shoe. It costs ¥459. It comes in white."


async def test_every_update_of_the_answer_extends_the_one_before(tmp_path: Path, demo_store: KnowledgeStore) -> None:
    generator = ScriptedGenerator(LIAR, chunk_chars=4, delay_s=0.05)
    slack = await start_harness(tmp_path, demo_store, generator=generator, update_interval_s=0.2)
    try:
        root = "1700000900.000100"
        await slack.dm("details SG-RUN-0001", ts=root)
        await slack.api.wait_for(lambda: any(FINAL in m.text for m in slack.api.thread("D1", root)), 20)
        await asyncio.sleep(0.3)
        texts = [
            # the notification text is the answer, then one line per card
            str(c.args.get("text", "")).split("\n•")[0].removesuffix("…").strip()
            for c in slack.api.calls
            if c.method in ("chat.postMessage", "chat.update", "chat.appendStream")
        ]
        versions = [t for t in texts if t.startswith("Stridex AeroRun 2 is")]
        assert len(versions) >= 2, texts
        for version in versions:
            assert "999" not in version
            assert FINAL.startswith(version), (version, FINAL)
    finally:
        await slack.aclose()
