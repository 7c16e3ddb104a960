"""kill -9 of a real ``shopguide kb reload`` / ``kb upsert`` process at random points: afterwards every
command works, the live release is the old one or the new one whole (never a mix), and nothing listed is
half-built.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from fault_commands import assert_everything_works, finish, live_state, run, start
from fault_env import COMMAND_TIMEOUT_S, DEMO_DIR, Seed

from knowledge.store import POINTER_FILE

SEED = 9
CASES = 3
# Progress lines `kb reload` prints on stderr, in order; a kill is aimed just after one of them.
RELOAD_STAGES = ("validated", "indexed", "index built", "checked", "new release is live")
MAX_EXTRA_DELAY_S = 0.3
# `kb upsert` prints nothing until done: it is killed a random time after it starts writing to the index
# (120 products take about this long to write here, then the updates log and the pointer follow).
UPSERT_WRITE_WINDOW_S = 2.0
POLL_S = 0.02
AFTER_LOG_S = 0.005


def seed_state(data_dir: Path, seed: Seed) -> tuple[str, int]:
    """The live release before the kill, read from the files: opening the store in this process first
    would keep a Chroma view that the killed process's writes make stale (see the README)."""
    return str(json.loads((data_dir / POINTER_FILE).read_text("utf-8"))["release_id"]), seed.products


def kill_when(proc: subprocess.Popen[str], stage: str, delay: float, deadline: float) -> str:
    """SIGKILL ``delay`` seconds after ``stage`` appears on stderr; returns where it landed."""
    assert proc.stderr is not None
    seen = threading.Event()

    def watch() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if stage in line:
                seen.set()
                return

    threading.Thread(target=watch, daemon=True).start()
    while not seen.wait(0.05):
        if proc.poll() is not None or time.monotonic() > deadline:
            return "finished before the kill"
    time.sleep(delay)
    if proc.poll() is not None:
        return "finished before the kill"
    proc.send_signal(signal.SIGKILL)
    return f"killed after '{stage}' +{delay:.2f} s"


def kill_while_writing(proc: subprocess.Popen[str], index: Path, delay: float) -> str:
    """SIGKILL ``delay`` seconds after the process first changes ``index`` (a folder's files, or one file)."""

    def stamps() -> dict[Path, int]:
        files = index.rglob("*") if index.is_dir() else [index]
        return {p: p.stat().st_mtime_ns for p in files if p.is_file()}

    before = stamps()
    deadline = time.monotonic() + COMMAND_TIMEOUT_S
    while stamps() == before:
        if proc.poll() is not None or time.monotonic() > deadline:
            return "finished before writing was seen"
        time.sleep(POLL_S)
    time.sleep(delay)
    if proc.poll() is not None:
        return "finished before the kill"
    proc.send_signal(signal.SIGKILL)
    return f"killed {delay:.2f} s into its writes"


def check_then_repair(data_dir: Path) -> None:
    """A kill leaves at most warnings (an unfinished build, a torn update), each with a fix that works."""
    doctor = run(data_dir, "kb", "doctor")
    assert doctor.exit_code in (0, 1) and "ERROR" not in doctor.output, doctor.output
    repair = run(data_dir, "kb", "doctor", "--repair")
    assert repair.exit_code == 0, repair.output


@pytest.mark.parametrize("case", range(CASES))
def test_kill9_during_reload_leaves_the_old_or_the_new_release_whole(data_copy: Path, seed: Seed, case: int) -> None:
    rng = random.Random(f"{SEED}:reload:{case}")
    old_id, old_count = seed_state(data_copy, seed)
    bigger = data_copy.parent / "bigger"
    shutil.copytree(seed.catalog, bigger)
    extra = json.loads((DEMO_DIR / "products.jsonl").read_text("utf-8").splitlines()[-1])
    with (bigger / "products.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({**extra, "sku": "KILL-NEW-1"}, ensure_ascii=False) + "\n")

    proc = start(data_copy, "kb", "reload", str(bigger), "--force")
    stage = RELOAD_STAGES[case % len(RELOAD_STAGES)] if case else rng.choice(RELOAD_STAGES)
    where = kill_when(proc, stage, rng.uniform(0, MAX_EXTRA_DELAY_S), time.monotonic() + COMMAND_TIMEOUT_S)
    finish(proc)

    live_id, count = live_state(data_copy)
    assert (live_id, count) == (old_id, old_count) or (live_id != old_id and count == old_count + 1), where
    check_then_repair(data_copy)
    assert_everything_works(data_copy, count)
    again = run(data_copy, "kb", "reload", str(bigger), "--force")  # and the next reload succeeds
    assert again.exit_code == 0, again.output
    print(f"reload case {case}: {where}; live {'new' if live_id != old_id else 'old'}")


@pytest.mark.parametrize("case", range(CASES))
def test_kill9_during_upsert_applies_all_or_nothing(data_copy: Path, seed: Seed, case: int) -> None:
    rng = random.Random(f"{SEED}:upsert:{case}")
    old_id, old_count = seed_state(data_copy, seed)
    rows = [json.loads(line) for line in (DEMO_DIR / "products.jsonl").read_text("utf-8").splitlines()]
    upsert = data_copy.parent / "upsert.jsonl"
    new = [{**r, "sku": f"KILL-{i:04d}"} for i, r in enumerate(rows[:120])]
    upsert.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in new), "utf-8")

    proc = start(data_copy, "kb", "upsert", str(upsert))
    if case < CASES - 1:  # somewhere in its index writes
        where = kill_while_writing(proc, data_copy / "chroma", rng.uniform(0, UPSERT_WRITE_WINDOW_S))
    else:  # between its (fsynced) log record and the pointer update that tells other processes
        log = data_copy / "releases" / old_id / "updates.jsonl"
        where = kill_while_writing(proc, log, rng.uniform(0, AFTER_LOG_S))
    finish(proc)

    live_id, count = live_state(data_copy)
    assert live_id == old_id and count in (old_count, old_count + len(new)), where
    check_then_repair(data_copy)
    assert_everything_works(data_copy, count)
    again = run(data_copy, "kb", "upsert", str(upsert))
    assert again.exit_code == 0, again.output
    assert live_state(data_copy) == (old_id, old_count + len(new))
    print(f"upsert case {case}: {where}; {'applied' if count > old_count else 'not applied'}")
