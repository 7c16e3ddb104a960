"""`shopguide doctor`: what a newcomer reads about their install, and the exit code a script gets."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli import app
from knowledge.store import KnowledgeStore

runner = CliRunner()
SLACK_TOKEN = "xoxb-1234-5678-abcdefghijklmnop"


@pytest.fixture
def install(monkeypatch: pytest.MonkeyPatch, session_dir: Path, demo_store: KnowledgeStore) -> None:
    """The session's indexed demo store, the retrieval-only backend, no platform tokens."""
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(session_dir / "kb"))
    monkeypatch.setenv("SHOPGUIDE_LLM_BACKEND", "none")
    for name in ("TELEGRAM_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(f"SHOPGUIDE_{name}", raising=False)


@pytest.mark.usefixtures("install")
def test_a_healthy_install_is_ready_and_says_what_is_not_configured() -> None:
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "ok    embeddings" in result.output and "ok    chroma" in result.output
    assert "-     telegram: no token" in result.output and "fix: set SHOPGUIDE_TELEGRAM_TOKEN" in result.output
    assert "ready:" in result.output


@pytest.mark.usefixtures("install")
def test_a_wrong_token_is_an_error_with_its_fix_and_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPGUIDE_SLACK_BOT_TOKEN", "xoxp-user-token-pasted-by-mistake")
    monkeypatch.setenv("SHOPGUIDE_SLACK_APP_TOKEN", "xapp-1-A1-secretvalue")
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "ERROR slack: SHOPGUIDE_SLACK_BOT_TOKEN does not start with xoxb-" in result.output
    assert "fix: use the xoxb-… token" in result.output
    assert "xoxp-user" not in result.output and "secretvalue" not in result.output


@pytest.mark.usefixtures("install")
def test_a_port_in_use_names_the_setting_to_change(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("SHOPGUIDE_SLACK_BOT_TOKEN", SLACK_TOKEN)
        monkeypatch.setenv("SHOPGUIDE_SLACK_SIGNING_SECRET", "s3cret")
        monkeypatch.setenv("SHOPGUIDE_SLACK_MODE", "http")
        monkeypatch.setenv("SHOPGUIDE_SLACK_HTTP_PORT", str(port))
        result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout.strip().splitlines()[-1])
    [busy_port] = [c for c in data["checks"] if c["subject"] == f"port {port}"]
    assert busy_port["level"] == "error" and "SHOPGUIDE_SLACK_HTTP_PORT" in busy_port["fix"]
    assert data["ok"] is False and data["exit_code"] == 1


@pytest.mark.usefixtures("install")
def test_a_missing_model_file_is_named_with_its_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHOPGUIDE_LLM_BACKEND", "llamacpp")
    monkeypatch.setenv("SHOPGUIDE_MODEL_PATH", str(tmp_path / "missing.gguf"))
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "ERROR model: SHOPGUIDE_MODEL_PATH" in result.output and "fix: point it at a GGUF file" in result.output


@pytest.mark.usefixtures("install")
def test_unreadable_settings_exit_2_with_the_variable_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPGUIDE_CHROMA_PORT", "eight thousand")
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 2
    assert "SHOPGUIDE_CHROMA_PORT" in result.output and "fix:" in result.output
    assert "Traceback" not in result.output
