"""One release as it is served: products, reviews, documents, lexical indexes and Chroma collections.

Replaced as a whole on any change (a switch, a live update), never mutated in place, so a query that
holds one keeps a consistent view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from chromadb.api.models.Collection import Collection

from .documents import code_index, product_document, text_changed
from .filters import ProductFilter
from .layout import Shard
from .lexical import BM25Index, tokenize
from .models import KnowledgeDoc, Product, Review
from .releases import ReleaseManifest


@dataclass
class LiveRelease:
    """Everything one release serves. Replaced as a whole on any change, never mutated in place."""

    release_id: str
    manifest: ReleaseManifest
    shards: dict[str, Collection]
    layout: list[Shard]
    docs_collection: Collection
    products: dict[str, Product]
    reviews: dict[str, list[Review]]
    docs: list[KnowledgeDoc]
    order: list[str]  # lexical document index -> sku
    lexical: BM25Index
    docs_lexical: BM25Index
    prices: npt.NDArray[np.float64]
    stocks: npt.NDArray[np.int64]
    codes: dict[str, list[str]]
    revision: int = 0

    @property
    def products_collection(self) -> Collection:
        """The collection of in-stock products (kept for callers of the single-collection store)."""
        whole = [s for s in self.layout if s.state == "in" and s.whole]
        return self.shards[whole[0].name]

    def mask(self, flt: ProductFilter) -> npt.NDArray[np.bool_] | None:
        """Rows (in ``order``) the filter admits; None when it admits every row."""
        if not flt.conditions():
            return None
        mask = np.ones(len(self.order), dtype=bool)
        if flt.price_min is not None:
            mask &= self.prices >= flt.price_min
        if flt.price_max is not None:
            mask &= self.prices <= flt.price_max
        if flt.in_stock_only:
            mask &= self.stocks > 0
        if flt.category or flt.brand or flt.attributes:
            plain = ProductFilter(category=flt.category, brand=flt.brand, attributes=flt.attributes)
            mask &= np.fromiter(
                (plain.matches(self.products[s]) for s in self.order), dtype=bool, count=len(self.order)
            )
        return mask


def assemble_release(  # noqa: PLR0917 (one call shape per release part)
    manifest: ReleaseManifest,
    layout: list[Shard],
    shards: dict[str, Collection],
    docs_col: Collection,
    products: list[Product],
    reviews: dict[str, list[Review]],
    docs: list[KnowledgeDoc],
    lexical: BM25Index | None,
) -> LiveRelease:
    """A served release from its parts; ``lexical`` None builds the BM25 index of the products."""
    if lexical is None:
        lexical = BM25Index.build(tokenize(product_document(p)) for p in products)
    return LiveRelease(
        release_id=manifest.release_id,
        manifest=manifest,
        shards=shards,
        layout=layout,
        docs_collection=docs_col,
        products={p.sku: p for p in products},
        reviews=reviews,
        docs=docs,
        order=[p.sku for p in products],
        lexical=lexical,
        docs_lexical=BM25Index.build(tokenize(f"{d.title} {d.text}") for d in docs),
        # NaN / -1 for a field not listed: no price bound admits NaN, no in-stock test admits -1.
        prices=np.asarray([np.nan if p.price is None else p.price for p in products], dtype=np.float64),
        stocks=np.asarray([-1 if p.stock is None else p.stock for p in products], dtype=np.int64),
        codes=code_index(products),
    )


def with_products(live: LiveRelease, products: Sequence[Product]) -> LiveRelease:
    """``live`` with ``products`` added or replaced; the BM25 index is rebuilt only when a text changed."""
    merged = dict(live.products)
    changed = False
    for product in products:
        old = merged.get(product.sku)
        changed = changed or old is None or text_changed(old, product)
        merged[product.sku] = product
    known = set(live.order)
    ordered = [merged[s] for s in live.order] + [p for s, p in merged.items() if s not in known]
    lexical = None if changed else live.lexical
    return assemble_release(
        live.manifest, live.layout, live.shards, live.docs_collection, ordered, live.reviews, live.docs, lexical
    )
