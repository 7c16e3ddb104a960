"""Query and result records of the knowledge store; the assistant's ``Retriever`` port speaks these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .models import AttributeValue, KnowledgeDoc, Product


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


@dataclass(frozen=True)
class ProductHit:
    product: Product
    score: float


@dataclass(frozen=True)
class PassageHit:
    doc: KnowledgeDoc
    score: float
