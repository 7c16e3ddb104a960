"""The trained recommender as served: item-to-item similarities, popularity and repeat rates.

It is stored with the knowledge release (``RELEASE_MODEL``, see ``knowledge.release_models``), so the live
release names the model it serves, a rollback brings back that release's model, and a newly trained one
is picked up by a running assistant at the next release switch or update it sees, without a restart.

Training (``shopguide shoppers train``, see ``training``) fits ``implicit``'s BM25 item-item model on the
shopper x item matrix and keeps each item's nearest neighbours; serving reads them with numpy and scipy: a
shopper's score for an item is its similarity to what they viewed, carted and bought (weighted by kind and
recency). New history counts at once, without retraining, and a turn costs one small sparse slice.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix, load_npz, save_npz

from knowledge.durable import private_dir, write_atomic, write_text_atomic

from .profile import EventKind, ShopperEvent

RELEASE_MODEL = "recommender"  # the model's name among a release's stored models
# Where models were trained into before they moved into the release: still served when the live release
# names none, until the next ``shopguide shoppers train`` (which removes it).
LEGACY_MODEL_DIR = "recommender"
ARRAYS_FILE = "model.npz"
SIMILARITY_FILE = "similarity.npz"
META_FILE = "model.json"
# How much each kind of event says about taste; a return says the item did not suit (it pushes away).
EVENT_WEIGHTS: dict[EventKind, float] = {"view": 0.3, "cart": 0.6, "purchase": 1.0, "return": -1.0}
HALF_LIFE_DAYS = 90.0  # last season's purchases count half as much as today's
SECONDS_PER_DAY = 86_400.0
# Items that shoppers buy again (a share of their buyers bought them twice or more): consumables. They may
# be recommended again after a purchase; anything else just bought is not.
REPEATABLE_SHARE = 0.15

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class RecommenderModel:
    items: tuple[str, ...]
    similarity: csr_matrix  # items x items: row i holds item i's nearest neighbours and their similarity
    popularity: FloatArray  # distinct shoppers who bought or carted each item, in the training window
    repeat_share: FloatArray  # share of an item's buyers who bought it more than once
    meta: dict[str, Any]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {sku: i for i, sku in enumerate(self.items)})

    def index(self, sku: str) -> int | None:
        return self._index.get(sku)

    def popularity_of(self, skus: Sequence[str]) -> FloatArray:
        rows = [self.index(s) for s in skus]
        return np.array([self.popularity[i] if i is not None else 0.0 for i in rows], dtype=np.float32)

    def repeatable(self, sku: str) -> bool:
        i = self.index(sku)
        return i is not None and float(self.repeat_share[i]) >= REPEATABLE_SHARE

    def _history_weights(self, history: Sequence[ShopperEvent], now: float) -> dict[int, float]:
        weights: dict[int, float] = {}
        for event in history:
            i = self.index(event.sku)
            if i is None:
                continue
            age_days = max(0.0, now - event.at) / SECONDS_PER_DAY
            weights[i] = weights.get(i, 0.0) + EVENT_WEIGHTS[event.kind] * math.pow(0.5, age_days / HALF_LIFE_DAYS)
        return weights

    def favourites(self, history: Sequence[ShopperEvent], now: float, limit: int) -> list[str]:
        """The items closest to the shopper's history, best first (candidates the text search may not rank)."""
        weights = self._history_weights(history, now)
        if not weights:
            return []
        hist = np.fromiter(weights.keys(), dtype=np.int64)
        w = np.fromiter(weights.values(), dtype=np.float32)
        scores = np.asarray(self.similarity[hist].T @ w, dtype=np.float32).ravel()
        top = np.argsort(-scores)[:limit]
        return [self.items[int(i)] for i in top if scores[i] > 0]

    def affinity(
        self, history: Sequence[ShopperEvent], candidates: Sequence[str], now: float
    ) -> tuple[FloatArray, list[str | None]]:
        """Each candidate's score for this shopper, and the history item that contributes most to it (the
        "goes with what you bought" reason). Unknown candidates and an empty history score 0."""
        weights = self._history_weights(history, now)
        rows = [self.index(s) for s in candidates]
        scores = np.zeros(len(candidates), dtype=np.float32)
        best: list[str | None] = [None] * len(candidates)
        if not weights:
            return scores, best
        hist = np.fromiter(weights.keys(), dtype=np.int64)
        w = np.fromiter(weights.values(), dtype=np.float32)
        known = [k for k, r in enumerate(rows) if r is not None]
        if not known:
            return scores, best
        cand = np.array([rows[k] for k in known], dtype=np.int64)
        sims = np.asarray(self.similarity[hist][:, cand].toarray(), dtype=np.float32).T  # candidates x history
        contrib = sims * w[None, :]
        scores[known] = contrib.sum(axis=1)
        top = contrib.argmax(axis=1)
        for pos, k in enumerate(known):
            if contrib[pos, top[pos]] > 0:
                best[k] = self.items[int(hist[top[pos]])]
        return scores, best

    def save(self, folder: Path) -> Path:
        """Write the model's files into ``folder`` (a release's model version folder)."""
        import io

        private_dir(folder)
        buffer = io.BytesIO()
        np.savez(buffer, popularity=self.popularity, repeat_share=self.repeat_share)
        write_atomic(folder / ARRAYS_FILE, buffer.getvalue())
        buffer = io.BytesIO()
        save_npz(buffer, self.similarity)
        write_atomic(folder / SIMILARITY_FILE, buffer.getvalue())
        meta = {**self.meta, "items": list(self.items)}
        write_text_atomic(folder / META_FILE, json.dumps(meta, ensure_ascii=False))
        return folder


def load_model(folder: Path) -> RecommenderModel | None:
    """The model saved in ``folder``, or None when there is none or it is damaged (cold start: popularity
    from the conversation's slots)."""
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        similarity = csr_matrix(load_npz(folder / SIMILARITY_FILE), dtype=np.float32)
        with np.load(folder / ARRAYS_FILE) as arrays:
            popularity = arrays["popularity"].astype(np.float32)
            repeat_share = arrays["repeat_share"].astype(np.float32)
    except (OSError, ValueError, KeyError):
        return None
    items = tuple(meta.pop("items"))
    if not (len(items) == similarity.shape[0] == similarity.shape[1] == len(popularity) == len(repeat_share)):
        return None
    return RecommenderModel(items, similarity, popularity, repeat_share, meta)
