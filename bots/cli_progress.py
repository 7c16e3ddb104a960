"""Long terminal jobs: rich progress bars with counts and an ETA, and Ctrl-C that cancels cleanly.

The job runs in a worker thread so the main thread can take Ctrl-C at any moment; the job is then asked to
stop (``threading.Event``) and finishes its own cleanup before the command exits, instead of being torn
down half-way by a ``KeyboardInterrupt`` raised inside it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from assistant.admin import ProgressEvent, StagePace
from assistant.errors import JobCancelled
from knowledge.durable import write_text_atomic

from .cli_output import err_console

T = TypeVar("T")
# Exit code of a command the user cancelled with Ctrl-C (128 + SIGINT, what shells report).
EXIT_CANCELLED = 130
# How often the waiting main thread wakes; Ctrl-C is taken at once regardless.
JOIN_POLL_S = 0.2
# Stages counted in many steps get a bar; the others are one line when they finish.
BAR_LABELS = {"products": "embedding products", "documents": "indexing passages"}
# The evaluations' one counted stage: questions asked (or messages checked) of the set.
EVAL_STAGE = "questions answered"
EVAL_BARS = {EVAL_STAGE: "asking"}


class JobBars:
    """A long job's progress on stderr: a bar per counted stage (done/total, elapsed, time left) and one line
    per finished step, so a log or a pipe sees the steps too. ``bar_labels`` names the counted stages."""

    def __init__(self, bar_labels: dict[str, str] | None = None) -> None:
        self._labels = BAR_LABELS if bar_labels is None else bar_labels
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=err_console,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> JobBars:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._progress.stop()

    def __call__(self, event: ProgressEvent) -> None:
        if event.stage in self._labels:
            if event.stage not in self._tasks:
                self._tasks[event.stage] = self._progress.add_task(self._labels[event.stage], total=event.total)
            self._progress.update(self._tasks[event.stage], completed=event.done, total=event.total)
        if event.stage not in self._labels or event.done == event.total:
            self._progress.console.print(f"[dim]{escape(event.describe())}[/dim]")


# The reload's bars keep their old name for the kb commands.
ReloadBars = JobBars


def run_cancellable(job: Callable[[threading.Event], T], *, on_cancel: Callable[[], None]) -> T:
    """Run ``job(cancel)`` in a worker thread; Ctrl-C sets ``cancel`` (``on_cancel`` tells the user) and waits
    for the job to stop by itself. Returns the job's result or raises its exception."""
    cancel = threading.Event()
    finished = threading.Event()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["value"] = job(cancel)
        except BaseException as exc:  # handed to the main thread as it is
            outcome["error"] = exc
        finally:
            finished.set()

    threading.Thread(target=work, name="shopguide-job", daemon=True).start()
    # Waiting on an Event, not Thread.join: a KeyboardInterrupt inside join() can leave the thread looking
    # finished while it still runs (CPython bpo-45274).
    while not finished.is_set():
        try:
            finished.wait(JOIN_POLL_S)
        except KeyboardInterrupt:
            if not cancel.is_set():
                cancel.set()
                on_cancel()
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


def run_job(job: Callable[[threading.Event, JobBars], T], *, bar_labels: dict[str, str], keeps: str) -> T:
    """Run ``job(cancel, bars)`` with progress bars on stderr; Ctrl-C asks it to stop, and a job that stops
    with ``JobCancelled`` ends the command with exit code 130. ``keeps`` says what a cancel leaves as it was."""

    def cancelling() -> None:
        err_console.print(f"[yellow]cancelling…[/yellow] {escape(keeps)}")

    try:
        with JobBars(bar_labels) as bars:
            return run_cancellable(lambda cancel: job(cancel, bars), on_cancel=cancelling)
    except JobCancelled as exc:
        err_console.print(f"[yellow]cancelled[/yellow] {escape(exc.message)}", soft_wrap=True)
        raise typer.Exit(code=EXIT_CANCELLED) from exc


def counted(bars: JobBars, stage: str, cancel: threading.Event) -> Callable[[int, int], None]:
    """A per-item report ``(done, total)`` for a job's loop: it moves the bar of ``stage`` and, once Ctrl-C
    set ``cancel``, stops the loop before its next item with ``JobCancelled``."""
    pace = StagePace()

    def report(done: int, total: int) -> None:
        bars(pace.event(stage, done, total))
        if cancel.is_set() and done < total:
            raise JobCancelled(f"{stage} cancelled after {done}/{total}: no report written")

    return report


def write_report(out: Path, report: object) -> None:
    """The JSON report in one piece: a Ctrl-C or a crash while writing leaves the earlier file, never half of it."""
    write_text_atomic(out, json.dumps(report, ensure_ascii=False, indent=2))
