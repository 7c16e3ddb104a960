"""``shopguide demo``: the scripted zh/en conversation shows cards, a clarifying question, a comparison, a
policy answer and a handoff, as the terminal prints them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app import build_assistant
from assistant.config import Settings
from bots.cli import app
from bots.cli_demo import HANDOFF_NOTE, demo_settings, run_demo
from bots.common.demo import RecordingDesk, load_script
from knowledge.store import KnowledgeStore


async def test_demo_transcript_has_every_promised_part(
    tmp_path: Path, demo_store: KnowledgeStore, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = demo_settings(Settings(data_dir=tmp_path), model=False)
    desk = RecordingDesk()
    assistant = build_assistant(settings, knowledge=demo_store, handoff=desk)
    try:
        turns = await run_demo(assistant, desk, ["en", "zh"])
    finally:
        await assistant.aclose()
    shown = capsys.readouterr().out
    script = load_script()
    for language, parts in (
        ("en", ["My picks for you", "What's your budget?", "Stridex AeroRun 2 vs Stridex AeroRun 3", "7-day"]),
        ("zh", ["为您推荐", "主要用在什么场景", "Stridex 轻风跑鞋 2代 vs Stridex 轻风跑鞋 3代", "7天无理由退货"]),
    ):
        section = shown.split(f"demo ({language})")[1]
        for line in script[language]:
            assert f"you> {line.text}" in section  # every scripted line is typed, in order
        for part in parts:
            assert part in section, (language, part)
        assert "  1. " in section and "[a] 👍" in section  # cards, with the rating quick replies lettered
        assert "[1] " in section  # the clarifying question's quick replies
    assert shown.count(HANDOFF_NOTE) == 2 and len(desk.opened) == 2
    assert "a colleague will reply here shortly" in shown and "同事会尽快在这里回复您" in shown
    assert "can't help" not in shown
    kinds = {(t.reply.language, t.line.shows, bool(t.reply.cards), bool(t.reply.choices)) for t in turns}
    assert ("en", "cards", True, True) in kinds and ("zh", "clarifying question", False, True) in kinds


def test_demo_refuses_an_unknown_language() -> None:
    result = CliRunner().invoke(app, ["demo", "--language", "fr"])
    assert result.exit_code == 2 and "--language must be en, zh or both" in result.output
