"""What every demo builder shares: the data tables beside the scripts, the draft row and price helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.models import AttributeValue

# The demo's product lines, specs and tags are data: one JSON file per table beside the build script.
TABLES_DIR = Path(__file__).resolve().parents[1] / "demo_tables"

# Category -> SKU code; the order is the order products and reviews are drawn in.
CATEGORY_CODES: dict[str, str] = {
    "running_shoes": "RUN",
    "headphones": "HPH",
    "laptops": "LAP",
    "phones": "PHN",
    "backpacks": "BAG",
    "water_bottles": "BTL",
    "smartwatches": "WCH",
    "jackets": "JKT",
}

REVIEWED_PER_CATEGORY = 5

PALETTES: dict[str, tuple[str, ...]] = {
    "running_shoes": ("black", "white", "grey", "blue", "red", "orange", "pink", "navy"),
    "headphones": ("black", "white", "silver", "navy", "beige"),
    "laptops": ("silver", "grey", "black"),
    "phones": ("black", "white", "blue", "green", "purple", "silver"),
    "backpacks": ("black", "grey", "navy", "olive", "beige", "red"),
    "water_bottles": ("black", "white", "blue", "green", "pink", "yellow", "silver"),
    "smartwatches": ("black", "silver", "pink", "green", "white"),
    "jackets": ("black", "navy", "olive", "red", "grey", "blue", "beige"),
}


def demo_table(name: str, *row_types: type) -> Any:
    """One table of the demo catalog, as the tuples and rows the builders read.

    JSON arrays are the tables' tuples; an object tagged ``"__type__"`` is a row of the named class,
    which the caller passes in ``row_types``.
    """
    types = {row_type.__name__: row_type for row_type in row_types}
    return _decoded(json.loads((TABLES_DIR / f"{name}.json").read_text(encoding="utf-8")), types)


def _decoded(value: Any, types: dict[str, type]) -> Any:
    if isinstance(value, list):
        return tuple(_decoded(item, types) for item in value)
    if isinstance(value, dict):
        fields = {key: _decoded(item, types) for key, item in value.items() if key != "__type__"}
        kind = value.get("__type__")
        return types[kind](**fields) if kind else fields
    return value


@dataclass(frozen=True)
class Draft:
    """A product before SKU, stock and URLs are assigned."""

    category: str
    brand: str
    name: str
    name_zh: str
    price: int
    attributes: dict[str, AttributeValue]
    uses: tuple[str, ...]
    description: str
    description_zh: str


def round9(value: float) -> int:
    """Round to a shelf price ending in 9: 463 -> 459, 1234 -> 1199."""
    step = 100 if value >= 1000 else 10
    return max(step - 1, round(value / step) * step - 1)


def spread(low: int, high: int, index: int, count: int) -> int:
    """Price of model ``index`` of ``count`` in a line priced from ``low`` to ``high``."""
    if count <= 1:
        return low
    return round9(low + (high - low) * index / (count - 1))


def storage_label(gb: int) -> str:
    return f"{gb // 1024}TB" if gb >= 1024 else f"{gb}GB"
