"""Train the learned detector on every labelled source and write ``data/detector.npz``.

Run ``python -m assistant.safety.train`` (a few minutes on 2 cores; the public sets come from the
``safety-eval`` extra). The same ``fit_detector`` trains each leave-one-source-out model in
``crossval``, so the cross-source figures measure exactly this recipe. The threshold of each language group
is chosen by cross-validation on the training messages for at most ``--max-fp`` benign blocks.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedding import EMBEDDING_DIM, MultilingualUSE

from .datasets import LabelledMessage
from .detector import (
    CLASSES,
    DEFAULT_CUT,
    DEFAULT_DETECTOR_PATH,
    NGRAM_FEATURES,
    SAFETY_CLASSES,
    DetectorWeights,
    FeatureSet,
    detector_inputs,
    lang_group,
    ngram_matrix,
)
from .rules import text_views

__all__ = ["EmbeddingCache", "fit_detector", "message_views", "source_weights"]

RANDOM_STATE = 7
FOLDS = 3
C = 4.0
DEFAULT_MAX_FP = 0.01
MIN_GROUP_BENIGN = 40  # fewer benign messages than this in a language group: it uses the pooled cut
EMBED_BATCH = 64
# A source of n messages weighs n**SOURCE_BALANCE_POWER in all: 1.0 is plain pooling, 0.0 weighs every source alike
# (15 rows would count as much as 1,091). Leave-one-source-out, 0.5 moved the figures by a point or two at most
# (training with JBB-Behaviors), so the shipped recipe stays plain pooling.
SOURCE_BALANCE_POWER = 1.0


def message_views(message: LabelledMessage) -> list[str]:
    """Every text the detector scores for one message at run time (``ClassifierCheck``)."""
    texts, payloads = detector_inputs(text_views(message.joined))
    return texts + payloads


class EmbeddingCache:
    """Sentence embeddings by text, computed once for every fold of the evaluation."""

    def __init__(self, threads: int = 1) -> None:
        self.encoder = MultilingualUSE(threads=threads)
        self._vectors: dict[str, np.ndarray[Any, Any]] = {}

    def ensure(self, texts: Iterable[str]) -> None:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        for start in range(0, len(missing), EMBED_BATCH):
            batch = missing[start : start + EMBED_BATCH]
            for text, vector in zip(batch, self.encoder.encode(batch), strict=True):
                self._vectors[text] = vector

    def __call__(self, texts: list[str]) -> np.ndarray[Any, Any]:
        self.ensure(texts)
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts]).astype(np.float32)


def _design(texts: list[str], features: FeatureSet, cache: EmbeddingCache) -> Any:
    from scipy import sparse

    blocks: list[Any] = []
    if features.embedding:
        blocks.append(sparse.csr_matrix(cache(texts)))
    if features.ngrams:
        blocks.append(ngram_matrix(texts))
    return sparse.hstack(blocks, format="csr")


def _fit(x: Any, y: np.ndarray[Any, Any], weights: np.ndarray[Any, Any]) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=RANDOM_STATE)
    model.fit(x, y, sample_weight=weights)
    return model


def _safety_risk(model: Any, x: Any) -> np.ndarray[Any, Any]:
    probs = model.predict_proba(x)
    columns = [
        list(model.classes_).index(CLASSES.index(c)) for c in SAFETY_CLASSES if CLASSES.index(c) in model.classes_
    ]
    result: np.ndarray[Any, Any] = probs[:, columns].sum(axis=1)
    return result


def _cut_for(benign_risk: np.ndarray[Any, Any], max_fp: float) -> float:
    ordered = np.sort(benign_risk)
    allowed = int(np.floor(max_fp * len(ordered)))
    return float(ordered[-(allowed + 1)]) if len(ordered) > allowed else DEFAULT_CUT


def source_weights(sources: Sequence[str], power: float) -> np.ndarray[Any, Any]:
    """Per-message weights, mean 1, so that a source of ``n`` messages weighs ``n ** power`` in all."""
    _, inverse, sizes = np.unique(np.asarray(sources), return_inverse=True, return_counts=True)
    per_message = sizes.astype(float) ** (power - 1.0)
    weights: np.ndarray[Any, Any] = per_message[inverse]
    result: np.ndarray[Any, Any] = weights * (len(weights) / weights.sum())
    return result


def fit_detector(
    messages: Sequence[LabelledMessage],
    cache: EmbeddingCache,
    *,
    features: FeatureSet | None = None,
    max_fp: float = DEFAULT_MAX_FP,
    meta: dict[str, Any] | None = None,
    sources: Sequence[str] | None = None,
    balance_power: float = SOURCE_BALANCE_POWER,
) -> DetectorWeights:
    """Fit on every view of ``messages``; per-language cuts from out-of-fold risks of the benign messages.

    ``sources`` names the source of each message; with it, each source weighs ``n ** balance_power`` in all."""
    from sklearn.model_selection import StratifiedKFold

    features = features or FeatureSet()
    texts: list[str] = []
    owners: list[int] = []
    for index, message in enumerate(messages):
        views = message_views(message)
        texts.extend(views)
        owners.extend([index] * len(views))
    owner_arr = np.asarray(owners)
    labels = np.asarray([CLASSES.index(m.label) for m in messages])
    counts = np.bincount(owner_arr, minlength=len(messages))
    message_weight = source_weights(sources, balance_power) if sources is not None else np.ones(len(messages))
    # a message with four views weighs as much as one with one
    row_weight = message_weight[owner_arr] / counts[owner_arr]
    x = _design(texts, features, cache)
    y = labels[owner_arr]

    risk = np.zeros(len(messages))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=RANDOM_STATE)
    for train_idx, valid_idx in folds.split(np.zeros(len(messages)), labels):
        train_mask = np.isin(owner_arr, train_idx)
        valid_mask = ~train_mask
        model = _fit(x[train_mask], y[train_mask], row_weight[train_mask])
        fold_risk = np.zeros(len(messages))
        np.maximum.at(fold_risk, owner_arr[valid_mask], _safety_risk(model, x[valid_mask]))
        risk[valid_idx] = fold_risk[valid_idx]
    benign = labels == CLASSES.index("benign")
    groups = np.asarray([lang_group(m.lang) for m in messages])
    cuts = {"other": _cut_for(risk[benign], max_fp)}
    for group in ("zh", "other"):
        in_group = benign & (groups == group)
        cuts[group] = _cut_for(risk[in_group], max_fp) if in_group.sum() >= MIN_GROUP_BENIGN else cuts["other"]

    model = _fit(x, y, row_weight)
    coef = np.zeros((len(CLASSES), x.shape[1]), dtype=np.float32)
    intercept = np.full(len(CLASSES), -30.0, dtype=np.float32)  # a class absent from training is never predicted
    for row, cls in enumerate(model.classes_):
        coef[cls] = model.coef_[row] if len(model.classes_) > 2 else (model.coef_[0] if row else -model.coef_[0])
        intercept[cls] = model.intercept_[row] if len(model.classes_) > 2 else 0.0
    split = EMBEDDING_DIM if features.embedding else 0
    return DetectorWeights(
        classes=CLASSES,
        coef_embedding=coef[:, :split],
        coef_ngrams=coef[:, split:] if features.ngrams else np.zeros((len(CLASSES), 0), dtype=np.float32),
        intercept=intercept,
        cuts={k: round(v, 4) for k, v in cuts.items()},
        meta={
            "features": features.name,
            "ngram_features": NGRAM_FEATURES if features.ngrams else 0,
            "messages": len(messages),
            "views": len(texts),
            "C": C,
            "cv_max_benign_fp": max_fp,
            **(meta or {}),
        },
    )


def main(argv: Sequence[str] | None = None) -> None:
    from .sources import load_sources

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_DETECTOR_PATH)
    parser.add_argument("--max-fp", type=float, default=DEFAULT_MAX_FP, help="benign block rate allowed in CV")
    args = parser.parse_args(argv)
    sources = [s for s in load_sources() if s.train]
    messages = [m for s in sources for m in s.messages]
    owners = [s.name for s in sources for _ in s.messages]
    started = time.perf_counter()
    weights = fit_detector(
        messages,
        EmbeddingCache(),
        max_fp=args.max_fp,
        sources=owners,
        meta={"trained_on": [s.name for s in sources], "source_balance_power": SOURCE_BALANCE_POWER},
    )
    weights.save(args.out)
    print(
        f"trained on {', '.join(s.name for s in sources)} ({len(messages)} messages) in "
        f"{time.perf_counter() - started:.0f}s; wrote {args.out} ({args.out.stat().st_size // 1024} KB), "
        f"cuts {weights.cuts}"
    )


if __name__ == "__main__":
    main()
