"""Query and result records of the knowledge store; the assistant's ``Retriever`` port speaks these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from .models import AttributeValue, KnowledgeDoc, Product

# The orders a shopper can ask for: "cheapest", "most expensive", "best rated", "newest".
# "lightest" / "largest capacity" are measure orders: ``ProductQuery.sort_keys`` names the attributes.
SortOrder = Literal["price_asc", "price_desc", "rating", "newest", "measure_asc", "measure_desc"]
SORT_ORDERS: tuple[SortOrder, ...] = ("price_asc", "price_desc", "rating", "newest", "measure_asc", "measure_desc")


class HardFilters(Protocol):
    """The hard constraints a ``ProductQuery`` and a ``ProductFilter`` both carry."""

    @property
    def category(self) -> str | None: ...
    @property
    def brand(self) -> str | None: ...
    @property
    def price_min(self) -> float | None: ...
    @property
    def price_max(self) -> float | None: ...
    @property
    def in_stock_only(self) -> bool: ...
    @property
    def attributes(self) -> dict[str, AttributeValue]: ...


def passes_filters(product: Product, filters: HardFilters) -> bool:
    """The hard filters in Python: the one definition behind ``ProductQuery.admits`` and ``ProductFilter``."""
    if filters.category and product.category != filters.category:
        return False
    if filters.brand and product.brand != filters.brand:
        return False
    # A product without a listed price is never inside a budget; without stock data never "in stock".
    if filters.price_min is not None and (product.price is None or product.price < filters.price_min):
        return False
    if filters.price_max is not None and (product.price is None or product.price > filters.price_max):
        return False
    if filters.in_stock_only and not product.in_stock:
        return False
    return all(product.attributes.get(k) == v for k, v in filters.attributes.items())


@dataclass(frozen=True)
class ProductQuery:
    """What the shopper is looking for. Filters are hard constraints, applied inside the store query."""

    text: str
    language: Literal["zh", "en"] = "en"
    category: str | None = None
    brand: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    in_stock_only: bool = False
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    k: int = 8
    sort: SortOrder | None = None  # set: ``rank_products`` returns the top ``k`` in this order
    # For measure orders: (attribute key, factor to one common unit); a product's first key present counts.
    sort_keys: tuple[tuple[str, float], ...] = ()
    # Soft: when any match is made for this use, only those count (and are returned).
    prefer_use: str | None = None
    # Relevance order only (``sort`` unset): when the ``k`` best matches hold fewer products in stock than
    # this, ``match`` adds the cheapest admitted ones, in stock first, so that many can still be shown.
    min_in_stock: int = 0

    def admits(self, product: Product) -> bool:
        """This query's hard filters, for products that came from elsewhere than a store query."""
        return passes_filters(product, self)


@dataclass(frozen=True)
class ProductHit:
    product: Product
    score: float


@dataclass(frozen=True)
class PassageHit:
    doc: KnowledgeDoc
    score: float


@dataclass(frozen=True)
class RankedProducts:
    """The top products of a sorted query, and what the shopper must be told about the order."""

    products: list[Product]
    total: int  # products that pass the query's filters
    leaders: frozenset[str]  # SKUs sharing the best sort value: each of them is "the cheapest" (ties)
    sortable: bool  # False when no matching product carries the sort field (no ratings, no dates)
    ratings: dict[str, tuple[float, int]] = field(default_factory=dict)  # sku -> (mean stars, reviews)
    dates: dict[str, str] = field(default_factory=dict)  # sku -> release date as the catalog spells it


@dataclass(frozen=True)
class CatalogFacets:
    """What the products a query admits look like: the counts a clarifying question offers as choices."""

    total: int
    categories: dict[str, int]  # most common first (ties in catalog order)
    uses: dict[str, int]
    brands: dict[str, int]
    prices: tuple[float, ...]  # ascending, one per product: price bands are cut from them
    numeric_attributes: tuple[str, ...] = ()  # attribute keys with a number in some admitted product
