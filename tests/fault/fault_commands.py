"""Run shopguide's commands against a data directory the way a user does, and judge the outcome.

Commands run in-process through the real CLI (``typer``'s runner: same code path, no process start),
each with ``SHOPGUIDE_DATA_DIR`` pointing at the directory under test. A command either works, or fails
cleanly: exit code 2 with ``error <code>`` and a ``fix:`` line, never a traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from click.testing import Result
from fault_env import COMMAND_TIMEOUT_S, env_for
from typer.testing import CliRunner

from bots.cli import app

CLEAN_FAILURE_EXIT = 2
LIVE_LINE = re.compile(r"live: (\S+) \((\d+) products")
REPAIR_COMMAND = "kb doctor --repair"
# What a user runs against a data directory; none of them may crash, whatever the files hold.
READ_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("kb", "status"),
    ("kb", "diff"),
    ("ask", "running shoes under 500", "--json"),
    ("privacy", "purge", "--dry-run"),
    ("kb", "doctor"),
)


@dataclass(frozen=True)
class Outcome:
    args: tuple[str, ...]
    exit_code: int
    output: str
    crashed: bool  # an exception other than the CLI's own exit escaped

    @property
    def hint(self) -> str:
        lines = [line.strip() for line in self.output.splitlines() if line.strip().startswith("fix:")]
        return " ".join(lines)


def run(data_dir: Path, *args: str) -> Outcome:
    # The runner only overrides variables: unset the caller's own SHOPGUIDE_* settings explicitly.
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("SHOPGUIDE_")}
    env.update(env_for(data_dir))
    result: Result = CliRunner().invoke(app, list(args), env=env)
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    return Outcome(tuple(args), result.exit_code, result.output, crashed)


def assert_clean(outcome: Outcome) -> None:
    """Worked, or failed with a code and a fix; ``kb doctor`` may exit 1 (it found problems)."""
    assert not outcome.crashed, f"{outcome.args} crashed:\n{outcome.output[-2000:]}"
    if outcome.exit_code == 0:
        return
    if outcome.args[:2] == ("kb", "doctor"):
        assert outcome.exit_code == 1 and "fix:" in outcome.output, outcome.output
        return
    assert outcome.exit_code == CLEAN_FAILURE_EXIT, f"{outcome.args}: exit {outcome.exit_code}\n{outcome.output}"
    assert "error " in outcome.output and outcome.hint, outcome.output


def assert_everything_works(data_dir: Path, products: int) -> None:
    """Every command works and the live release serves the whole catalog."""
    status = run(data_dir, "kb", "status")
    assert status.exit_code == 0 and f"({products} products" in status.output, status.output
    answer = run(data_dir, "ask", "running shoes under 500", "--json")
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.output.strip().splitlines()[-1])["products"], answer.output
    doctor = run(data_dir, "kb", "doctor")
    assert doctor.exit_code == 0, doctor.output
    purge = run(data_dir, "privacy", "purge", "--dry-run")
    assert purge.exit_code == 0, purge.output


def shopguide_command() -> list[str]:
    """The installed ``shopguide`` script of this interpreter's environment (what a user runs)."""
    beside = Path(sys.executable).parent / "shopguide"
    if beside.exists():
        return [str(beside)]
    return [sys.executable, "-c", "from bots.cli import main; main()"]


def live_state(data_dir: Path) -> tuple[str, int]:
    status = run(data_dir, "kb", "status")
    assert status.exit_code == 0, status.output
    match = LIVE_LINE.search(status.output.replace("\n", " "))
    assert match, status.output
    return match.group(1), int(match.group(2))


def start(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*shopguide_command(), *args],
        env=env_for(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> None:
    try:
        proc.wait(timeout=COMMAND_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
