"""Release manifests (what a release was built from, by whom) and the product diff between releases."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from .models import Product

MANIFEST_FILE = "manifest.json"
DIFF_FIELDS = (
    "name",
    "name_zh",
    "category",
    "brand",
    "currency",
    "attributes",
    "uses",
    "description",
    "description_zh",
)


class SourceFile(BaseModel):
    path: str
    sha256: str


class ReleaseManifest(BaseModel):
    """Written last, atomically: a release without a manifest is an unfinished build and is never served."""

    release_id: str
    created_at: float
    created_by: str = Field(description="who triggered the build, e.g. 'telegram:123' or 'cli:alice'")
    sources: list[SourceFile] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    collections: list[str] = Field(default_factory=list)
    price_bands: dict[str, list[float]] = Field(
        default_factory=dict, description="upper price bound of each shard, per stock state"
    )
    band_group: int = Field(default=0, description="price bands per group collection (0: no groups)")
    gate_accuracy: float | None = None
    notes: list[str] = Field(default_factory=list)
    files: dict[str, str] = Field(
        default_factory=dict, description="SHA-256 of each snapshot file, checked whenever the release is opened"
    )
    models: dict[str, str] = Field(
        default_factory=dict,
        description="trained models this release serves: name -> version, a folder under the release's models/",
    )


@dataclass(frozen=True)
class ProductChange:
    sku: str
    name: str
    old_price: float | None = None
    new_price: float | None = None
    old_stock: int | None = None
    new_stock: int | None = None
    fields: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = []
        if self.old_price is not None and self.new_price is not None:
            parts.append(f"price {self.old_price:g} -> {self.new_price:g}")
        if self.old_stock is not None and self.new_stock is not None:
            parts.append(f"stock {self.old_stock} -> {self.new_stock}")
        if self.fields:
            parts.append("changed " + ", ".join(self.fields))
        return f"{self.sku} {self.name}: " + "; ".join(parts)


@dataclass
class ReleaseDiff:
    old_release: str
    new_release: str
    added: list[Product] = field(default_factory=list)
    removed: list[Product] = field(default_factory=list)
    changed: list[ProductChange] = field(default_factory=list)

    @property
    def price_changes(self) -> list[ProductChange]:
        return [c for c in self.changed if c.new_price is not None]

    @property
    def stock_changes(self) -> list[ProductChange]:
        return [c for c in self.changed if c.new_stock is not None]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed "
            f"({len(self.price_changes)} price, {len(self.stock_changes)} stock)"
        )

    def lines(self, limit: int = 50) -> list[str]:
        out = [f"diff {self.old_release} -> {self.new_release}: {self.summary()}"]
        out += [
            f"+ {p.sku} {p.name} ({_listed(p.price, p.currency)}, stock {_listed(p.stock)})" for p in self.added[:limit]
        ]
        out += [f"- {p.sku} {p.name}" for p in self.removed[:limit]]
        out += [f"~ {c.describe()}" for c in self.changed[:limit]]
        hidden = max(0, len(self.added) - limit) + max(0, len(self.removed) - limit) + max(0, len(self.changed) - limit)
        if hidden:
            out.append(f"... and {hidden} more")
        return out


def diff_products(
    old: Mapping[str, Product], new: Mapping[str, Product], old_release: str = "", new_release: str = ""
) -> ReleaseDiff:
    diff = ReleaseDiff(old_release, new_release)
    diff.added = [new[s] for s in sorted(new.keys() - old.keys())]
    diff.removed = [old[s] for s in sorted(old.keys() - new.keys())]
    for sku in sorted(old.keys() & new.keys()):
        a, b = old[sku], new[sku]
        if a == b:
            continue
        changed = tuple(f for f in DIFF_FIELDS if getattr(a, f) != getattr(b, f))
        price_moved = a.price != b.price
        stock_moved = a.stock != b.stock
        if not (changed or price_moved or stock_moved):
            continue
        diff.changed.append(
            ProductChange(
                sku=sku,
                name=b.name,
                old_price=a.price if price_moved else None,
                new_price=b.price if price_moved else None,
                old_stock=a.stock if stock_moved else None,
                new_stock=b.stock if stock_moved else None,
                fields=changed,
            )
        )
    return diff


def products_by_sku(products: Iterable[Product]) -> dict[str, Product]:
    return {p.sku: p for p in products}


def _listed(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "not listed"
    return f"{value:g} {unit}".strip()
