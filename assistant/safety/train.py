"""Retrain the input classifier on the ``train`` split of the bundled sets and write ``data/classifier.json``.

Run ``python -m assistant.safety.train`` (about a minute on 2 cores). The ``test`` split is never read here,
so ``shopguide eval safety`` reports on messages the classifier has not seen in any encoding. The decision
threshold is picked by 5-fold cross-validation on the train split for at most ``--max-fp`` benign blocks.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedding import MultilingualUSE

from .classifier import CLASSES, DEFAULT_MODEL_PATH, ClassifierWeights
from .datasets import LabelledMessage, load_bundled
from .input_filters import classifier_inputs
from .rules import text_views

RANDOM_STATE = 7
FOLDS = 5
C_GRID = (0.5, 1.0, 2.0, 4.0, 8.0)
DEFAULT_MAX_FP = 0.01


def classifier_views(message: LabelledMessage) -> list[str]:
    """The texts the classifier sees for one message at run time (see ``ClassifierCheck``)."""
    texts, payloads = classifier_inputs(text_views(message.joined))
    return texts + payloads


def _fit(x: np.ndarray[Any, Any], y: np.ndarray[Any, Any], c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=RANDOM_STATE)
    model.fit(x, y)
    return model


def _risk_per_message(
    model: Any, embeddings: np.ndarray[Any, Any], owners: np.ndarray[Any, Any], n_messages: int
) -> np.ndarray[Any, Any]:
    """1 - P(benign) of the riskiest view of each message."""
    benign = list(model.classes_).index(CLASSES.index("benign"))
    risk = 1.0 - model.predict_proba(embeddings)[:, benign]
    out = np.zeros(n_messages)
    np.maximum.at(out, owners, risk)
    return out


def train(
    messages: Sequence[LabelledMessage], *, max_fp: float = DEFAULT_MAX_FP, threads: int = 1, log: bool = True
) -> ClassifierWeights:
    from sklearn.model_selection import StratifiedKFold

    embedder = MultilingualUSE(threads=threads)
    texts: list[str] = []
    owners: list[int] = []
    for index, message in enumerate(messages):
        for view in classifier_views(message):
            texts.append(view[:1024])
            owners.append(index)
    started = time.perf_counter()
    x = embedder.encode(texts)
    owner_arr = np.asarray(owners)
    labels = np.asarray([CLASSES.index(m.label) for m in messages])
    y = labels[owner_arr]
    is_attack = labels != CLASSES.index("benign")
    if log:
        print(f"embedded {len(texts)} views of {len(messages)} messages in {time.perf_counter() - started:.1f}s")

    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=RANDOM_STATE)
    best: tuple[float, float, float] | None = None  # (recall, c, threshold)
    for c in C_GRID:
        risk = np.zeros(len(messages))
        for train_idx, valid_idx in folds.split(np.zeros(len(messages)), labels):
            train_mask = np.isin(owner_arr, train_idx)
            model = _fit(x[train_mask], y[train_mask], c)
            valid_mask = np.isin(owner_arr, valid_idx)
            fold_risk = _risk_per_message(model, x[valid_mask], owner_arr[valid_mask], len(messages))
            risk[valid_idx] = fold_risk[valid_idx]
        benign_risk = np.sort(risk[~is_attack])
        allowed = int(np.floor(max_fp * len(benign_risk)))
        # Block when risk > cut, where cut is the (allowed+1)-th highest benign risk.
        cut = float(benign_risk[-(allowed + 1)]) if len(benign_risk) > allowed else 0.5
        recall = float((risk[is_attack] > cut).mean())
        if log:
            print(f"C={c}: cv attack recall {recall:.3f} at benign FP <= {max_fp:.1%} (risk cut {cut:.3f})")
        if best is None or recall > best[0]:
            best = (recall, c, cut)
    assert best is not None
    recall, c, cut = best
    model = _fit(x, y, c)
    order = [list(model.classes_).index(CLASSES.index(name)) for name in CLASSES]
    return ClassifierWeights(
        classes=CLASSES,
        coef=np.asarray(model.coef_[order], dtype=np.float32),
        intercept=np.asarray(model.intercept_[order], dtype=np.float32),
        threshold=1.0 - cut,
        meta={
            "trained_on": "bundled sets, split=train",
            "messages": len(messages),
            "views": len(texts),
            "C": c,
            "cv_attack_recall": round(recall, 4),
            "cv_max_benign_fp": max_fp,
        },
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--max-fp", type=float, default=DEFAULT_MAX_FP, help="benign block rate allowed in CV")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    messages = [m for m in load_bundled() if m.split == "train"]
    weights = train(messages, max_fp=args.max_fp, threads=args.threads)
    weights.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB), threshold P(benign) < {weights.threshold:.3f}")


if __name__ == "__main__":
    main()
