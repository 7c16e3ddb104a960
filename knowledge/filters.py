"""Hard filters of a product query: as Chroma ``where`` conditions (per-collection metadata keys) and in
Python, for the lexical index, facet counts and exact model-code matches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .models import AttributeValue, Product
from .search import ProductQuery, passes_filters

ATTR_PREFIX = "attr_"


@dataclass(frozen=True)
class ProductFilter:
    category: str | None = None
    brand: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    in_stock_only: bool = False
    attributes: dict[str, AttributeValue] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: ProductQuery) -> ProductFilter:
        return cls(
            category=query.category,
            brand=query.brand,
            price_min=query.price_min,
            price_max=query.price_max,
            in_stock_only=query.in_stock_only,
            attributes=dict(query.attributes),
        )

    def conditions(self, *, price: bool = True, stock: bool = True, tag: str | None = None) -> list[dict[str, Any]]:
        """Chroma conditions; ``tag`` names the collection-specific metadata keys (see ``metadata_key``)."""
        out: list[dict[str, Any]] = []
        if self.category:
            out.append({metadata_key("category", tag): self.category})
        if self.brand:
            out.append({metadata_key("brand", tag): self.brand})
        if price and self.price_min is not None:
            out.append({metadata_key("price", tag): {"$gte": float(self.price_min)}})
        if price and self.price_max is not None:
            out.append({metadata_key("price", tag): {"$lte": float(self.price_max)}})
        if stock and self.in_stock_only:
            out.append({metadata_key("stock", tag): {"$gt": 0}})
        for key, value in self.attributes.items():
            out.append({metadata_key(ATTR_PREFIX + key, tag): value})
        return out

    def to_where(self) -> dict[str, Any] | None:
        """Chroma ``where`` clause: filters run inside the index query, not after it."""
        return where_clause(self.conditions())

    def matches(self, product: Product) -> bool:
        """The same filter in Python, for facet counts over the in-memory catalog."""
        return passes_filters(product, self)


def where_clause(conditions: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def metadata_key(field: str, tag: str | None) -> str:
    """``price`` -> ``price__1a2b3c4d`` for the collection tagged ``1a2b3c4d``.

    Chroma keeps the metadata of every collection in one SQLite table indexed by (key, value), so a
    condition on a shared key such as ``price`` scans the matching rows of all collections, every kept
    release and every shard included (measured: ~470 ms for ``price <= 300`` in a 100k store). A key of
    its own per collection confines the scan to that collection's rows.
    """
    return f"{field}__{tag}" if tag else field


def collection_tag(name: str) -> str:
    return hashlib.blake2s(name.encode(), digest_size=4).hexdigest()


def product_metadata(product: Product, tag: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "sku": product.sku,
        metadata_key("category", tag): product.category,
        metadata_key("brand", tag): product.brand,
    }
    # A field the catalog does not list is left out: a price or stock condition then never admits it.
    if product.price is not None:
        meta[metadata_key("price", tag)] = float(product.price)
    if product.stock is not None:
        meta[metadata_key("stock", tag)] = int(product.stock)
    for key, value in product.attributes.items():
        meta[metadata_key(ATTR_PREFIX + key, tag)] = value
    return meta
