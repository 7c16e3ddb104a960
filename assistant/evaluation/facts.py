"""``shopguide eval``: run the bundled gold questions through the real pipeline and score grounding.

Scores: every price and SKU in an answer matches the catalog; no answer names a product we do not
sell; the answer is in the question's language; the gold value (price, spec, policy number) is stated.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from ..factcheck import FOREIGN_BRANDS, IN_STOCK_RE, OUT_OF_STOCK_RE, PRICE_RE
from ..language import detect_language
from ..ports import Retriever
from ..quantities import NUMBER
from ..types import IncomingMessage, Reply
from ..understanding import SKU_RE


class EvaluatedAssistant(Protocol):
    """What the evaluation needs of the assistant: ask a question, read the live catalog."""

    async def ask(self, message: IncomingMessage) -> Reply: ...

    @property
    def catalog(self) -> Retriever: ...


GOLD_FILE = Path(__file__).resolve().parent / "data" / "facts_gold.jsonl"


def load_gold(path: Path = GOLD_FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip("0").rstrip(".") if "." in n else n.replace(",", "") for n in
            re.findall(NUMBER, text)}  # fmt: skip


def score_reply(row: dict[str, Any], reply: Reply, assistant: EvaluatedAssistant) -> dict[str, Any]:
    catalog = {p.sku: p for p in assistant.catalog.all_products()}
    answer = reply.text
    card_prices = {c.price for c in reply.cards}
    prices = [float((m.group(1) or m.group(2)).replace(",", "")) for m in PRICE_RE.finditer(answer)]
    policy_numbers = {float(n) for n in _numbers(" ".join(reply.sources))} if reply.sources else set()
    # A price is right when it is the catalog price of a product on the reply's cards (or a policy amount).
    price_ok = all(p in card_prices or p in policy_numbers or row["kind"] == "policy" for p in prices)
    skus = {m.group(0).upper() for m in SKU_RE.finditer(answer)}
    sku_ok = all(s in catalog for s in skus)
    foreign = [b for b in FOREIGN_BRANDS if b in answer.lower()]
    language_ok = detect_language(answer) in (row["lang"], "none")
    gold_hit: bool | None = None
    if row["kind"] in ("price", "spec", "policy"):
        shown = _numbers(answer)
        gold_hit = any(g in shown or g in answer for g in row["gold"])
    elif row["kind"] == "stock":
        says_out = bool(OUT_OF_STOCK_RE.search(answer))
        says_in = bool(IN_STOCK_RE.search(answer)) and not says_out
        gold_hit = says_in if row["in_stock"] else says_out
    elif row["kind"] == "not_carried":
        gold_hit = not reply.cards
    return {
        "q": row["q"],
        "kind": row["kind"],
        "lang": row["lang"],
        "answer": answer,
        "price_ok": price_ok,
        "sku_ok": sku_ok,
        "foreign_products": foreign,
        "language_ok": language_ok,
        "gold_hit": gold_hit,
        "degraded": reply.degraded,
        "latency_ms": reply.latency_ms,
    }


async def run_fact_eval(
    assistant: EvaluatedAssistant, *, limit: int = 0, on_answer: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Ask every gold question (``on_answer(done, total)`` after each) and score the answers."""
    rows = load_gold()
    if limit:
        rows = rows[:limit]
    results = []
    for index, row in enumerate(rows):
        # A fresh conversation per question: answers must not depend on earlier ones.
        message = IncomingMessage(platform="eval", chat_id="facts", user_id=f"q{index}", text=row["q"])
        reply = await assistant.ask(message)
        results.append(score_reply(row, reply, assistant))
        if on_answer is not None:
            on_answer(index + 1, len(rows))
    n = len(results)
    gold_rows = [r for r in results if r["gold_hit"] is not None]
    totals = [r["latency_ms"].get("total", 0.0) for r in results]
    by_kind: dict[str, dict[str, float]] = {}
    for kind in sorted({r["kind"] for r in results}):
        subset = [r for r in results if r["kind"] == kind]
        by_kind[kind] = {
            "n": len(subset),
            "gold_hit": sum(bool(r["gold_hit"]) for r in subset) / len(subset),
        }
    return {
        "questions": n,
        "price_accuracy": sum(r["price_ok"] for r in results) / n,
        "sku_accuracy": sum(r["sku_ok"] for r in results) / n,
        "answers_naming_absent_products": sum(bool(r["foreign_products"]) for r in results),
        "language_match": sum(r["language_ok"] for r in results) / n,
        "gold_hit": sum(bool(r["gold_hit"]) for r in gold_rows) / max(1, len(gold_rows)),
        "degraded": sum(1 for r in results if r["degraded"]),
        "latency_ms_p50": statistics.median(totals) if totals else 0.0,
        "by_kind": by_kind,
        "results": results,
    }


def report_rows(report: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """The report as a title and (metric, value) rows: the terminal renders them as a table."""
    rows = [
        ("prices in answers match catalog", f"{report['price_accuracy']:.0%}"),
        ("SKUs in answers exist", f"{report['sku_accuracy']:.0%}"),
        ("answers naming products we don't sell", str(report["answers_naming_absent_products"])),
        ("answer in the question's language", f"{report['language_match']:.0%}"),
        ("gold value stated", f"{report['gold_hit']:.0%}"),
    ]
    for kind, figures in report["by_kind"].items():
        rows.append((f"  gold stated: {kind} (n={int(figures['n'])})", f"{figures['gold_hit']:.0%}"))
    rows.append(("fell back to the retrieval-only answer", str(report["degraded"])))
    rows.append(("latency p50 (ms)", f"{report['latency_ms_p50']:.0f}"))
    return f"shopguide fact accuracy ({report['questions']} questions, zh + en)", rows
