"""`shoppers import` shows its counts and Ctrl-C stops it cleanly: the stored history stays as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.errors import JobCancelled
from assistant.personal.profile import EVENT_BATCH_ROWS, ShopperEvent, SQLiteProfileStore
from bots.cli import app
from bots.cli_progress import EXIT_CANCELLED
from shopguide_testkit.interrupt import interrupt_after

# Long enough for a loaded machine to start Python, read the file and begin storing before the test gives up.
SUBPROCESS_TIMEOUT_S = 300
# Enough rows that storing them takes many batches: the Ctrl-C lands while the import is still running.
BIG_FILE_ROWS = 300_000


def _events_csv(path: Path, rows: int, shopper_prefix: str) -> Path:
    lines = ["shopper,sku,event,timestamp"]
    lines += [f"{shopper_prefix}:{n % 5000},SG-RUN-{n % 97:04d},view,{1_700_000_000 + n}" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_terminal_import_shows_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_logging: None) -> None:
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(tmp_path / "data"))
    rows = EVENT_BATCH_ROWS * 2 + 5
    result = CliRunner().invoke(app, ["shoppers", "import", str(_events_csv(tmp_path / "e.csv", rows, "web"))])
    assert result.exit_code == 0, result.output
    assert f"events read {rows}/{rows}" in result.output
    assert "storing events" in result.output and f"events stored {rows}/{rows}" in result.output
    assert f"stored {rows} new events" in result.stdout  # the summary on stdout, the progress on stderr
    assert "events stored" not in result.stdout


def test_a_cancel_between_batches_stores_nothing_of_the_file(tmp_path: Path) -> None:
    store = SQLiteProfileStore(tmp_path / "memory.sqlite3")
    kept = ShopperEvent("web:1", "SG-RUN-0001", "purchase", 1.0, "import")
    store.add_events([kept])
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        cancel.set()  # Ctrl-C while the first batch is shown

    events = [ShopperEvent(f"web:{n}", "SG-BTL-0001", "view", float(n), "import") for n in range(EVENT_BATCH_ROWS * 3)]
    with pytest.raises(JobCancelled, match="no event of the file was stored"):
        store.add_events(events, progress=progress, cancel=cancel)
    assert seen == [(EVENT_BATCH_ROWS, EVENT_BATCH_ROWS * 3)]
    assert list(store.all_events()) == [kept]
    store.close()


def test_ctrl_c_cancels_an_import_and_nothing_is_imported(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "SHOPGUIDE_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-c", "from bots.cli import main; main()", "shoppers", "import"]
    small = _events_csv(tmp_path / "small.csv", 10, "old")
    first = subprocess.run(
        [*command, str(small)], check=False, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S
    )
    assert first.returncode == 0, first.stderr

    big = _events_csv(tmp_path / "big.csv", BIG_FILE_ROWS, "new")
    job = interrupt_after([*command, str(big)], marker="events read", env=env, timeout_s=SUBPROCESS_TIMEOUT_S)
    shown, out = job.stderr, job.stdout
    assert job.returncode == EXIT_CANCELLED, shown
    assert "cancelling…" in shown and "cancelled" in shown and "no event of the file was stored" in shown
    assert "Traceback" not in shown and "stored" not in out.replace("are not events", "")

    store = SQLiteProfileStore(data / "memory.sqlite3")
    stored = list(store.all_events())
    store.close()
    assert len(stored) == 10 and all(e.shopper.startswith("old:") for e in stored)


def test_an_eval_shows_counts_on_stderr_and_keeps_json_stdout_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_logging: None
) -> None:
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["eval", "recommend", "--shoppers", "200", "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "training and scoring" in result.stderr and "methods scored 5/5" in result.stderr
    assert json.loads(result.stdout) == json.loads(out.read_text("utf-8"))
