"""``shopguide serve slack --http`` as a real process: signed events in, answers out through the fake Web API."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from fake_slack_api import FakeSlackApi
from slack_harness import SIGNING_SECRET, sign

from knowledge.store import KnowledgeStore


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _post_event(url: str, event: dict[str, object], event_id: str, *, secret: str = SIGNING_SECRET) -> int:
    body = json.dumps({"type": "event_callback", "team_id": "T0001", "event_id": event_id, "event": event})
    ts = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(body, ts, secret),
    }
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status


@pytest.mark.integration
async def test_serve_slack_http_process(tmp_path: Path, session_dir: Path, demo_store: KnowledgeStore) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(session_dir / "kb", data_dir)  # the indexed demo store, without re-embedding it
    api = FakeSlackApi()
    await api.start()
    port = _free_port()
    env = {
        **os.environ,
        "SHOPGUIDE_DATA_DIR": str(data_dir),
        "SHOPGUIDE_LLM_BACKEND": "none",
        "SHOPGUIDE_SLACK_BOT_TOKEN": "xoxb-serve-test",
        "SHOPGUIDE_SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SHOPGUIDE_SLACK_API_URL": api.base_url,
        "SHOPGUIDE_SLACK_SUPPORT_CHANNEL": "CSUPPORT",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bots.cli",
        "serve",
        "slack",
        "--http",
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        deadline = time.monotonic() + 120
        while True:  # wait until the server listens
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.returncode is not None or time.monotonic() > deadline:
                    stderr = (await process.stderr.read()).decode() if process.stderr else ""
                    raise AssertionError(f"serve slack did not start: {stderr[-2000:]}") from None
                await asyncio.sleep(0.5)
        event = {
            "type": "app_mention",
            "user": "U1",
            "text": "<@UBOT> SG-RUN-0001 多少钱？",
            "ts": "1.000100",
            "channel": "C1",
        }
        assert await _post_event(url, event, "EvServe1", secret="wrong") == 401
        for _ in range(3):
            assert await _post_event(url, event, "EvServe1") == 200
        await api.wait_for(lambda: len(api.thread("C1", "1.000100")) == 1, timeout=30)
        await asyncio.sleep(1.0)
        [answer] = api.thread("C1", "1.000100")
        assert "¥459" in answer.text
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()
        await api.stop()
