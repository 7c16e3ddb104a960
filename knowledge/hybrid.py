"""Hybrid search over one served release: exact model codes first, then dense (Chroma) and BM25 lists
fused by reciprocal rank; shop documents the same way; a product's own passages for a question.
"""

from __future__ import annotations

import contextlib
import logging
from functools import lru_cache
from typing import Any, Literal, cast

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import QueryResult

from .documents import CODE_TOKEN
from .embedding import EMBEDDING_DIM, MultilingualUSE
from .filters import ProductFilter, collection_tag, metadata_key
from .layout import STOCK_STATES, passages_collection, query_plan
from .lexical import tokenize
from .live import LiveRelease
from .passages import ProductPassageIndex, without_name
from .search import PassageHit, ProductHit, ProductQuery

QUERY_CACHE_SIZE = 1024
# Reciprocal rank fusion constant from Cormack et al. (2009); 60 is the value the paper found robust.
RRF_K = 60
# Per-list weights in the fusion. Lexical evidence is weighted higher because catalog queries reuse the
# catalog's own words (names, specs); chosen on the labelled demo set (bench/bench_retrieval.py), where
# equal weights lost Recall@5 to BM25 alone and 0.5-0.7 for dense beat both lists on both metrics.
DENSE_WEIGHT = 0.6
LEXICAL_WEIGHT = 1.0
# Dense and lexical candidate depth before fusion; deeper lists cost latency and rarely change the top 10.
CANDIDATES_PER_LIST = 30
EXACT_MATCH_SCORE = 1000.0
# Same-language passages first: the model answers better from text in the reply language.
SAME_LANGUAGE_BONUS = 0.05
Lang = Literal["zh", "en"]
log = logging.getLogger("knowledge.store")


class HybridSearch:
    """Searches a given release; holds the query-embedding cache and the passage index."""

    def __init__(self, client: ClientAPI, embedder: MultilingualUSE) -> None:
        self.embedder = embedder
        self.embed_query = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_one)
        self.passages = ProductPassageIndex(client, embedder)
        self.damaged_collections: set[str] = set()  # logged once each; searches fall back to BM25

    def _embed_one(self, text: str) -> tuple[float, ...]:
        return tuple(float(x) for x in self.embedder.encode([text])[0])

    @staticmethod
    def warm(live: LiveRelease) -> None:
        """Query every collection once, so no shopper's query pays for loading an index from disk."""
        probe = cast(Any, [[1.0] + [0.0] * (EMBEDDING_DIM - 1)])
        for collection in [*live.shards.values(), live.docs_collection]:
            with contextlib.suppress(Exception):  # an empty collection has nothing to load
                collection.query(query_embeddings=probe, n_results=1, include=[])

    def products(
        self, live: LiveRelease, query: ProductQuery, mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    ) -> list[ProductHit]:
        flt = ProductFilter.from_query(query)
        k = max(1, int(query.k))
        depth = max(k, CANDIDATES_PER_LIST)
        mask = live.mask(flt)
        exact = self._exact(live, query.text, flt) if mode == "hybrid" else []
        dense = self._dense(live, query.text, flt, depth) if mode != "bm25" else []
        lexical: list[str] = []
        if mode != "dense":
            lexical = [live.order[i] for i, _ in live.lexical.top(tokenize(query.text), depth, mask)]
        fused: dict[str, float] = {}
        for weight, ranking in ((DENSE_WEIGHT, dense), (LEXICAL_WEIGHT, lexical)):
            for rank, sku in enumerate(ranking):
                fused[sku] = fused.get(sku, 0.0) + weight / (RRF_K + rank + 1)
        for sku in exact:
            fused[sku] = EXACT_MATCH_SCORE + fused.get(sku, 0.0)
        best = sorted(fused.items(), key=lambda item: item[1], reverse=True)[:k]
        return [ProductHit(product=live.products[sku], score=score) for sku, score in best if sku in live.products]

    def _exact(self, live: LiveRelease, text: str, flt: ProductFilter) -> list[str]:
        found: list[str] = []
        for token in CODE_TOKEN.findall(text):
            for sku in live.codes.get(token.lower(), []):
                if sku not in found and flt.matches(live.products[sku]):
                    found.append(sku)
        return found

    def _dense(self, live: LiveRelease, text: str, flt: ProductFilter, depth: int) -> list[str]:
        vector = cast(Any, [list(self.embed_query(text or " "))])
        states = ("in",) if flt.in_stock_only else STOCK_STATES
        ranked: list[tuple[float, str]] = []
        for state in states:
            for shard, where in query_plan(live.layout, state, flt):
                collection = live.shards[shard.name]
                result = self.index_query(
                    collection, query_embeddings=vector, n_results=depth, where=where, include=["distances"]
                )
                if result is None:
                    continue
                ids = result["ids"][0]
                distances = (result["distances"] or [[]])[0]
                ranked.extend((float(d), sku) for sku, d in zip(ids, distances, strict=False))
        ranked.sort()
        seen: set[str] = set()
        out = []
        for _, sku in ranked:
            if sku not in seen and sku in live.products:
                seen.add(sku)
                out.append(sku)
        return out[:depth]

    def index_query(self, collection: Collection, **kwargs: Any) -> QueryResult | None:
        """A Chroma query, or None when its index fails (a crash can leave it inconsistent).

        The caller answers from the lexical index alone: shoppers keep getting answers from the intact
        snapshot while the log says what is wrong and ``kb doctor --repair`` rebuilds the index.
        """
        try:
            return collection.query(**kwargs)
        except Exception as exc:  # chromadb raises InternalError ("Error finding id") for a damaged index
            if collection.name not in self.damaged_collections:
                self.damaged_collections.add(collection.name)
                log.error(
                    "event=kb_index_damaged collection=%s error=%s fix=%r",
                    collection.name,
                    type(exc).__name__,
                    "shopguide kb doctor --repair",
                )
            return None

    def docs(self, live: LiveRelease, text: str, language: Lang, k: int = 3) -> list[PassageHit]:
        if not live.docs:
            return []
        depth = min(len(live.docs), max(k * 4, 10))
        result = self.index_query(
            live.docs_collection,
            query_embeddings=cast(Any, [list(self.embed_query(text or " "))]),
            n_results=depth,
            include=["distances"],
        )
        by_id = {d.doc_id: d for d in live.docs}
        fused: dict[str, float] = {}
        for rank, doc_id in enumerate(result["ids"][0] if result is not None else []):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, (index, _) in enumerate(live.docs_lexical.top(tokenize(text), depth)):
            doc_id = live.docs[index].doc_id
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        hits = [
            PassageHit(doc=by_id[d], score=s * RRF_K + (SAME_LANGUAGE_BONUS if by_id[d].language == language else 0.0))
            for d, s in fused.items()
            if d in by_id
        ]
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]

    def product_passages(self, live: LiveRelease, sku: str, text: str, language: Lang, k: int = 3) -> list[PassageHit]:
        """The passages of one product's own text (and its reviews) that best answer ``text``."""
        product = live.products.get(sku.strip().upper())
        if product is None:
            return []
        name = passages_collection(live.release_id)
        passages = self.passages.passages(
            (live.release_id, live.revision, product.sku), product, live.reviews.get(product.sku, []), live.docs
        )
        vectors = self.passages.vectors(name, metadata_key("sku", collection_tag(name)), passages)
        names = set(tokenize(f"{product.name} {product.name_zh} {product.brand}"))
        ask = without_name(text, product)
        ranked = self.passages.rank(passages, vectors, self.embed_query(ask), ask, language=language, name_tokens=names)
        return ranked[: max(1, k)]
