"""One reload: read files, validate, build a release beside the live one, gate it, switch, prune.

The live release is untouched until the gate passes; any failure before the switch leaves it serving.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CatalogValidationError, KnowledgeError, ReleaseGateRefused, ReloadCancelled
from .evaluation import GateReport, LabelledQuery, load_queries, run_gate
from .loaders import REFERENCE_QUESTIONS_FILE, LoadedKnowledge, LoadOptions, expand_paths, load_paths
from .releases import ReleaseDiff, diff_products, products_by_sku
from .store import KnowledgeStore, new_release_id

ReloadProgress = Callable[[str, int, int], None]
# Problems listed in an error message; the full list is on the exception for the CLI to print.
PROBLEMS_SHOWN = 20


@dataclass
class ReloadOutcome:
    release_id: str
    activated: bool
    loaded: LoadedKnowledge
    gate: GateReport | None = None
    diff: ReleaseDiff | None = None
    skipped_rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)  # what was carried over from the live release, said aloud

    def summary(self) -> str:
        loaded = self.loaded
        counts = f"{len(loaded.products)} products, {len(loaded.docs)} passages, {len(loaded.reviews)} reviews"
        state = f"release {self.release_id} live" if self.activated else f"release {self.release_id} built, not live"
        parts = [state, counts]
        parts += self.kept
        if self.skipped_rows:
            parts.append(f"{self.skipped_rows} invalid rows skipped")
        if self.loaded.flagged:
            parts.append(f"{len(self.loaded.flagged)} instruction-like passages neutralised")
        if self.diff is not None:
            parts.append(self.diff.summary())
        if self.gate is not None:
            parts.append(self.gate.describe())
        return "; ".join(parts)


def read_reference_questions(paths: Sequence[Path], configured: Path | None) -> list[LabelledQuery]:
    """``reference_questions.jsonl`` beside the catalog wins, then the configured file, else none."""
    for path in expand_paths(paths):
        if path.name == REFERENCE_QUESTIONS_FILE:
            return load_queries(path)
    if configured is not None and configured.exists():
        return load_queries(configured)
    return []


def load_checked(paths: Sequence[Path], options: LoadOptions, *, skip_invalid: bool) -> LoadedKnowledge:
    """Load and validate; any bad row refuses the whole load unless ``skip_invalid``."""
    loaded = load_paths(paths, options)
    if loaded.problems and not skip_invalid:
        shown = "\n".join(loaded.problems[:PROBLEMS_SHOWN])
        more = len(loaded.problems) - PROBLEMS_SHOWN
        raise CatalogValidationError(
            f"{len(loaded.problems)} problems; nothing was loaded:\n{shown}"
            + (f"\n... and {more} more" if more > 0 else ""),
            loaded.problems,
            hint="fix the rows listed, or pass --skip-invalid to load the valid rows only",
        )
    if not loaded.products and not loaded.docs:
        raise CatalogValidationError("no products or documents found", loaded.problems, hint="check the paths")
    return loaded


def keep_side_knowledge(store: KnowledgeStore, loaded: LoadedKnowledge) -> list[str]:
    """A load without FAQ/policy files (or without reviews) keeps those of the live release.

    Reloading a products file alone is the common case (a new price list); dropping every passage with
    it would leave policy questions unanswered without a word. Returns what was kept, to be reported.
    """
    if not store.has_live:
        return []
    live = store.live
    kept: list[str] = []
    if not loaded.docs and live.docs:
        loaded.docs = list(live.docs)
        kept.append(f"kept {len(live.docs)} FAQ/policy passages of release {live.release_id} (none in the files)")
    if not loaded.reviews and live.reviews and loaded.products:
        skus = {p.sku for p in loaded.products}
        reviews = [r for sku, rs in live.reviews.items() if sku in skus for r in rs]
        if reviews:
            loaded.reviews = reviews
            kept.append(f"kept {len(reviews)} reviews of release {live.release_id} (none in the files)")
    loaded.notices.extend(kept)
    return kept


def preview_diff(store: KnowledgeStore, paths: Sequence[Path], options: LoadOptions) -> ReleaseDiff:
    """What reloading ``paths`` would change in the live catalog, without building anything."""
    loaded = load_paths(paths, options)
    old = store.live.products if store.has_live else {}
    return diff_products(
        old, products_by_sku(loaded.products), store.live.release_id if store.has_live else "-", "files"
    )


def reload_catalog(
    store: KnowledgeStore,
    paths: Sequence[Path],
    *,
    options: LoadOptions | None = None,
    skip_invalid: bool = False,
    created_by: str = "system",
    reference_questions: Path | None = None,
    force: bool = False,
    activate: bool = True,
    progress: ReloadProgress | None = None,
    cancel: threading.Event | None = None,
) -> ReloadOutcome:
    """Build, gate and (if it passes) switch to a new release from ``paths``.

    ``cancel`` set (Ctrl-C, a chat's cancel command) stops the reload at its next progress step before the
    switch with ``ReloadCancelled``; the half-built release is dropped and the live one keeps serving.
    """
    progress = _cancellable(progress, cancel)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    loaded = load_checked(paths, options or LoadOptions(), skip_invalid=skip_invalid)
    timings["load"] = time.perf_counter() - started
    if progress:
        progress("validated", len(loaded.products), len(loaded.products))
    kept = keep_side_knowledge(store, loaded)
    store.collect_garbage()
    release_id = new_release_id()
    outcome = ReloadOutcome(release_id, False, loaded, skipped_rows=len(loaded.problems), seconds=timings, kept=kept)
    try:
        mark = time.perf_counter()
        store.build_release(loaded, release_id=release_id, progress=progress, created_by=created_by)
        timings["build"] = time.perf_counter() - mark
        _gate_and_switch(store, outcome, paths, reference_questions, force=force, activate=activate, progress=progress)
    except BaseException:
        # A release that failed its gate, could not be read back or switched in (or whose progress
        # relay failed) is never left listed; the live one is untouched.
        if not outcome.activated and release_id in store.release_ids():
            with contextlib.suppress(KnowledgeError):
                store.drop_release(release_id)
        raise
    return outcome


def _cancellable(progress: ReloadProgress | None, cancel: threading.Event | None) -> ReloadProgress | None:
    """Progress that also stops the reload once ``cancel`` is set: every indexed batch reports, so a
    cancel takes effect within one batch. Once the new release is live there is nothing left to stop."""
    if cancel is None:
        return progress

    def stop_if_cancelled(stage: str) -> None:
        if cancel.is_set() and stage != "live":
            raise ReloadCancelled(f"reload cancelled at '{stage}': the live release is unchanged, no new one kept")

    def step(stage: str, done: int, total: int) -> None:
        stop_if_cancelled(stage)
        if progress is not None:
            progress(stage, done, total)
        stop_if_cancelled(stage)  # a cancel while this step was shown counts before the next (the switch)

    return step


def _gate_and_switch(
    store: KnowledgeStore,
    outcome: ReloadOutcome,
    paths: Sequence[Path],
    reference_questions: Path | None,
    *,
    force: bool,
    activate: bool,
    progress: ReloadProgress | None,
) -> None:
    release_id = outcome.release_id
    timings = outcome.seconds
    live = store.live if store.has_live else None
    with store.lease(release_id) as candidate:
        outcome.diff = diff_products(
            live.products if live else {}, candidate.products, live.release_id if live else "-", release_id
        )
        mark = time.perf_counter()
        reference = read_reference_questions(paths, reference_questions)
        outcome.gate = run_gate(store, live, candidate, reference)
        timings["gate"] = time.perf_counter() - mark
    store.record_gate(release_id, outcome.gate.new_accuracy)
    if progress:
        progress("gated", outcome.gate.questions, outcome.gate.questions)
    if not outcome.gate.passed and not force:
        raise ReleaseGateRefused(outcome.gate.describe() + "; the live release is unchanged", outcome)
    if activate:
        mark = time.perf_counter()
        store.activate(release_id)
        timings["switch"] = time.perf_counter() - mark
        outcome.activated = True
        if progress:
            progress("live", 1, 1)


__all__ = ["KnowledgeError", "ReloadOutcome", "load_checked", "preview_diff", "reload_catalog"]
