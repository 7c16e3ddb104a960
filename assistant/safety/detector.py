"""The learned layer of the input filter: one logistic regression over two kinds of features of each view of a
message, with a decision threshold per language.

Features: the multilingual sentence embedding (512 floats, shared with catalog search; paraphrase and
language carry over) and hashed character 2-4-grams (``NGRAM_FEATURES`` buckets; they survive odd spelling
and obfuscation and need no tokenizer for Chinese). Classes: benign, injection, harmful, off_topic. Safety
risk is P(injection) + P(harmful); off-topic use is a separate, shop-mode verdict. Weights ship as a
``.npz`` of plain arrays (no pickle) written by ``python -m assistant.safety.train``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedding import EMBEDDING_DIM, EMBEDDING_NAME, MultilingualUSE
from knowledge.errors import ShopguideError

from .rules import TextViews

__all__ = [
    "CLASSES",
    "DEFAULT_DETECTOR_PATH",
    "Detector",
    "DetectorInvalid",
    "DetectorScore",
    "DetectorWeights",
    "FeatureSet",
    "detector_inputs",
    "lang_group",
]

CLASSES = ("benign", "injection", "harmful", "off_topic")
SAFETY_CLASSES = ("injection", "harmful")
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_DETECTOR_PATH = DATA_DIR / "detector.npz"
NGRAM_FEATURES = 2**15
NGRAM_RANGE = (2, 4)
# Long inputs are judged by their head and tail: encoding cost grows with length (100 KB took 3 s).
WINDOW_CHARS = 512
MIN_VIEW_CHARS = 6
# A request after a leading product name or greeting ("About the X200: …", "X200，帮我…") is also judged alone:
# a shopping prefix must not dilute it.
_CLAUSE_SPLIT_RE = re.compile(r"[:：,，;；。.!?！？\n—]\s*")
MAX_CLAUSES = 3
DEFAULT_CUT = 0.5
OFF_TOPIC_CUT = 0.5

FloatArray = np.ndarray[Any, np.dtype[np.float32]]


class DetectorInvalid(ShopguideError):
    """The detector weights file is missing, unreadable or made for another embedding."""

    code = "safety_model_invalid"


_RETRAIN_HINT = "retrain with `python -m assistant.safety.train`, or set SHOPGUIDE_SAFETY_CLASSIFIER=false"


class FeatureSet:
    """Which features a model reads: ``embedding``, ``ngrams`` or both (the deployed choice)."""

    def __init__(self, embedding: bool = True, ngrams: bool = True) -> None:
        self.embedding = embedding
        self.ngrams = ngrams

    @property
    def name(self) -> str:
        return "+".join(n for n, on in (("embedding", self.embedding), ("ngrams", self.ngrams)) if on)


def lang_group(lang: str) -> str:
    """Thresholds are calibrated for Chinese and for everything else (English and the other Latin-script sets)."""
    return "zh" if lang == "zh" else "other"


def _windows(text: str) -> list[str]:
    if len(text) <= WINDOW_CHARS * 2:
        return [text]
    return [text[:WINDOW_CHARS], text[-WINDOW_CHARS:]]


def detector_inputs(views: TextViews) -> tuple[list[str], list[str]]:
    """(texts of the message as written, payloads decoded out of it) that the detector scores.

    Texts: the prose view (opaque tokens cut), the de-obfuscated view if different, and the clauses after a
    leading prefix. Payloads (base64, rot13, Morse …) count only as injection or harm.
    """
    texts: list[str] = []
    for candidate in (views.prose, views.deobfuscated):
        if len(candidate.strip()) >= MIN_VIEW_CHARS and candidate not in texts:
            texts.append(candidate)
    if texts:
        parts = [p for p in _CLAUSE_SPLIT_RE.split(views.prose) if p.strip()]
        if len(parts) > 1:
            tail = " ".join(parts[1:]).strip()
            if len(tail) >= MIN_VIEW_CHARS and tail not in texts:
                texts.append(tail)
    payloads = [p for p in views.decoded if len(p.strip()) >= MIN_VIEW_CHARS]
    return [w for t in texts for w in _windows(t)], [w for p in payloads for w in _windows(p)]


def ngram_matrix(texts: list[str]) -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    vectorizer = HashingVectorizer(
        analyzer="char_wb", ngram_range=NGRAM_RANGE, n_features=NGRAM_FEATURES, alternate_sign=False, norm="l2"
    )
    return vectorizer.transform([t.lower() for t in texts])


@dataclass(frozen=True)
class DetectorWeights:
    classes: tuple[str, ...]
    coef_embedding: FloatArray  # (n_classes, EMBEDDING_DIM) or (n_classes, 0)
    coef_ngrams: FloatArray  # (n_classes, NGRAM_FEATURES) or (n_classes, 0)
    intercept: FloatArray
    cuts: dict[str, float]  # language group -> block when safety risk > cut
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def features(self) -> FeatureSet:
        return FeatureSet(self.coef_embedding.shape[1] > 0, self.coef_ngrams.shape[1] > 0)

    def cut(self, lang: str) -> float:
        return self.cuts.get(lang_group(lang), self.cuts.get("other", DEFAULT_CUT))

    def save(self, path: Path) -> None:
        header = {"embedding": EMBEDDING_NAME, "classes": list(self.classes), "cuts": self.cuts, "meta": self.meta}
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                header=np.asarray(json.dumps(header, ensure_ascii=False)),
                coef_embedding=self.coef_embedding.astype(np.float16),
                coef_ngrams=self.coef_ngrams.astype(np.float16),
                intercept=self.intercept.astype(np.float32),
            )

    @classmethod
    def load(cls, path: Path = DEFAULT_DETECTOR_PATH) -> DetectorWeights:
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                coef_embedding = np.asarray(data["coef_embedding"], dtype=np.float32)
                coef_ngrams = np.asarray(data["coef_ngrams"], dtype=np.float32)
                intercept = np.asarray(data["intercept"], dtype=np.float32)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DetectorInvalid(f"cannot read detector weights {path}: {exc}", hint=_RETRAIN_HINT) from exc
        if header.get("embedding") != EMBEDDING_NAME:
            raise DetectorInvalid(
                f"{path} was trained on {header.get('embedding')!r}, not {EMBEDDING_NAME!r}", hint=_RETRAIN_HINT
            )
        if coef_embedding.shape[1] not in (0, EMBEDDING_DIM) or coef_ngrams.shape[1] not in (0, NGRAM_FEATURES):
            raise DetectorInvalid(f"{path}: feature sizes do not match this version", hint=_RETRAIN_HINT)
        return cls(
            classes=tuple(header["classes"]),
            coef_embedding=coef_embedding,
            coef_ngrams=coef_ngrams,
            intercept=intercept,
            cuts={str(k): float(v) for k, v in header.get("cuts", {}).items()},
            meta=dict(header.get("meta", {})),
        )


@dataclass(frozen=True)
class DetectorScore:
    """The riskiest view of a message: ``label`` is benign, injection, harmful or off_topic."""

    label: str
    safety_risk: float
    off_topic: float
    cut: float


class Detector:
    """Scores views of messages; the sentence encoder is loaded on first use and encodes on one thread."""

    def __init__(
        self, weights: DetectorWeights, threads: int = 1, embed: Callable[[list[str]], FloatArray] | None = None
    ) -> None:
        self.weights = weights
        self.encoder = MultilingualUSE(threads=threads)
        self._embed = embed  # the evaluation passes a cache of embeddings it already computed
        # Turns run in worker threads; one encode at a time keeps BLAS from oversubscribing the cores.
        self._encode_lock = threading.Lock()
        self._safety = [weights.classes.index(c) for c in SAFETY_CLASSES if c in weights.classes]
        self._off_topic = weights.classes.index("off_topic") if "off_topic" in weights.classes else None

    @classmethod
    def load(cls, path: Path = DEFAULT_DETECTOR_PATH, threads: int = 1) -> Detector:
        return cls(DetectorWeights.load(path), threads)

    def embed(self, texts: list[str]) -> FloatArray:
        if self._embed is not None:
            return self._embed(texts)
        with self._encode_lock:
            return self.encoder.encode(texts)

    def probabilities(self, texts: list[str], embeddings: FloatArray | None = None) -> FloatArray:
        w = self.weights
        logits = np.tile(w.intercept, (len(texts), 1)).astype(np.float32)
        if w.coef_embedding.shape[1]:
            emb = self.embed(texts) if embeddings is None else embeddings
            logits += emb @ w.coef_embedding.T
        if w.coef_ngrams.shape[1]:
            logits += np.asarray(ngram_matrix(texts) @ w.coef_ngrams.T, dtype=np.float32)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        result: FloatArray = exp / exp.sum(axis=1, keepdims=True)
        return result

    def safety_risks(self, texts: list[str]) -> FloatArray:
        """P(injection) + P(harmful) of each text, in one encoder call."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        risks: FloatArray = self.probabilities(texts)[:, self._safety].sum(axis=1)
        return risks

    def score(self, texts: list[str], payloads: list[str], lang: str) -> DetectorScore:
        cut = self.weights.cut(lang)
        rows = texts + payloads
        if not rows:
            return DetectorScore("benign", 0.0, 0.0, cut)
        probs = self.probabilities(rows)
        safety = probs[:, self._safety].sum(axis=1)
        worst = int(np.argmax(safety))
        off_topic = float(probs[: len(texts), self._off_topic].max()) if texts and self._off_topic is not None else 0.0
        risk = float(safety[worst])
        if risk > cut:
            label = self.weights.classes[self._safety[int(np.argmax(probs[worst, self._safety]))]]
        elif off_topic > OFF_TOPIC_CUT:
            label = "off_topic"
        else:
            label = "benign"
        return DetectorScore(label, risk, off_topic, cut)
