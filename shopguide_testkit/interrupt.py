"""Run a CLI command in a subprocess and press Ctrl-C once it reports a given stage, as a user would."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Interrupted:
    returncode: int
    stdout: str
    stderr: str  # everything the command wrote to stderr, before and after the signal


def interrupt_after(command: Sequence[str], *, marker: str, env: Mapping[str, str], timeout_s: float) -> Interrupted:
    """Start ``command``, read its stderr until ``marker`` appears (or it ends), then send SIGINT.

    The stage marker, not a sleep, decides when to press: a fast machine would otherwise finish first.
    """
    job = subprocess.Popen(list(command), env=dict(env), stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert job.stderr is not None
    seen = ""
    deadline = time.monotonic() + timeout_s
    while marker not in seen and time.monotonic() < deadline:
        line = job.stderr.readline()
        if not line:
            break
        seen += line
    job.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
    out, rest = job.communicate(timeout=timeout_s)
    return Interrupted(job.returncode, out, seen + rest)
