"""Train the served recommender from the stored shopping events (``shopguide shoppers train``).

``implicit``'s BM25 item-item model over the shopper x item matrix (purchases weigh most, views least, a
return cancels its purchase); each item keeps its nearest neighbours, so serving is a sparse slice against
the shopper's latest history. Chosen over implicit's ALS and BPR and cornac's BPR by
``shopguide eval recommend`` (README: Personalisation, figures); ALS stays here for that comparison.
"""

from __future__ import annotations

import time
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from .profile import ShopperEvent
from .recommender import EVENT_WEIGHTS, RecommenderModel

NEIGHBOURS = 50  # per item: enough for every complement and repeat, small enough to serve from a slice
FACTORS = 48
ITERATIONS = 20
REGULARIZATION = 0.05
ALPHA = 20.0  # confidence = 1 + ALPHA * summed event weight (the implicit-feedback recipe of Hu et al.)
SEED = 11


@dataclass(frozen=True)
class Interactions:
    shoppers: list[str]
    items: list[str]
    matrix: csr_matrix  # shoppers x items, summed event weights (> 0)
    popularity: np.ndarray
    repeat_share: np.ndarray


def build_interactions(events: Iterable[ShopperEvent], items: Iterable[str] = ()) -> Interactions:
    weight: dict[tuple[str, str], float] = defaultdict(float)
    buys: dict[tuple[str, str], int] = defaultdict(int)
    item_ids: dict[str, int] = {sku: i for i, sku in enumerate(dict.fromkeys(items))}
    for e in events:
        item_ids.setdefault(e.sku, len(item_ids))
        weight[(e.shopper, e.sku)] += EVENT_WEIGHTS[e.kind]
        if e.kind == "purchase":
            buys[(e.shopper, e.sku)] += 1
    shopper_ids = {s: i for i, s in enumerate(dict.fromkeys(s for s, _ in weight))}
    rows, cols, vals = [], [], []
    for (shopper, sku), w in weight.items():
        if w > 0:
            rows.append(shopper_ids[shopper])
            cols.append(item_ids[sku])
            vals.append(w)
    matrix = csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)), shape=(len(shopper_ids), len(item_ids)))
    buyers = np.zeros(len(item_ids), dtype=np.float32)
    repeaters = np.zeros(len(item_ids), dtype=np.float32)
    for (_, sku), count in buys.items():
        buyers[item_ids[sku]] += 1
        repeaters[item_ids[sku]] += count > 1
    repeat_share = np.divide(repeaters, buyers, out=np.zeros_like(buyers), where=buyers > 0)
    return Interactions(list(shopper_ids), list(item_ids), matrix, buyers, repeat_share)


def train_als(data: Interactions, *, factors: int = FACTORS, iterations: int = ITERATIONS) -> np.ndarray:
    """Item vectors from implicit's ALS on the confidence matrix (CPU, single-threaded BLAS)."""
    from implicit.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    assert isinstance(data.matrix, csr_matrix)
    confidence = data.matrix.copy()
    confidence.data = 1.0 + ALPHA * confidence.data
    with threadpool_limits(1, "blas"):  # implicit's ALS slows down (and warns) with threaded BLAS
        model = AlternatingLeastSquares(
            factors=factors, regularization=REGULARIZATION, iterations=iterations, random_state=SEED, num_threads=1
        )
        model.fit(confidence, show_progress=False)
    vectors = np.asarray(model.item_factors, dtype=np.float32)
    return normalise(vectors)


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0).astype(np.float32)
    return unit


def train_item_knn(data: Interactions, *, neighbours: int = NEIGHBOURS) -> csr_matrix:
    """Item-to-item BM25 similarities from implicit (each row: an item's ``neighbours`` nearest items)."""
    from implicit.nearest_neighbours import BM25Recommender

    assert isinstance(data.matrix, csr_matrix)
    model = BM25Recommender(K=neighbours, num_threads=1)
    with warnings.catch_warnings():
        # implicit converts its own BM25 weighting (a COO matrix) to CSR and warns about it; nothing to fix here.
        warnings.filterwarnings("ignore", message="Method expects CSR input")
        model.fit(data.matrix, show_progress=False)
    return csr_matrix(model.similarity, dtype=np.float32)


def train_model(events: Iterable[ShopperEvent], items: Iterable[str] = ()) -> RecommenderModel:
    import implicit

    started = time.time()
    data = build_interactions(events, items)
    similarity = train_item_knn(data)
    meta = {
        "library": "implicit",
        "library_version": implicit.__version__,
        "algorithm": "bm25_item_knn",
        "neighbours": NEIGHBOURS,
        "shoppers": len(data.shoppers),
        "interactions": int(data.matrix.nnz),
        "trained_at": started,
        "train_seconds": round(time.time() - started, 2),
    }
    popularity = data.popularity.astype(np.float32)
    return RecommenderModel(tuple(data.items), similarity, popularity, data.repeat_share.astype(np.float32), meta)
