"""Concurrent reloads (two real processes) and purges: both reloads finish, every listed release is
whole, and a purge running beside admin commands loses none of their audit lines.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

from fault_commands import assert_everything_works, finish, live_state, run, start
from fault_env import DEMO_DIR, Seed

from assistant.admin import AdminActor, AuditLog
from assistant.config import Settings
from assistant.safety.retention import purge

WRITERS = 4
ENTRIES_PER_WRITER = 40
OLD_TS = "2000-01-01T00:00:00+0000"
PURGE_ROUNDS = 25


def test_two_reloads_at_once_beside_purges_both_finish_and_leave_whole_releases(data_copy: Path, seed: Seed) -> None:
    bigger = data_copy.parent / "bigger"
    shutil.copytree(seed.catalog, bigger)
    extra = json.loads((DEMO_DIR / "products.jsonl").read_text("utf-8").splitlines()[-1])
    with (bigger / "products.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({**extra, "sku": "CONC-NEW-1"}, ensure_ascii=False) + "\n")

    first = start(data_copy, "kb", "reload", str(bigger), "--force")
    second = start(data_copy, "kb", "reload", str(seed.catalog2), "--force")
    purges = []
    while first.poll() is None or second.poll() is None:
        purges.append(run(data_copy, "privacy", "purge", "--older-than", "0"))
        time.sleep(0.2)
    finish(first)
    finish(second)

    assert (first.returncode, second.returncode) == (0, 0)
    assert purges and all(p.exit_code == 0 for p in purges), [p.output for p in purges if p.exit_code]
    _, count = live_state(data_copy)
    assert count in (seed.products, seed.products + 1)
    doctor = run(data_copy, "kb", "doctor")
    assert doctor.exit_code == 0, doctor.output  # every listed release opens; nothing half-built is left
    assert_everything_works(data_copy, count)


def test_a_purge_beside_audit_appends_loses_no_new_entry(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    audit = AuditLog(settings.audit_log)
    actor = AdminActor("cli", "tester")
    done = threading.Event()

    def write(writer: int) -> None:
        for n in range(ENTRIES_PER_WRITER):
            audit.record(actor, "status", "ok", detail=f"w{writer}-{n}")
            audit.record(actor, "status", "ok", detail="old", ts=OLD_TS)  # what the purge is for

    def purge_loop() -> None:
        rounds = 0
        while not done.is_set() or rounds < PURGE_ROUNDS:
            purge(settings, 1)
            rounds += 1

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    purger = threading.Thread(target=purge_loop)
    purger.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    purger.join()
    purge(settings, 1)

    details = [e["detail"] for e in audit.entries()]
    assert sorted(details) == sorted(f"w{w}-{n}" for w in range(WRITERS) for n in range(ENTRIES_PER_WRITER))
