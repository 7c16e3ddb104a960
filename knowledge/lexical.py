"""BM25 over product and passage text, with jieba segmentation for Chinese.

An inverted index with precomputed per-posting BM25 weights, so a query touches only the postings of
its terms (``rank_bm25`` scores every document in Python, ~10 ms per term at 100k products).
Scores use the Okapi BM25 formula with the same defaults as ``rank_bm25.BM25Okapi`` (k1=1.5, b=0.75).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

BM25_K1 = 1.5
BM25_B = 0.75
# Tokens that carry no product meaning in either language; kept short on purpose (BM25's idf already
# discounts frequent words, this only drops the ones that are pure grammar).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "to",
        "in",
        "on",
        "with",
        "is",
        "are",
        "i",
        "me",
        "my",
        "we",
        "you",
        "it",
        "this",
        "that",
        "under",
        "over",
        "below",
        "above",
        "want",
        "need",
        "looking",
        "something",
        "some",
        "any",
        "do",
        "does",
        "have",
        "has",
        "can",
        "please",
        "show",
        "find",
        "recommend",
        "的",
        "了",
        "和",
        "是",
        "我",
        "要",
        "想",
        "有",
        "吗",
        "呢",
        "吧",
        "在",
        "个",
        "一",
        "给",
        "请",
        "找",
        "帮",
        "推荐",
        "一下",
        "什么",
        "哪些",
        "哪个",
        "适合",
        "可以",
        "以下",
        "以上",
        "左右",
        "元",
        "块",
    ]
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# SKU / model numbers ("SG-RUN-0001", "WH-1000XM5") stay one token so an exact code matches exactly.
_CODE = re.compile(r"[A-Za-z0-9]+(?:[-_./][A-Za-z0-9]+)+")
_WORD = re.compile(r"[A-Za-z0-9]+")
_jieba_lock = threading.Lock()
_jieba_state = {"ready": False}


def _segment(text: str) -> list[str]:
    import jieba

    if not _jieba_state["ready"]:
        with _jieba_lock:
            if not _jieba_state["ready"]:
                jieba.setLogLevel(logging.WARNING)  # its dictionary-loading banner is not a log event
                jieba.initialize()
                _jieba_state["ready"] = True
    return [t for t in jieba.lcut_for_search(text) if t.strip()]


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens: codes whole and in parts, English words, jieba words of CJK runs."""
    tokens: list[str] = []
    for code in _CODE.findall(text):
        tokens.append(code.lower())
    for run in _CJK.findall(text):
        tokens.extend(_segment(run))
    for word in _WORD.findall(_CJK.sub(" ", text)):
        tokens.append(word.lower())
    return [t for t in tokens if t not in STOPWORDS]


@dataclass
class BM25Index:
    """Postings per term: document indices and their BM25 weight for that term."""

    vocab: dict[str, int]
    offsets: npt.NDArray[np.int64]  # term t's postings are [offsets[t], offsets[t+1])
    doc_ids: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float32]
    n_docs: int

    @classmethod
    def build(cls, documents: Iterable[Sequence[str]]) -> BM25Index:
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        lengths: list[int] = []
        for doc_no, tokens in enumerate(documents):
            lengths.append(len(tokens))
            tf: dict[int, int] = {}
            for token in tokens:
                term = vocab.setdefault(token, len(vocab))
                tf[term] = tf.get(term, 0) + 1
            for term, count in tf.items():
                rows.append(term)
                cols.append(doc_no)
                counts.append(count)
        n_docs = len(lengths)
        if not rows:
            return cls(
                vocab, np.zeros(len(vocab) + 1, dtype=np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), n_docs
            )
        terms = np.asarray(rows, dtype=np.int64)
        docs = np.asarray(cols, dtype=np.int32)
        tf_arr = np.asarray(counts, dtype=np.float32)
        doc_len = np.asarray(lengths, dtype=np.float32)
        avgdl = float(doc_len.mean()) or 1.0
        df = np.bincount(terms, minlength=len(vocab)).astype(np.float32)
        idf = np.log((n_docs - df + 0.5) / (df + 0.5) + 1.0)  # the "+1" keeps idf positive for common terms
        norm = BM25_K1 * (1.0 - BM25_B + BM25_B * doc_len[docs] / avgdl)
        weights = (idf[terms] * tf_arr * (BM25_K1 + 1.0) / (tf_arr + norm)).astype(np.float32)
        order = np.argsort(terms, kind="stable")
        offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(vocab)), out=offsets[1:])
        return cls(vocab, offsets, docs[order], weights[order], n_docs)

    def scores(self, tokens: Sequence[str]) -> npt.NDArray[np.float32]:
        total = np.zeros(self.n_docs, dtype=np.float32)
        for token in set(tokens):
            term = self.vocab.get(token)
            if term is None:
                continue
            lo, hi = int(self.offsets[term]), int(self.offsets[term + 1])
            np.add.at(total, self.doc_ids[lo:hi], self.weights[lo:hi])
        return total

    def top(self, tokens: Sequence[str], k: int, mask: npt.NDArray[np.bool_] | None = None) -> list[tuple[int, float]]:
        """Best ``k`` documents with a positive score; ``mask`` (hard filters) excludes before ranking."""
        if self.n_docs == 0 or k <= 0:
            return []
        scores = self.scores(tokens)
        if mask is not None:
            scores = np.where(mask, scores, 0.0).astype(np.float32)
        positive = int(np.count_nonzero(scores > 0))
        if positive == 0:
            return []
        k = min(k, positive)
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(i), float(scores[i])) for i in best]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez(
                handle,
                offsets=self.offsets,
                doc_ids=self.doc_ids,
                weights=self.weights,
                n_docs=np.asarray([self.n_docs]),
                vocab=np.asarray([json.dumps(self.vocab, ensure_ascii=False)]),
            )

    @classmethod
    def load(cls, path: Path) -> BM25Index:
        with np.load(path, allow_pickle=False) as data:
            vocab: dict[str, Any] = json.loads(str(data["vocab"][0]))
            return cls(
                {str(k): int(v) for k, v in vocab.items()},
                data["offsets"].astype(np.int64),
                data["doc_ids"].astype(np.int32),
                data["weights"].astype(np.float32),
                int(data["n_docs"][0]),
            )
