"""Offline evaluation of the recommender (``shopguide eval recommend``): a time split of purchase histories.

Train on everything before the cut; for each shopper with history before it and purchases after it, rank
every item and check whether the items they bought next are in the top 10: hit rate@10 and NDCG@10. All
methods see the same history and the same exclusion rule as serving (a durable item the shopper already
bought is never offered again), and are measured in the same run: popularity, item-to-item cosine
similarity, and the matrix-factorisation models.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..personal.profile import ShopperEvent
from ..personal.recommender import EVENT_WEIGHTS, HALF_LIFE_DAYS, REPEATABLE_SHARE, SECONDS_PER_DAY
from ..personal.training import build_interactions, normalise, train_als, train_item_knn
from .recommend_data import DAY, START, generate_events

K = 10
CUT_DAY = 300  # train on Jan-Oct, predict the purchases of the last two months


@dataclass
class MethodResult:
    name: str
    hit_rate: float
    ndcg: float
    train_seconds: float
    note: str = ""


@dataclass
class RecommendEval:
    data: str
    shoppers: int
    items: int
    train_events: int
    test_shoppers: int
    results: list[MethodResult] = field(default_factory=list)

    def ratio(self, name: str, baseline: str = "popularity") -> float:
        by = {r.name: r for r in self.results}
        base = by[baseline].hit_rate
        return by[name].hit_rate / base if base else math.inf

    def as_dict(self) -> dict[str, Any]:
        return {
            "data": self.data,
            "shoppers": self.shoppers,
            "items": self.items,
            "train_events": self.train_events,
            "test_shoppers": self.test_shoppers,
            "k": K,
            "results": [vars(r) | {"hit_rate_vs_popularity": round(self.ratio(r.name), 3)} for r in self.results],
        }


def _history_matrix(
    train: Sequence[ShopperEvent], shoppers: list[str], index: dict[str, int], now: float
) -> np.ndarray:
    """Each test shopper's weighted, recency-decayed history over the items: what serving computes."""
    rows = {s: i for i, s in enumerate(shoppers)}
    h = np.zeros((len(shoppers), len(index)), dtype=np.float32)
    for e in train:
        r = rows.get(e.shopper)
        if r is not None and e.sku in index:
            age = max(0.0, now - e.at) / SECONDS_PER_DAY
            h[r, index[e.sku]] += EVENT_WEIGHTS[e.kind] * math.pow(0.5, age / HALF_LIFE_DAYS)
    return h


def _metrics(scores: np.ndarray, targets: list[set[int]]) -> tuple[float, float]:
    top = np.argsort(-scores, axis=1)[:, :K]
    hits = 0
    ndcg = 0.0
    for row, wanted in zip(top, targets, strict=True):
        gains = [1.0 / math.log2(rank + 2) for rank, item in enumerate(row) if int(item) in wanted]
        hits += bool(gains)
        ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(len(wanted), K)))
        ndcg += sum(gains) / ideal
    return hits / len(targets), ndcg / len(targets)


def _implicit_bpr(matrix: Any) -> np.ndarray:
    from implicit.bpr import BayesianPersonalizedRanking

    model = BayesianPersonalizedRanking(factors=48, iterations=100, random_state=11, num_threads=1)
    binary = matrix.copy()
    binary.data = np.ones_like(binary.data)
    model.fit(binary, show_progress=False)
    return normalise(np.asarray(model.item_factors, dtype=np.float32))


def _cornac_bpr(matrix: Any) -> np.ndarray:
    import cornac  # optional: measured when installed, not a dependency

    rows, cols = matrix.nonzero()
    triples = [(str(r), str(c), 1.0) for r, c in zip(rows, cols, strict=True)]
    dataset = cornac.data.Dataset.from_uir(triples, seed=11)
    model = cornac.models.BPR(k=48, max_iter=100, seed=11, verbose=False)
    model.fit(dataset)
    vectors = np.zeros((matrix.shape[1], 48), dtype=np.float32)
    for raw, inner in dataset.iid_map.items():
        vectors[int(raw)] = model.i_factors[inner]
    return normalise(vectors)


# Methods compared without cornac: popularity, item cosine, BM25 item-kNN, ALS, BPR.
BASE_METHODS = 5


def run_recommend_eval(
    shoppers: int = 2000,
    seed: int = 7,
    *,
    with_cornac: bool = False,
    on_method: Callable[[int, int], None] | None = None,
) -> RecommendEval:
    """Score every method on the time split; ``on_method(done, total)`` after each method is scored."""
    _world, events = generate_events(shoppers, seed)
    cut = START + CUT_DAY * DAY
    train = [e for e in events if e.at < cut]
    test = [e for e in events if e.at >= cut and e.kind == "purchase"]
    data = build_interactions(train)
    index = {sku: i for i, sku in enumerate(data.items)}
    seen = {e.shopper for e in train}
    wanted: dict[str, set[int]] = defaultdict(set)
    for e in test:
        if e.shopper in seen and e.sku in index:
            wanted[e.shopper].add(index[e.sku])
    shoppers_eval = sorted(wanted)
    targets = [wanted[s] for s in shoppers_eval]
    history = _history_matrix(train, shoppers_eval, index, cut)
    # Serving's rule: a durable item already bought is not offered again; a consumable may be.
    bought = np.zeros_like(history, dtype=bool)
    rows = {s: i for i, s in enumerate(shoppers_eval)}
    for e in train:
        if e.kind == "purchase" and e.shopper in rows:
            bought[rows[e.shopper], index[e.sku]] = True
    excluded = bought & (data.repeat_share < REPEATABLE_SHARE)[None, :]
    report = RecommendEval(
        data=f"generated (seed {seed}, {shoppers} shoppers; assistant/evaluation/recommend_data.py)",
        shoppers=shoppers,
        items=len(index),
        train_events=len(train),
        test_shoppers=len(shoppers_eval),
    )

    def score(name: str, build: Callable[[], np.ndarray], from_vectors: bool, note: str = "") -> None:
        started = time.perf_counter()
        model = build()
        seconds = time.perf_counter() - started
        if model.ndim == 1:
            scores = np.broadcast_to(model, history.shape).copy()
        elif from_vectors:
            scores = history @ (model @ model.T)
        else:  # an item x item similarity: row i holds item i's neighbours, as served
            scores = history @ model
        scores = np.where(excluded, -np.inf, scores)
        hit, ndcg = _metrics(scores, targets)
        report.results.append(MethodResult(name, round(hit, 4), round(ndcg, 4), round(seconds, 2), note))
        if on_method is not None:
            on_method(len(report.results), BASE_METHODS + with_cornac)

    score("popularity", lambda: np.log1p(data.popularity), False, "buyers per item before the cut")

    def item_cosine() -> np.ndarray:
        binary = data.matrix.copy()
        binary.data = np.ones_like(binary.data)
        return normalise(np.asarray(binary.T.todense(), dtype=np.float32))

    score("item_cosine", item_cosine, True, "cosine of item columns of the shopper x item matrix")
    score(
        "bm25 item-knn (implicit, served)",
        lambda: np.asarray(train_item_knn(data).todense(), dtype=np.float32),
        False,
        "implicit BM25Recommender, 50 neighbours per item, scored as served",
    )
    score("als (implicit)", lambda: train_als(data), True, "implicit ALS item vectors (48 factors), cosine")
    score("bpr (implicit)", lambda: _implicit_bpr(data.matrix), True, "implicit BPR item vectors")
    if with_cornac:
        try:
            score("bpr (cornac)", lambda: _cornac_bpr(data.matrix), True, "cornac BPR item vectors")
        except ImportError as exc:
            report.results.append(MethodResult("bpr (cornac)", 0.0, 0.0, 0.0, f"not installed: {exc}"))
    return report
