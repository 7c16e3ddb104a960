"""Every file shopguide writes in its data directory, truncated or corrupted: nothing crashes, and the fix
the error names (``kb doctor --repair``) brings every command back with the whole catalog served.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from fault_commands import READ_COMMANDS, REPAIR_COMMAND, assert_clean, assert_everything_works, run
from fault_env import Seed

from knowledge.store import POINTER_FILE

SEED = 11  # fixed, so a failure is reproducible; the byte positions still vary per file and kind
FLIPPED_BYTES = 16


def live_release(data_dir: Path) -> Path:
    pointer = json.loads((data_dir / POINTER_FILE).read_text("utf-8"))
    return data_dir / "releases" / pointer["release_id"]


def older_release(data_dir: Path) -> Path:
    live = live_release(data_dir).name
    return next(p for p in sorted((data_dir / "releases").iterdir()) if p.is_dir() and p.name != live)


TARGETS: dict[str, Callable[[Path], Path]] = {
    "pointer": lambda d: d / POINTER_FILE,
    "manifest": lambda d: live_release(d) / "manifest.json",
    "products": lambda d: live_release(d) / "products.jsonl",
    "docs": lambda d: live_release(d) / "docs.jsonl",
    "reviews": lambda d: live_release(d) / "reviews.jsonl",
    "bm25": lambda d: live_release(d) / "products.bm25.npz",
    "updates": lambda d: live_release(d) / "updates.jsonl",
    "rollback-target products": lambda d: older_release(d) / "products.jsonl",
    "chroma.sqlite3": lambda d: d / "chroma" / "chroma.sqlite3",
    "memory.sqlite3": lambda d: d / "memory.sqlite3",
    "handoff.sqlite3": lambda d: d / "handoff.sqlite3",
    "audit.jsonl": lambda d: d / "audit.jsonl",
    "shopguide.log": lambda d: d / "shopguide.log",
}


def corrupt(path: Path, kind: str, rng: random.Random) -> None:
    data = path.read_bytes()
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "half":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "flip":
        buf = bytearray(data)
        for _ in range(FLIPPED_BYTES):
            # Past the first 100 bytes: a damaged header is the easy case, "empty" and "garbage" cover it.
            at = rng.randrange(min(100, len(buf) // 2), len(buf))
            buf[at] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(buf))
    elif kind == "garbage":
        path.write_bytes(rng.randbytes(max(64, len(data))))


@pytest.mark.parametrize("kind", ["empty", "half", "flip", "garbage"])
@pytest.mark.parametrize("target", list(TARGETS))
def test_a_corrupted_file_never_crashes_a_command_and_the_named_fix_works(
    data_copy: Path, seed: Seed, target: str, kind: str
) -> None:
    path = TARGETS[target](data_copy)
    assert path.exists() and path.stat().st_size > 0, f"the seed should have written {path}"
    corrupt(path, kind, random.Random(f"{SEED}:{target}:{kind}"))

    outcomes = [run(data_copy, *args) for args in READ_COMMANDS]

    for outcome in outcomes:
        assert_clean(outcome)
        if outcome.hint and outcome.args[:2] != ("kb", "doctor"):
            assert REPAIR_COMMAND in outcome.hint, outcome.output  # the one fix proven below
    repair = run(data_copy, *REPAIR_COMMAND.split())
    assert repair.exit_code == 0, repair.output
    assert_everything_works(data_copy, seed.products)
