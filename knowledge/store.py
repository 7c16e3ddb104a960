"""The knowledge store: products and documents of the live release in Chroma, with filtered search.

Embedded ``PersistentClient`` by default, a Chroma server through ``HttpClient`` for scale. The live
release is a plain Python reference swapped in one assignment, so a query always reads one release.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, cast

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from .embedding import MultilingualUSE
from .errors import KnowledgeError, KnowledgeStoreCorrupt
from .loaders import LoadedKnowledge
from .models import AttributeValue, KnowledgeDoc, Product, Review
from .search import PassageHit, ProductHit, ProductQuery

ADD_BATCH = 512  # rows per Chroma add: bounded memory, few round trips
QUERY_CACHE_SIZE = 1024
POINTER_FILE = "live_release.json"
PRODUCTS_PREFIX = "products-"
DOCS_PREFIX = "docs-"
ATTR_PREFIX = "attr_"
Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class ProductFilter:
    category: str | None = None
    brand: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    in_stock_only: bool = False
    attributes: dict[str, AttributeValue] = field(default_factory=dict)

    def to_where(self) -> dict[str, Any] | None:
        """Chroma ``where`` clause: filters run inside the index query, not after it."""
        conditions: list[dict[str, Any]] = []
        if self.category:
            conditions.append({"category": self.category})
        if self.brand:
            conditions.append({"brand": self.brand})
        if self.price_min is not None:
            conditions.append({"price": {"$gte": float(self.price_min)}})
        if self.price_max is not None:
            conditions.append({"price": {"$lte": float(self.price_max)}})
        if self.in_stock_only:
            conditions.append({"stock": {"$gt": 0}})
        for key, value in self.attributes.items():
            conditions.append({ATTR_PREFIX + key: value})
        if not conditions:
            return None
        return conditions[0] if len(conditions) == 1 else {"$and": conditions}

    def matches(self, product: Product) -> bool:
        """The same filter in Python, for facet counts over the in-memory catalog."""
        if self.category and product.category != self.category:
            return False
        if self.brand and product.brand != self.brand:
            return False
        if self.price_min is not None and product.price < self.price_min:
            return False
        if self.price_max is not None and product.price > self.price_max:
            return False
        if self.in_stock_only and product.stock <= 0:
            return False
        return all(product.attributes.get(k) == v for k, v in self.attributes.items())


@dataclass(frozen=True)
class LiveRelease:
    """Everything one release serves. Replaced as a whole, never mutated in place."""

    release_id: str
    products_collection: Collection
    docs_collection: Collection
    products: dict[str, Product]
    reviews: dict[str, list[Review]]


def product_document(product: Product) -> str:
    """Text embedded for a product: both languages, so zh and en queries match."""
    uses = " ".join(product.uses)
    return " | ".join(
        part
        for part in (
            product.name,
            product.name_zh,
            product.brand,
            product.category.replace("_", " "),
            uses,
            product.description,
            product.description_zh,
        )
        if part
    )


def product_metadata(product: Product) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "sku": product.sku,
        "category": product.category,
        "brand": product.brand,
        "price": float(product.price),
        "stock": int(product.stock),
        "json": product.model_dump_json(),
    }
    for key, value in product.attributes.items():
        meta[ATTR_PREFIX + key] = value
    return meta


def make_client(
    mode: Literal["embedded", "server"], path: Path, host: str = "127.0.0.1", port: int = 8000
) -> ClientAPI:
    try:
        if mode == "server":
            return chromadb.HttpClient(host=host, port=port)
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path))
    except Exception as exc:  # chromadb raises a variety of errors for a damaged directory
        raise KnowledgeStoreCorrupt(
            f"cannot open the Chroma store at {path if mode == 'embedded' else f'{host}:{port}'}: {exc}",
            hint="delete the directory and run `shopguide kb reload` to rebuild it, or check the server",
        ) from exc


class KnowledgeStore:
    """Read and write access to Chroma releases; implements the assistant's ``Retriever`` port."""

    def __init__(self, client: ClientAPI, embedder: MultilingualUSE, pointer_dir: Path) -> None:
        self._client = client
        self._embedder = embedder
        # chromadb's EmbeddingFunction generics are wider than ours; the runtime contract is the same.
        self._ef: Any = embedder
        self._pointer_path = pointer_dir / POINTER_FILE
        self._write_lock = threading.Lock()
        self._live: LiveRelease | None = None
        self._embed_query = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_one)

    # ---- lifecycle -------------------------------------------------------------------------
    @property
    def live(self) -> LiveRelease:
        live = self._live
        if live is None:
            raise KnowledgeError("no live knowledge release", hint="run `shopguide kb reload PATH`")
        return live

    @property
    def has_live(self) -> bool:
        return self._live is not None

    def open_live(self) -> bool:
        """Attach to the release named by the persisted pointer; False when there is none yet."""
        if not self._pointer_path.exists():
            return False
        try:
            pointer = json.loads(self._pointer_path.read_text(encoding="utf-8"))
            release_id = str(pointer["release_id"])
        except (ValueError, KeyError) as exc:
            raise KnowledgeStoreCorrupt(
                f"release pointer {self._pointer_path} is unreadable",
                hint="delete it and run `shopguide kb reload` to rebuild",
            ) from exc
        self._live = self._attach(release_id)
        return True

    def _attach(self, release_id: str) -> LiveRelease:
        try:
            products_col = self._client.get_collection(PRODUCTS_PREFIX + release_id, embedding_function=self._ef)
            docs_col = self._client.get_collection(DOCS_PREFIX + release_id, embedding_function=self._ef)
            rows = products_col.get(include=["metadatas"])
        except Exception as exc:
            raise KnowledgeStoreCorrupt(
                f"release {release_id} cannot be read from Chroma: {exc}",
                hint="run `shopguide kb reload` to rebuild the knowledge base",
            ) from exc
        products = {}
        for meta in rows["metadatas"] or []:
            product = Product.model_validate_json(str(meta["json"]))
            products[product.sku] = product
        reviews = self._read_reviews(release_id)
        return LiveRelease(release_id, products_col, docs_col, products, reviews)

    def _reviews_path(self, release_id: str) -> Path:
        return self._pointer_path.parent / f"reviews-{release_id}.jsonl"

    def _read_reviews(self, release_id: str) -> dict[str, list[Review]]:
        path = self._reviews_path(release_id)
        grouped: dict[str, list[Review]] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    review = Review.model_validate_json(line)
                    grouped.setdefault(review.sku, []).append(review)
        return grouped

    def build_release(
        self,
        loaded: LoadedKnowledge,
        *,
        release_id: str | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> str:
        """Write a new release beside the live one. It is not served until ``activate``."""
        release_id = release_id or time.strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
        with self._write_lock:
            products_col = self._client.create_collection(
                PRODUCTS_PREFIX + release_id,
                embedding_function=self._ef,
                metadata={"hnsw:space": "cosine"},
            )
            docs_col = self._client.create_collection(
                DOCS_PREFIX + release_id, embedding_function=self._ef, metadata={"hnsw:space": "cosine"}
            )
            total = len(loaded.products)
            for start in range(0, total, ADD_BATCH):
                batch = loaded.products[start : start + ADD_BATCH]
                products_col.add(
                    ids=[p.sku for p in batch],
                    documents=[product_document(p) for p in batch],
                    metadatas=[product_metadata(p) for p in batch],
                )
                if progress:
                    progress("products", min(start + ADD_BATCH, total), total)
            if loaded.docs:
                docs_col.add(
                    ids=[d.doc_id for d in loaded.docs],
                    documents=[f"{d.title}\n{d.text}" for d in loaded.docs],
                    metadatas=[
                        {"kind": d.kind, "language": d.language, "json": d.model_dump_json()} for d in loaded.docs
                    ],
                )
                if progress:
                    progress("documents", len(loaded.docs), len(loaded.docs))
            reviews_path = self._reviews_path(release_id)
            reviews_path.parent.mkdir(parents=True, exist_ok=True)
            reviews_path.write_text("".join(r.model_dump_json() + "\n" for r in loaded.reviews), encoding="utf-8")
        return release_id

    def activate(self, release_id: str) -> None:
        """Serve ``release_id``: one reference swap, then persist the pointer (atomic rename)."""
        live = self._attach(release_id)
        self._live = live
        tmp = self._pointer_path.with_suffix(".tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"release_id": release_id, "activated_at": time.time()}), encoding="utf-8")
        tmp.replace(self._pointer_path)

    def release_ids(self) -> list[str]:
        names = [c.name if hasattr(c, "name") else str(c) for c in self._client.list_collections()]
        return sorted(n[len(PRODUCTS_PREFIX) :] for n in names if n.startswith(PRODUCTS_PREFIX))

    def drop_release(self, release_id: str) -> None:
        if self._live is not None and self._live.release_id == release_id:
            raise KnowledgeError(f"release {release_id} is live", hint="activate another release first")
        for prefix in (PRODUCTS_PREFIX, DOCS_PREFIX):
            try:
                self._client.delete_collection(prefix + release_id)
            except Exception:  # already gone is fine
                continue
        self._reviews_path(release_id).unlink(missing_ok=True)

    # ---- Retriever port --------------------------------------------------------------------
    def _embed_one(self, text: str) -> tuple[float, ...]:
        return tuple(float(x) for x in self._embedder.encode([text])[0])

    def search_products(self, query: ProductQuery) -> list[ProductHit]:
        live = self.live
        flt = ProductFilter(
            category=query.category,
            brand=query.brand,
            price_min=query.price_min,
            price_max=query.price_max,
            in_stock_only=query.in_stock_only,
            attributes=dict(query.attributes),
        )
        candidates = sum(1 for p in live.products.values() if flt.matches(p)) if flt.to_where() else len(live.products)
        if candidates == 0:
            return []
        result = live.products_collection.query(
            query_embeddings=cast(Any, [list(self._embed_query(query.text or " "))]),
            n_results=min(int(query.k), candidates),
            where=flt.to_where(),
            include=["distances", "metadatas"],
        )
        hits: list[ProductHit] = []
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        for sku, distance in zip(ids, distances, strict=False):
            product = live.products.get(sku)
            if product is not None:
                hits.append(ProductHit(product=product, score=1.0 - float(distance)))
        return hits

    def search_docs(self, text: str, language: Lang, k: int = 3) -> list[PassageHit]:
        live = self.live
        if live.docs_collection.count() == 0:
            return []
        result = live.docs_collection.query(
            query_embeddings=cast(Any, [list(self._embed_query(text or " "))]),
            n_results=min(k * 2, live.docs_collection.count()),
            include=["distances", "metadatas"],
        )
        hits: list[PassageHit] = []
        for meta, distance in zip((result["metadatas"] or [[]])[0], (result["distances"] or [[]])[0], strict=False):
            doc = KnowledgeDoc.model_validate_json(str(meta["json"]))
            # Same-language passages first: the model answers better from text in the reply language.
            bonus = 0.05 if doc.language == language else 0.0
            hits.append(PassageHit(doc=doc, score=1.0 - float(distance) + bonus))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]

    def get_products(self, skus: Sequence[str]) -> list[Product]:
        live = self.live
        return [live.products[s.upper()] for s in skus if s.upper() in live.products]

    def all_products(self) -> Sequence[Product]:
        return list(self.live.products.values())

    def reviews_for(self, sku: str) -> list[Review]:
        return list(self.live.reviews.get(sku.upper(), []))
