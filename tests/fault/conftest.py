"""Fixtures of the fault suite: one seeded data directory, built once by a real ``shopguide`` process.

The seed has two releases (the older one a rollback target), a live update (``updates.jsonl``),
conversation memory, a handoff ticket, audit lines and a log file: every kind of file shopguide
writes. Each test works on its own copy, so a corrupted or half-written copy never leaks into another.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fault_env import COMMAND_TIMEOUT_S, DEMO_DIR, Seed, env_for

PER_CATEGORY = 2

SEED_SCRIPT = """
import sys
from pathlib import Path
from typer.testing import CliRunner
from bots.cli import app
from assistant.handoff import HandoffTicket, SQLiteTicketStore
catalog, catalog2, update, data = (Path(a) for a in sys.argv[1:5])
runner = CliRunner()
for args in (["kb", "reload", str(catalog)], ["kb", "reload", str(catalog2)], ["kb", "upsert", str(update)],
             ["ask", "running shoes under 500"]):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (args, result.output)
ticket = HandoffTicket("t1", "cli:ask:u", "cli", "ask", None, "u", "asked", "en")
SQLiteTicketStore(data / "handoff.sqlite3").save(ticket)
"""


def write_catalog(folder: Path, rows: list[dict[str, object]]) -> Path:
    folder.mkdir(parents=True)
    (folder / "products.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    for name in ("faq.md", "policies.md"):
        if (DEMO_DIR / name).exists():
            shutil.copy(DEMO_DIR / name, folder / name)
    skus = {r["sku"] for r in rows}
    reviews = [line for line in (DEMO_DIR / "reviews.jsonl").read_text("utf-8").splitlines() if line.strip()]
    kept = [line for line in reviews if json.loads(line)["sku"] in skus]
    (folder / "reviews.jsonl").write_text("".join(line + "\n" for line in kept), "utf-8")
    return folder


@pytest.fixture(scope="session")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    base = tmp_path_factory.mktemp("fault-seed")
    rows: list[dict[str, object]] = []
    seen: dict[object, int] = {}
    for line in (DEMO_DIR / "products.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        if seen.get(row["category"], 0) < PER_CATEGORY:
            seen[row["category"]] = seen.get(row["category"], 0) + 1
            rows.append(row)
    catalog = write_catalog(base / "catalog", rows)
    catalog2 = write_catalog(base / "catalog2", [{**r, "price": float(str(r["price"])) + 1} for r in rows])
    update = base / "update.jsonl"
    update.write_text(json.dumps({**rows[0], "price": 1.0, "stock": 3}, ensure_ascii=False) + "\n", "utf-8")
    data = base / "data"
    done = subprocess.run(
        [sys.executable, "-c", SEED_SCRIPT, str(catalog), str(catalog2), str(update), str(data)],
        env=env_for(data),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S * 2,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return Seed(data, catalog, catalog2, update, len(rows))


@pytest.fixture
def data_copy(seed: Seed, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(seed.data_dir, target)
    return target


@pytest.fixture(autouse=True)
def _every_fault_test_restores_logging(restore_logging: None) -> None:
    """CLI commands run in-process reconfigure the root logger (see ``restore_logging`` in tests/conftest.py)."""
