"""`shopguide serve telegram` as a process: missing token, and a clear exit on 409 Conflict."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

from bots.telegram.cli import EXIT_NOT_STARTED
from knowledge.store import KnowledgeStore
from shopguide_testkit.fake_bot_api import FakeBotApi
from shopguide_testkit.tg_harness import TEST_TOKEN

# Loading lines, a few log lines, the error and its fix: a screen, never a traceback.
MAX_STARTUP_LINES = 12

pytestmark = pytest.mark.integration  # a loopback fake Bot API server and a real process


async def serve(env: dict[str, str], within: float = 120) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bots.cli",
        "serve",
        "telegram",
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), within)
    assert proc.returncode is not None
    return proc.returncode, " ".join(out.decode().split())  # rich wraps lines when not on a terminal


async def test_without_a_token_it_says_what_to_set(tmp_path: Path) -> None:
    code, out = await serve({"SHOPGUIDE_TELEGRAM_TOKEN": "", "SHOPGUIDE_DATA_DIR": str(tmp_path)})
    assert code == 2
    assert "SHOPGUIDE_TELEGRAM_TOKEN" in out


async def test_a_second_instance_gets_409_and_exits_with_a_clear_message(
    fake: FakeBotApi, demo_store: KnowledgeStore, session_dir: Path, tmp_path: Path
) -> None:
    fake.conflict()
    code, out = await serve(
        {
            "SHOPGUIDE_TELEGRAM_TOKEN": TEST_TOKEN,
            "SHOPGUIDE_TELEGRAM_API_BASE_URL": fake.base_url,
            "SHOPGUIDE_DATA_DIR": str(session_dir / "kb"),  # the session's indexed demo catalog
            "SHOPGUIDE_LLM_BACKEND": "none",
            "SHOPGUIDE_SLACK_BOT_TOKEN": "",
        }
    )
    assert code == 3
    assert "409 Conflict" in out and "another process is already receiving updates" in out
    assert TEST_TOKEN not in out  # the token never reaches the logs
    assert [c.method for c in fake.calls][:2] == ["getMe", "setMyCommands"]


async def test_without_network_it_exits_with_one_clear_line_and_logs_it(
    demo_store: KnowledgeStore, session_dir: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(session_dir / "kb", data_dir)  # the indexed demo catalog, without re-embedding it
    with socket.socket() as probe:  # a port nothing listens on: connection refused, as with no network
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bots.cli",
        "serve",
        "telegram",
        env={
            **os.environ,
            "SHOPGUIDE_TELEGRAM_TOKEN": TEST_TOKEN,
            "SHOPGUIDE_TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{closed}/bot",
            "SHOPGUIDE_DATA_DIR": str(data_dir),
            "SHOPGUIDE_LLM_BACKEND": "none",
            "SHOPGUIDE_SLACK_BOT_TOKEN": "",
            "COLUMNS": "200",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    raw, _ = await asyncio.wait_for(proc.communicate(), 120)
    out = raw.decode()
    lines = [line for line in out.splitlines() if line.strip()]
    assert proc.returncode == EXIT_NOT_STARTED
    assert "Traceback" not in out and len(lines) <= MAX_STARTUP_LINES, out
    [error] = [line for line in lines if "cannot reach the Telegram Bot API" in line]
    assert "platform_unreachable" in error and f"127.0.0.1:{closed}" in error
    assert any(line.strip().startswith("fix:") for line in lines)
    assert TEST_TOKEN not in out
    # The same policy as every server: stderr and the log file, which records why the bot stopped.
    assert "telegram bot not started code=platform_unreachable" in out
    logged = (data_dir / "shopguide.log").read_text(encoding="utf-8")
    assert "telegram bot not started code=platform_unreachable" in logged and TEST_TOKEN not in logged
