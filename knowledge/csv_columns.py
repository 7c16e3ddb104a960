"""Catalog CSV columns: the header sets shopguide knows (its own, Shopify, WooCommerce; ``data/csv_headers.json``),
the rows read, and how a cell becomes a value."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Python's csv default (128 KiB) rejects long HTML descriptions that real Shopify exports carry.
CSV_FIELD_LIMIT = 4 * 1024 * 1024
ATTRIBUTE_COLUMN_PREFIXES = ("attr_", "attr.", "attributes.")
LIST_SPLIT = re.compile(r"[,;|，；、]")
# Stock for WooCommerce rows that do not manage stock but say "in stock": the catalog only knows
# "available", and one unit is the honest lower bound.
UNMANAGED_IN_STOCK_UNITS = 1
NATIVE_FIELDS = (
    "sku",
    "name",
    "name_zh",
    "category",
    "brand",
    "price",
    "currency",
    "stock",
    "attributes",
    "uses",
    "description",
    "description_zh",
    "url",
    "image_url",
    "language",
)


# Fields a shopguide CSV must have a column for; a column left empty in every row means the shop does not
# list that field (a content-only catalog has no prices), and a single empty cell is a hole in the data.
NATIVE_REQUIRED_COLUMNS = ("category", "price", "stock")
HEADERS_FILE = Path(__file__).parent / "data" / "csv_headers.json"
COLUMNS_SHOWN = 12  # a report names this many columns, then says how many more


@dataclass
class CsvRow:
    line: int
    values: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass
class CsvReadResult:
    format: str
    rows: list[CsvRow] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)  # not a field we know: reported as a warning
    unused_columns: list[str] = field(default_factory=list)  # known export bookkeeping we do not import
    warnings: list[str] = field(default_factory=list)  # whole-file findings (no category column, ...)

    @property
    def ignored_columns(self) -> list[str]:
        return [*self.unknown_columns, *self.unused_columns]


def header_key(header: str) -> str:
    """How headers are compared: "Variant_Inventory  Qty" and "variant inventory qty" are one header."""
    return re.sub(r"[\s_]+", " ", header.strip().lstrip("\ufeff").lower()).strip()


@dataclass(frozen=True)
class HeaderSpec:
    """The header spellings of one export format (see ``data/csv_headers.json``)."""

    fields: dict[str, tuple[str, ...]]
    unused: frozenset[str] = frozenset()
    unused_prefixes: tuple[str, ...] = ()
    unused_markers: tuple[str, ...] = ()
    attribute_prefixes: tuple[str, ...] = ()
    detect_all: tuple[tuple[str, ...], ...] = ()
    detect_any: tuple[tuple[str, ...], ...] = ()

    def resolve(self, headers: list[str]) -> dict[str, str]:
        """Field -> the header this file spells it with (the first listed spelling present wins)."""
        by_key: dict[str, str] = {}
        for header in headers:
            by_key.setdefault(header_key(header), header)
        found: dict[str, str] = {}
        for name, spellings in self.fields.items():
            for spelling in spellings:
                if spelling in by_key:
                    found[name] = by_key[spelling]
                    break
        return found

    def is_unused(self, header: str) -> bool:
        key = header_key(header)
        return (
            key in self.unused
            or key.startswith(self.unused_prefixes)
            or any(marker in key for marker in self.unused_markers)
        )

    def detects(self, keys: set[str]) -> bool:
        if self.detect_all and not all(any(s in keys for s in group) for group in self.detect_all):
            return False
        return not self.detect_any or any(all(s in keys for s in group) for group in self.detect_any)


def _load_specs() -> dict[str, HeaderSpec]:
    raw = json.loads(HEADERS_FILE.read_text(encoding="utf-8"))
    specs: dict[str, HeaderSpec] = {}
    for name in ("shopify", "woocommerce", "shopguide"):
        data = raw[name]
        specs[name] = HeaderSpec(
            fields={k: tuple(v) for k, v in data["fields"].items()},
            unused=frozenset(data.get("unused", ())),
            unused_prefixes=tuple(data.get("unused_prefixes", ())),
            unused_markers=tuple(data.get("unused_suffix_markers", ())),
            attribute_prefixes=tuple(data.get("attribute_prefixes", ())),
            detect_all=tuple(tuple(g) for g in data.get("detect_all", ())),
            detect_any=tuple(tuple(g) for g in data.get("detect_any", ())),
        )
    return specs


_METAFIELD = re.compile(r"(?:^|\()product\.metafields\.([a-z0-9_\-]+)\.([a-z0-9_\-]+)\)?$")


@dataclass(frozen=True)
class MetafieldSpec:
    """Shopify product metafield columns that carry catalog fields (a translated title) or attributes."""

    fields: dict[str, str]  # metafield key -> Product field
    skip_namespaces: frozenset[str]

    def columns(self, headers: list[str]) -> dict[str, tuple[str, str]]:
        """Header -> ("field", name) or ("attribute", key) for every metafield column that is read."""
        found: dict[str, tuple[str, str]] = {}
        for header in headers:
            match = _METAFIELD.search(header.strip().lower())
            if not match or match.group(1) in self.skip_namespaces:
                continue
            key = match.group(2)
            found[header] = ("field", self.fields[key]) if key in self.fields else ("attribute", key)
        return found


def _load_metafields() -> MetafieldSpec:
    raw = json.loads(HEADERS_FILE.read_text(encoding="utf-8"))["shopify"]["metafields"]
    return MetafieldSpec(
        fields={key: name for name, keys in raw["fields"].items() for key in keys},
        skip_namespaces=frozenset(raw["skip_namespaces"]),
    )


SPECS = _load_specs()
METAFIELDS = _load_metafields()
# A metafield that references another object ("gid://shopify/Metaobject/1") is an id, not a value.
REFERENCE_VALUE = re.compile(r"^(?:gid://|\[|\{)")
SHOPIFY = SPECS["shopify"]
WOOCOMMERCE = SPECS["woocommerce"]
NATIVE = SPECS["shopguide"]


def split_list(value: str) -> list[str]:
    return [part.strip() for part in LIST_SPLIT.split(value) if part.strip()]


def parse_attributes(raw: str) -> dict[str, Any]:
    """``{"color": "red"}`` (JSON) or ``color=red; waterproof=true``."""
    raw = raw.strip()
    if not raw:
        return {}
    if raw.startswith("{"):
        value = json.loads(raw)
        if not isinstance(value, dict):
            raise ValueError("attributes JSON must be an object")
        return value
    attributes: dict[str, Any] = {}
    for pair in re.split(r"[;|\n]", raw):
        if not pair.strip():
            continue
        key, sep, val = pair.partition("=") if "=" in pair else pair.partition(":")
        if not sep:
            raise ValueError(f"attribute {pair.strip()!r} is not key=value")
        attributes[key.strip()] = attribute_value(val.strip())
    return attributes


def attribute_value(value: str) -> str | int | float | bool:
    low = value.lower()
    if low in ("true", "yes", "是"):
        return True
    if low in ("false", "no", "否"):
        return False
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    if re.fullmatch(r"-?\d+\.\d+", value):
        return float(value)
    return value


def category_key(raw: str) -> str:
    """``"Shoes > Running Shoes"`` -> ``running_shoes``: the most specific level, as a key (any case)."""
    leaf = re.split(r">|/", raw.split(",", maxsplit=1)[0])[-1].strip()
    return re.sub(r"[\s\-]+", "_", leaf.lower())


def column_report(headers: list[str], used: set[str], spec: HeaderSpec, result: CsvReadResult) -> None:
    """Every column is either read, known bookkeeping (reported as not imported) or unknown (warned)."""
    for header in headers:
        if header in used or not header:
            continue
        (result.unused_columns if spec.is_unused(header) else result.unknown_columns).append(header)


def no_category_warning(spec: HeaderSpec) -> str:
    looked = ", ".join(f'"{s.title()}"' for s in spec.fields["category"])
    return (
        f"no category column found (looked for {looked}): products load without a category; "
        "name yours with --map category=Header"
    )


def mapped_extras(overrides: Mapping[str, str], spec_fields: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Mapped columns the export has no field for: ``name_zh`` and friends, and ``attr.NAME``."""
    extras: dict[str, tuple[str, str]] = {}
    for target, header in overrides.items():
        prefix = next((p for p in ATTRIBUTE_COLUMN_PREFIXES if target.lower().startswith(p)), None)
        if prefix:
            extras[header] = ("attribute", target[len(prefix) :])
        elif target not in spec_fields and target in NATIVE_FIELDS:
            extras[header] = ("field", target)
    return extras


def describe_columns(columns: list[str]) -> str:
    shown = ", ".join(f'"{c}"' for c in columns[:COLUMNS_SHOWN])
    more = len(columns) - COLUMNS_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")
