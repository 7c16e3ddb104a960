"""Retrieval quality: labelled queries, Recall@k / NDCG@k, and the release gate built on them."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from .models import Product
from .search import ProductQuery

if TYPE_CHECKING:
    from .store import KnowledgeStore, LiveRelease

BUNDLED_QUERIES = Path(__file__).resolve().parent / "data" / "eval" / "retrieval_queries.jsonl"
GATE_K = 5
# Auto-derived gate questions per release: enough to notice a broken index, few enough to run in ~1 s.
AUTO_GATE_QUESTIONS = 40
# A release may lose this much gate accuracy and still go live: auto-derived questions over edited
# descriptions move by a question or two without anything being wrong.
GATE_TOLERANCE = 0.025
Mode = Literal["hybrid", "dense", "bm25"]


class LabelledQuery(BaseModel):
    """A query with graded relevance: sku -> grade (3 exact, 2 relevant, 1 partially relevant)."""

    id: str
    text: str
    language: Literal["zh", "en"] = "en"
    kind: str = "need"
    filters: dict[str, Any] = Field(default_factory=dict)
    relevance: dict[str, int]

    def to_query(self, k: int) -> ProductQuery:
        return ProductQuery(
            text=self.text,
            language=self.language,
            category=self.filters.get("category"),
            brand=self.filters.get("brand"),
            price_min=self.filters.get("price_min"),
            price_max=self.filters.get("price_max"),
            in_stock_only=bool(self.filters.get("in_stock_only", False)),
            k=k,
        )

    @property
    def top_grade(self) -> int:
        return max(self.relevance.values(), default=0)


def load_queries(path: Path = BUNDLED_QUERIES) -> list[LabelledQuery]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [LabelledQuery.model_validate_json(line) for line in lines if line.strip()]


def recall_at_k(ranked: Sequence[str], relevance: dict[str, int], k: int, min_grade: int = 2) -> float:
    """Share of relevant items in the top k, capped at k (a query with 20 relevant items can score 1)."""
    relevant = {s for s, g in relevance.items() if g >= min_grade} or {s for s, g in relevance.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:k])) / min(k, len(relevant))


def ndcg_at_k(ranked: Sequence[str], relevance: dict[str, int], k: int) -> float:
    def dcg(grades: Iterable[int]) -> float:
        return float(sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades)))

    ideal = dcg(sorted(relevance.values(), reverse=True)[:k])
    return dcg(relevance.get(s, 0) for s in ranked[:k]) / ideal if ideal else 0.0


@dataclass
class ModeScore:
    mode: str
    recall_at_5: float
    ndcg_at_10: float
    queries: int
    by_language: dict[str, tuple[float, float]] = field(default_factory=dict)


def score_mode(store: KnowledgeStore, live: LiveRelease, queries: Sequence[LabelledQuery], mode: Mode) -> ModeScore:
    recalls: dict[str, list[float]] = {}
    ndcgs: dict[str, list[float]] = {}
    for q in queries:
        ranked = [h.product.sku for h in store.search_release(live, q.to_query(10), mode)]
        recalls.setdefault(q.language, []).append(recall_at_k(ranked, q.relevance, 5))
        ndcgs.setdefault(q.language, []).append(ndcg_at_k(ranked, q.relevance, 10))
    all_r = [x for v in recalls.values() for x in v]
    all_n = [x for v in ndcgs.values() for x in v]
    by_lang = {lang: (sum(recalls[lang]) / len(recalls[lang]), sum(ndcgs[lang]) / len(ndcgs[lang])) for lang in recalls}
    return ModeScore(mode, sum(all_r) / max(1, len(all_r)), sum(all_n) / max(1, len(all_n)), len(queries), by_lang)


# ---- release gate -----------------------------------------------------------------------------------


@dataclass
class GateReport:
    live_accuracy: float | None
    new_accuracy: float
    questions: int
    passed: bool
    failures: list[str] = field(default_factory=list)

    def describe(self) -> str:
        live = "n/a" if self.live_accuracy is None else f"{self.live_accuracy:.1%}"
        verdict = "passed" if self.passed else "REFUSED"
        return (
            f"gate {verdict}: accuracy {self.new_accuracy:.1%} on {self.questions} reference questions (live: {live})"
        )


def _stable_sample(products: Iterable[Product], n: int) -> list[Product]:
    """Same products for the same catalog, whichever process asks (hash order, not random)."""
    return sorted(products, key=lambda p: hashlib.sha256(p.sku.encode()).hexdigest())[:n]


def gate_questions(
    live: LiveRelease | None, candidate: LiveRelease, reference: Sequence[LabelledQuery]
) -> list[LabelledQuery]:
    """The reference questions, plus name look-ups of products both releases carry.

    Reference questions whose expected products are gone count as failures: the owner said these must
    be answerable. Auto-derived questions only use products present in both releases, so a smaller
    catalog is not, by itself, a regression.
    """
    questions = list(reference)
    pool = (
        candidate.products.values()
        if live is None
        else [p for s, p in live.products.items() if s in candidate.products]
    )
    for i, product in enumerate(_stable_sample(pool, AUTO_GATE_QUESTIONS)):
        zh = i % 2 == 1 and bool(product.name_zh)
        questions.append(
            LabelledQuery(
                id=f"auto-{product.sku}",
                text=product.name_zh if zh else product.name,
                language="zh" if zh else "en",
                kind="named",
                relevance={product.sku: 3},
            )
        )
    return questions


def gate_accuracy(
    store: KnowledgeStore, release: LiveRelease, questions: Sequence[LabelledQuery]
) -> tuple[float, list[str]]:
    """Share of questions whose best-graded product appears in the top ``GATE_K``."""
    if not questions:
        return 1.0, []
    failures = []
    for q in questions:
        best = {s for s, g in q.relevance.items() if g == q.top_grade}
        ranked = {h.product.sku for h in store.search_release(release, q.to_query(GATE_K))}
        if not best & ranked:
            failures.append(f"{q.id}: {q.text!r}")
    return 1.0 - len(failures) / len(questions), failures


def run_gate(
    store: KnowledgeStore,
    live: LiveRelease | None,
    candidate: LiveRelease,
    reference: Sequence[LabelledQuery],
    tolerance: float = GATE_TOLERANCE,
) -> GateReport:
    questions = gate_questions(live, candidate, reference)
    new_acc, failures = gate_accuracy(store, candidate, questions)
    if live is None:
        return GateReport(None, new_acc, len(questions), True, failures)
    live_acc, _ = gate_accuracy(store, live, questions)
    return GateReport(live_acc, new_acc, len(questions), new_acc >= live_acc - tolerance, failures)
