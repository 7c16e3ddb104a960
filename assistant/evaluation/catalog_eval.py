"""``shopguide eval --catalog DIR --questions FILE``: a shop's own catalog and labelled questions, end to end.

The catalog is loaded into a throw-away data directory exactly as ``shopguide kb reload --skip-invalid``
would (rows the loader refuses are reported, not fatal), every question goes through the real pipeline in
a fresh conversation, and ``judge.py`` scores each answer mechanically.

Question file: JSON lines with ``id``, ``kind``, ``lang`` (zh|en), ``q`` and gold fields: ``skus``, ``price``,
``in_stock``, ``answer`` (yes|no), ``allowed_skus`` with ``price_min``/``price_max``, ``absent``,
``unanswerable``, ``values`` (policy numbers), ``compared``. The bundled set for the second catalog is
``knowledge/data/eval/outdoor/questions.jsonl``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from knowledge.bootstrap import open_store
from knowledge.loaders import LoadOptions, load_paths
from knowledge.reload import reload_catalog

from ..admin import load_options
from ..app import Assistant, build_assistant
from ..config import Settings
from ..ports import Generator
from ..types import IncomingMessage
from .judge import CatalogIndex, Verdict, judge, load_rules

OUTDOOR_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "eval" / "outdoor"
OUTDOOR_CATALOG = OUTDOOR_DIR / "catalog"
OUTDOOR_QUESTIONS = OUTDOOR_DIR / "questions.jsonl"
# Kinds where the right answer is "I don't know" or "we don't sell that": not counted as answerable.
ABSTAIN_KINDS = frozenset({"unanswerable", "no_price"})
NOT_SOLD_KINDS = frozenset({"not_sold"})


def load_questions(path: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for number, row in enumerate(rows, start=1):
        missing = {"kind", "lang", "q"} - set(row)
        if missing:
            raise ValueError(f"{path}:{number}: missing {', '.join(sorted(missing))}")
        row.setdefault("id", f"q{number:03d}")
    return rows


@contextmanager
def catalog_assistant(
    catalog: Path, base: Settings, *, generator: Generator | None = None, use_configured_generator: bool = True
) -> Iterator[tuple[Assistant, dict[str, Any]]]:
    """An assistant over ``catalog`` in a temporary data directory, and what the loader said about it."""
    with tempfile.TemporaryDirectory(prefix="shopguide-eval-") as tmp:
        settings = base.model_copy(update={"data_dir": Path(tmp), "catalog_dir": catalog})
        store = open_store(mode="embedded", data_dir=Path(tmp), embed_threads=settings.embed_threads)
        outcome = reload_catalog(
            store, [catalog], options=load_options(settings), skip_invalid=True, created_by="system:eval", force=True
        )
        loaded = outcome.loaded
        load_report = {
            "products": len(loaded.products),
            "passages": len(loaded.docs),
            "rows_refused": len(loaded.problems),
            "problems": loaded.problems,
            "notices": loaded.notices,
        }
        assistant = build_assistant(
            settings, generator=generator, use_configured_generator=use_configured_generator, knowledge=store
        )
        load_report["doc_texts"] = [d.text for d in loaded.docs]
        try:
            yield assistant, load_report
        finally:
            # Close the model here; the temporary directory (and its Chroma files) goes with the block.
            asyncio.run(assistant.aclose())


def rejudge_report(report: dict[str, Any], catalog: Path, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Score the answers stored in an earlier report again with the current judge, without asking anything.

    The catalog is read with the loader (no store, no model), as the judge only needs names and facts.
    """
    loaded = load_paths([catalog], LoadOptions())
    index = CatalogIndex.build(list(loaded.products), [d.text for d in loaded.docs], load_rules())
    by_id = {row["id"]: row for row in questions}
    results = []
    for old in report["results"]:
        row = by_id[old["id"]]
        verdict = judge(row, old["answer"], [StoredCard(sku) for sku in old["cards"]], index)
        results.append({**old, **_verdict_fields(row, verdict)})
    return summarise(results)


@dataclass(frozen=True)
class StoredCard:
    sku: str


def _verdict_fields(row: dict[str, Any], verdict: Verdict) -> dict[str, Any]:
    return {
        "named": verdict.named,
        "checks": verdict.checks,
        "fully_right": verdict.fully_right,
        "yes_no": verdict.yes_no,
        "gold_answer": row.get("answer"),
        "abstained": verdict.abstained,
        "wrong_role": verdict.wrong_role,
        "unsupported": verdict.unsupported,
        "echoed": verdict.echoed,
    }


def _rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


async def run_catalog_eval(
    assistant: Assistant,
    questions: list[dict[str, Any]],
    doc_texts: list[str],
    *,
    limit: int = 0,
    on_answer: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Ask every question (fresh conversation each) and judge the answers; returns the full report."""
    rows = questions[:limit] if limit else questions
    index = CatalogIndex.build(list(assistant.catalog.all_products()), doc_texts, load_rules())
    results: list[dict[str, Any]] = []
    for number, row in enumerate(rows):
        message = IncomingMessage(platform="eval", chat_id="catalog", user_id=f"q{number}", text=row["q"])
        started = time.perf_counter()
        reply = await assistant.ask(message)
        seconds = time.perf_counter() - started
        verdict = judge(row, reply.text, reply.cards, index, handoff=reply.handoff)
        results.append(
            {
                "id": row["id"],
                "kind": row["kind"],
                "lang": row["lang"],
                "q": row["q"],
                "answer": reply.text,
                "cards": [c.sku for c in reply.cards],
                **_verdict_fields(row, verdict),
                "degraded": reply.degraded,
                "blocked": reply.blocked,
                "seconds": round(seconds, 3),
                "latency_ms": {k: round(v, 1) for k, v in reply.latency_ms.items()},
            }
        )
        if on_answer:
            on_answer(number + 1, len(rows))
    return summarise(results)


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(results)
    answerable = [r for r in results if r["kind"] not in ABSTAIN_KINDS | NOT_SOLD_KINDS]
    unanswerable = [r for r in results if r["kind"] in ABSTAIN_KINDS]
    yes_no = [r for r in results if "yes_no" in r["checks"]]
    gold_yes = [r for r in yes_no if r["gold_answer"] == "yes"]
    seconds = [r["seconds"] for r in results]
    by_kind = {
        kind: {"n": len(sub), "fully_right": _rate(sum(r["fully_right"] for r in sub), len(sub))}
        for kind in sorted({r["kind"] for r in results})
        for sub in [[r for r in results if r["kind"] == kind]]
    }
    by_language = {
        lang: {"n": len(sub), "fully_right": _rate(sum(r["fully_right"] for r in sub), len(sub))}
        for lang in sorted({r["lang"] for r in results})
        for sub in [[r for r in results if r["lang"] == lang]]
    }
    failures = [r for r in results if not r["fully_right"]]
    return {
        "questions": n,
        "fully_right": _rate(sum(r["fully_right"] for r in results), n),
        "yes_no_accuracy": _rate(sum(r["checks"]["yes_no"] for r in yes_no), len(yes_no)),
        "yes_no_unparsed": sum(1 for r in yes_no if r["yes_no"] is None),
        "yes_no_always_yes_baseline": _rate(len(gold_yes), len(yes_no)),
        "honest_dont_know": _rate(sum(r["fully_right"] for r in unanswerable), len(unanswerable)),
        "false_abstain": _rate(sum(r["abstained"] for r in answerable), len(answerable)),
        "numbers_wrong_role": sum(len(r["wrong_role"]) for r in results),
        "numbers_unsupported": sum(len(r["unsupported"]) for r in results),
        "echoed": sum(r["echoed"] for r in results),
        "language_match": _rate(sum(r["checks"]["language"] for r in results), n),
        "degraded": sum(1 for r in results if r["degraded"]),
        "seconds_p50": statistics.median(seconds) if seconds else 0.0,
        "by_kind": by_kind,
        "by_language": by_language,
        "failed_checks": _failed_checks(failures),
        "results": results,
    }


def _failed_checks(failures: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in failures:
        for name, ok in row["checks"].items():
            if not ok:
                counts[name] = counts.get(name, 0) + 1
        for name in ("wrong_role", "unsupported"):
            if row[name]:
                counts[f"number_{name}"] = counts.get(f"number_{name}", 0) + 1
        if row["echoed"]:
            counts["echoed"] = counts.get("echoed", 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def print_catalog_report(report: dict[str, Any], console: Console, title: str) -> None:
    load = report.get("load", {})
    table = Table(title=f"{title} ({report['questions']} questions)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    if load:
        table.add_row("products loaded (rows refused by the loader)", f"{load['products']} ({load['rows_refused']})")
    table.add_row("fully right (product, price, stock, claim)", _pct(report["fully_right"]))
    for lang, figures in report["by_language"].items():
        table.add_row(f"  {lang} (n={figures['n']})", _pct(figures["fully_right"]))
    table.add_row(
        "yes/no right (always-yes baseline)",
        f"{_pct(report['yes_no_accuracy'])} ({_pct(report['yes_no_always_yes_baseline'])})",
    )
    table.add_row("honest 'don't know' on unanswerable", _pct(report["honest_dont_know"]))
    table.add_row("false abstain on answerable", _pct(report["false_abstain"]))
    table.add_row("numbers in a wrong role", str(report["numbers_wrong_role"]))
    table.add_row("numbers supported by no fact", str(report["numbers_unsupported"]))
    table.add_row("answers repeating the question", str(report["echoed"]))
    table.add_row("answer in the question's language", _pct(report["language_match"]))
    table.add_row("fell back to the retrieval-only answer", str(report["degraded"]))
    table.add_row("seconds per question p50", f"{report['seconds_p50']:.2f}")
    for kind, figures in report["by_kind"].items():
        table.add_row(f"  right: {kind} (n={figures['n']})", _pct(figures["fully_right"]))
    console.print(table)
    if report["failed_checks"]:
        console.print("failed checks: " + ", ".join(f"{k} {v}" for k, v in report["failed_checks"].items()))
