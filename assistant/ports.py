"""Small ports the core depends on; concrete classes live beside them or in ``knowledge/``."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from knowledge.models import Product, Review
from knowledge.search import CatalogFacets, PassageHit, ProductHit, ProductQuery, RankedProducts, SortOrder

from .types import Language

__all__ = [
    "NO_SAFETY_CONTEXT",
    "Catalog",
    "CatalogFacets",
    "ChatMessage",
    "Clock",
    "Generator",
    "PassageHit",
    "ProductHit",
    "ProductQuery",
    "RankedProducts",
    "Retriever",
    "SafetyCheck",
    "SafetyContext",
    "SafetyVerdict",
    "SortOrder",
]


@runtime_checkable
class Retriever(Protocol):
    """Read access to the live knowledge release."""

    def match(self, query: ProductQuery) -> RankedProducts:
        """The products the query's hard filters admit, best first: in ``query.sort`` order when set, else by
        relevance to ``query.text`` (topped up to ``query.min_in_stock`` in stock); ``total`` counts them all."""
        ...

    def facets(self, query: ProductQuery) -> CatalogFacets:
        """Counts (categories, uses, brands, prices) of the products the filters admit."""
        ...

    def search_docs(self, text: str, language: Language, k: int = 3) -> list[PassageHit]: ...

    def search_product_passages(self, sku: str, text: str, language: Language, k: int = 3) -> list[PassageHit]:
        """Passages of one product's own text and reviews (``doc.sku``, ``doc.kind``), best first."""
        ...

    def get_products(self, skus: Sequence[str]) -> list[Product]: ...

    def all_products(self) -> Sequence[Product]:
        """Every product of the live release (for the vocabulary: names, brands, categories)."""
        ...


class Catalog(Retriever, Protocol):
    """What adapters and staff tools may read of the live catalog: the retriever and the review side file.
    The store itself (release lifecycle, live updates) stays with the composition root."""

    def reviews_for(self, sku: str) -> list[Review]: ...


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


class Generator(Protocol):
    """A chat LLM that streams text deltas. Implementations must not block the event loop."""

    name: str

    def stream(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float
    ) -> AsyncGenerator[str, None]: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class SafetyVerdict:
    allowed: bool
    reason: str | None = None
    detail: str = ""

    @classmethod
    def ok(cls) -> SafetyVerdict:
        return cls(allowed=True)


@dataclass(frozen=True)
class SafetyContext:
    """What a check may need besides the text, passed as an argument (never bound to the check).

    ``history``: the shopper's earlier answered messages, oldest first (input side: split-turn attacks).
    ``prompt``: the turn's prompt text with its fenced FACTS and the question (output side: what the shop said).
    ``request``: the shopper's message as typed (output side: a reply is judged together with what it answers).
    ``names``: names and SKUs of the catalog products the turn found (output side: a shop's own product name is
    no evidence of harm, so the learned check reads it as "this product").
    """

    history: tuple[str, ...] = ()
    prompt: str = ""
    request: str = ""
    names: tuple[str, ...] = ()


NO_SAFETY_CONTEXT = SafetyContext()


class SafetyCheck(Protocol):
    """One input or output filter. ``reason`` codes are stable (e.g. ``injection``, ``oversize``)."""

    name: str

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict: ...


class Clock(Protocol):
    def now(self) -> float: ...
