"""Catalog records shared by the knowledge layer and, through ports, the assistant core."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

AttributeValue = str | int | float | bool
DocKind = Literal["faq", "policy", "guide"]
# Upper bounds that no real catalog reaches: a value above them is a unit or typing mistake (cents as
# major units, a barcode in the stock column), and it would overflow or dominate price bands and facets.
MAX_PRICE = 100_000_000.0
MAX_STOCK = 1_000_000_000
# Kinds of a product's own passages (``knowledge.passages``); a review passage is a shopper's opinion.
ProductPassageKind = Literal["title", "description", "bullet", "attributes", "faq", "review"]
PassageKind = DocKind | ProductPassageKind


class Product(BaseModel):
    """One sellable item. Prices are in major units of ``currency``; ``stock`` is units on hand.

    Every number is finite (``allow_inf_nan=False`` also covers attribute values): JSON's ``Infinity``
    and ``NaN`` cannot be stored in Chroma metadata nor written back as JSON, so they stop here.

    ``price``, ``stock`` and ``category`` are optional: a content-only catalog lists no prices, a shop may
    not track stock. ``None`` means "not listed", never zero: such a product is never quoted a price and
    never said to be in or out of stock.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, description="English display name")
    name_zh: str = Field(default="", description="Chinese display name")
    category: str = Field(default="", description="category key, e.g. 'running_shoes'; empty: not listed")
    brand: str = ""
    price: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    currency: str = "CNY"
    stock: int | None = Field(default=None, ge=0, le=MAX_STOCK)
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    uses: list[str] = Field(default_factory=list, description="use/occasion keys, e.g. 'running', 'gift'")
    description: str = ""
    description_zh: str = ""
    url: str = ""
    image_url: str = ""

    @field_validator("sku")
    @classmethod
    def _strip_sku(cls, value: str) -> str:
        return value.strip().upper()

    @property
    def in_stock(self) -> bool:
        return self.stock is not None and self.stock > 0

    @property
    def sold_out(self) -> bool:
        """Known to be out of stock; unknown stock is neither in nor out."""
        return self.stock is not None and self.stock <= 0

    def display_name(self, language: str) -> str:
        return self.name_zh if language == "zh" and self.name_zh else self.name


class KnowledgeDoc(BaseModel):
    """A chunk of FAQ, policy or buying-guide text, or a passage of one product's text (``sku`` set)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_id: str
    kind: PassageKind
    title: str
    text: str
    language: Literal["zh", "en"]
    source: str = ""
    sku: str = ""


class Review(BaseModel):
    """One customer review of a product (side file of the catalog)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: str
    rating: int = Field(ge=1, le=5)
    text: str
    language: Literal["zh", "en"] = "en"
