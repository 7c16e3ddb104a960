"""The classifier layer of the input filter: logistic regression over multilingual sentence embeddings.

No package on PyPI ships an injection/toxicity classifier whose weights load offline, so shopguide trains its
own on the ``train`` split of the bundled sets (``python -m assistant.safety.train``) and ships the weights
as JSON (4 x 512 floats, no pickle). Classes: benign, injection, harmful, off_topic.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedding import EMBEDDING_DIM, EMBEDDING_NAME, MultilingualUSE
from knowledge.errors import ShopguideError

__all__ = [
    "CLASSES",
    "DEFAULT_MODEL_PATH",
    "ClassifierScore",
    "ClassifierWeights",
    "SafetyClassifier",
    "SafetyModelInvalid",
]

CLASSES = ("benign", "injection", "harmful", "off_topic")
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_MODEL_PATH = DATA_DIR / "classifier.json"
# Long inputs are judged by their head and tail: encoding cost grows with length (100 KB took 3 s).
WINDOW_CHARS = 512
DEFAULT_THRESHOLD = 0.5

FloatArray = np.ndarray[Any, np.dtype[np.float32]]


class SafetyModelInvalid(ShopguideError):
    """The classifier weights file is missing, unreadable or made for another embedding."""

    code = "safety_model_invalid"


_RETRAIN_HINT = "retrain with `python -m assistant.safety.train`, or set SHOPGUIDE_SAFETY_CLASSIFIER=false"


@dataclass(frozen=True)
class ClassifierWeights:
    classes: tuple[str, ...]
    coef: FloatArray  # (n_classes, EMBEDDING_DIM)
    intercept: FloatArray  # (n_classes,)
    threshold: float  # block when P(benign) < threshold
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL_PATH) -> ClassifierWeights:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            coef = np.asarray(data["coef"], dtype=np.float32)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SafetyModelInvalid(f"cannot read classifier weights {path}: {exc}", hint=_RETRAIN_HINT) from exc
        if data.get("embedding") != EMBEDDING_NAME:
            raise SafetyModelInvalid(
                f"{path} was trained on {data.get('embedding')!r}, not {EMBEDDING_NAME!r}", hint=_RETRAIN_HINT
            )
        if coef.ndim != 2 or coef.shape[1] != EMBEDDING_DIM:
            raise SafetyModelInvalid(f"{path}: expected {EMBEDDING_DIM} features per class", hint=_RETRAIN_HINT)
        return cls(
            classes=tuple(data["classes"]),
            coef=coef,
            intercept=np.asarray(data["intercept"], dtype=np.float32),
            threshold=float(data.get("threshold", DEFAULT_THRESHOLD)),
            meta=dict(data.get("meta", {})),
        )

    def save(self, path: Path) -> None:
        payload = {
            "embedding": EMBEDDING_NAME,
            "classes": list(self.classes),
            "threshold": round(self.threshold, 4),
            "coef": [[round(float(v), 6) for v in row] for row in self.coef],
            "intercept": [round(float(v), 6) for v in self.intercept],
            "meta": self.meta,
        }
        path.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class ClassifierScore:
    """Probabilities of the riskiest view of a message."""

    label: str
    benign_prob: float
    probs: dict[str, float]

    @property
    def risk(self) -> float:
        return 1.0 - self.benign_prob


def windows(text: str) -> list[str]:
    if len(text) <= WINDOW_CHARS * 2:
        return [text]
    return [text[:WINDOW_CHARS], text[-WINDOW_CHARS:]]


class SafetyClassifier:
    """Scores texts; ``threads`` is capped at the core count (oversubscribed BLAS is ~100x slower)."""

    def __init__(self, weights: ClassifierWeights, threads: int = 1) -> None:
        self.weights = weights
        self.encoder = MultilingualUSE(threads=max(1, min(threads, os.cpu_count() or 1)))
        # Turns run in worker threads; one encode at a time (~2 ms) keeps BLAS from oversubscribing the cores.
        self._encode_lock = threading.Lock()

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL_PATH, threads: int = 1) -> SafetyClassifier:
        return cls(ClassifierWeights.load(path), threads)

    def probabilities(self, embeddings: FloatArray) -> FloatArray:
        logits = embeddings @ self.weights.coef.T + self.weights.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        result: FloatArray = exp / exp.sum(axis=1, keepdims=True)
        return result

    def embed(self, texts: list[str]) -> FloatArray:
        with self._encode_lock:
            return self.encoder.encode(texts)

    def score(
        self, views: list[str], payloads: list[str] | None = None, *, ignore_off_topic: bool = False
    ) -> ClassifierScore:
        """Score every view (cut to head/tail windows) in one batch; the riskiest one decides.

        ``payloads`` are texts decoded out of the message (base64 and the like): they count only as
        injection or harm, since a decoded order token is no sign of off-topic use. With
        ``ignore_off_topic`` (the shop allows general chat) off-topic probability counts as benign everywhere.
        """
        texts = [w for view in views if view.strip() for w in windows(view)]
        payload_texts = [w for p in payloads or [] if p.strip() for w in windows(p)]
        benign_index = self.weights.classes.index("benign")
        if not texts and not payload_texts:
            return ClassifierScore("benign", 1.0, {c: float(c == "benign") for c in self.weights.classes})
        probs = self.probabilities(self.embed(texts + payload_texts))
        if "off_topic" in self.weights.classes:
            off_topic = self.weights.classes.index("off_topic")
            first = 0 if ignore_off_topic else len(texts)
            probs[first:, benign_index] += probs[first:, off_topic]
            probs[first:, off_topic] = 0.0
        worst = int(np.argmin(probs[:, benign_index]))
        row = probs[worst]
        ranked = [i for i in np.argsort(-row) if i != benign_index]
        label = self.weights.classes[ranked[0]] if row[benign_index] < self.weights.threshold else "benign"
        return ClassifierScore(
            label=label,
            benign_prob=float(row[benign_index]),
            probs={c: float(p) for c, p in zip(self.weights.classes, row, strict=True)},
        )
