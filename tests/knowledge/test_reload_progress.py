"""A reload shows its progress (counts, time left) and Ctrl-C stops it cleanly: the live release serves on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bots.cli_kb  # noqa: F401  (registers the kb commands)
from assistant.admin import StagePace
from bots.cli_groups import app
from bots.cli_progress import EXIT_CANCELLED
from knowledge.bootstrap import open_store
from shopguide_testkit.interrupt import interrupt_after

# Long enough for a loaded machine to load the embedder and start embedding before the test gives up.
SUBPROCESS_TIMEOUT_S = 300
# Copies of the small catalog in the reload that Ctrl-C interrupts (thousands of rows: seconds of embedding).
RELOAD_COPIES = 200


class SteppedClock:
    """A clock the test moves: each reading is the next of the given times."""

    def __init__(self, *times: float) -> None:
        self.times = list(times)

    def __call__(self) -> float:
        return self.times.pop(0)


def test_progress_tells_the_time_left_at_the_pace_so_far() -> None:
    pace = StagePace(SteppedClock(0.0, 2.0, 12.0, 22.0))
    assert pace.event("validated", 3000, 3000).describe() == "validated 3000 products"
    # embedding starts when validation ended (2 s): 1,000 rows in 10 s, 2,000 to go
    assert pace.event("products", 1000, 3000).describe() == "indexed 1000/3000 products · about 20 s left"
    late = pace.event("products", 2000, 3000)
    assert late.eta_s == pytest.approx(10.0)


def test_terminal_reload_shows_counts(tmp_path: Path, small_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(tmp_path / "cli-kb"))
    monkeypatch.setenv("SHOPGUIDE_EMBED_THREADS", "1")
    count = len((small_catalog / "products.jsonl").read_text("utf-8").splitlines())
    result = CliRunner().invoke(app, ["kb", "reload", str(small_catalog)])
    assert result.exit_code == 0, result.output
    assert "embedding products" in result.output and f"{count}/{count}" in result.output
    assert f"validated {count} products" in result.output and "new release is live" in result.output


def test_ctrl_c_cancels_a_terminal_reload_and_the_live_release_serves_on(tmp_path: Path, small_catalog: Path) -> None:
    data = tmp_path / "cli-kb"
    env = {**os.environ, "SHOPGUIDE_DATA_DIR": str(data), "SHOPGUIDE_EMBED_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-c", "from bots.cli import main; main()", "kb", "reload", str(small_catalog)]
    status = [*command[:3], "kb", "status"]
    first = subprocess.run(command, check=False, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S)
    assert first.returncode == 0, first.stderr
    before = subprocess.run(
        status, check=False, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S
    ).stdout
    assert before.startswith("live: ")
    path = small_catalog / "products.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    # Enough rows that embedding outlasts the signal's way in: with the small catalog alone the reload
    # could finish between "validated" and the SIGINT, and exit 0.
    grown = rows + [{**r, "sku": f"{r['sku']}-C{n}"} for n in range(RELOAD_COPIES) for r in rows]
    path.write_text("".join(json.dumps({**r, "price": 1.0}) + "\n" for r in grown), "utf-8")

    job = interrupt_after(command, marker="validated", env=env, timeout_s=SUBPROCESS_TIMEOUT_S)
    shown = job.stderr
    assert job.returncode == EXIT_CANCELLED, shown
    assert "cancelling…" in shown and "cancelled" in shown and "live release is unchanged" in shown
    assert "Traceback" not in shown

    after = subprocess.run(
        status, check=False, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S
    ).stdout
    assert after == before  # the same live release, and no half-built one listed
    store = open_store(mode="embedded", data_dir=data)
    assert all(p.price != 1.0 for p in store.all_products())
