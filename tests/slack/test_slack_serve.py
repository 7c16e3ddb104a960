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

from knowledge.store import KnowledgeStore
from shopguide_testkit.fake_slack_api import FakeSlackApi
from shopguide_testkit.slack_harness import SIGNING_SECRET, sign


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


@pytest.mark.integration
async def test_serve_slack_wires_the_handoff_desk_and_logs_json_to_stderr(
    tmp_path: Path, session_dir: Path, demo_store: KnowledgeStore
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(session_dir / "kb", data_dir)
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
        "SHOPGUIDE_LOG_FORMAT": "json",
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
        await _wait_listening(process, port)
        # A Slack shopper asks for a human in a DM: the ticket opens in the support channel.
        dm = {"type": "message", "channel_type": "im", "user": "U7", "text": "I want to talk to a human",
              "ts": "1.000300", "channel": "D7"}  # fmt: skip
        assert await _post_event(url, dm, "EvServeHuman") == 200
        await api.wait_for(lambda: len(api.channel_roots("CSUPPORT")) == 1, timeout=30)
        [ticket] = api.channel_roots("CSUPPORT")
        assert "Handoff from Slack" in ticket.text
        await api.wait_for(lambda: len(api.thread("D7", "1.000300")) == 1, timeout=30)
        assert "no colleague is available" not in api.thread("D7", "1.000300")[0].text
        # Malformed (signed) and unsigned bodies: 400 and 401, never a traceback in the log.
        async with aiohttp.ClientSession() as session:
            ts = int(time.time())
            headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(ts)}
            signed = {**headers, "X-Slack-Signature": sign("{oops", ts)}
            async with session.post(url, data="{oops", headers=signed) as bad:
                assert bad.status == 400
            async with session.post(url, data="{oops", headers=headers) as unsigned:
                assert unsigned.status == 401
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()
        await api.stop()
    stderr = (await process.stderr.read()).decode() if process.stderr else ""
    records = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    messages = [r["message"] for r in records]
    assert any(m.startswith("slack serving mode=http") for m in messages), stderr[-2000:]
    assert any("handoff opened" in m for m in messages)
    assert any("status=400" in m for m in messages) and any("status=401" in m for m in messages)
    assert "Traceback" not in stderr and not [r for r in records if r["level"] in ("ERROR", "CRITICAL")]
    assert "xoxb-serve-test" not in stderr and SIGNING_SECRET not in stderr
    assert "handoff opened" in (data_dir / "shopguide.log").read_text(encoding="utf-8")


async def _wait_listening(process: asyncio.subprocess.Process, port: int) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if process.returncode is not None or time.monotonic() > deadline:
                stderr = (await process.stderr.read()).decode() if process.stderr else ""
                raise AssertionError(f"serve slack did not start: {stderr[-2000:]}") from None
            await asyncio.sleep(0.5)
