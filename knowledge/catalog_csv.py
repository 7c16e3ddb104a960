"""Catalog rows from CSV: shopguide's own columns, Shopify and WooCommerce exports, or any header set
through a column mapping. Rows come out as plain dicts in ``Product`` field names, with their line."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .sanitize import strip_html

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
SHOPIFY_MARKERS = frozenset({"Handle", "Title", "Variant SKU", "Variant Price"})
WOOCOMMERCE_MARKERS = frozenset({"SKU", "Name", "Regular price", "Type"})


class CsvHeaderError(ValueError):
    """The header row cannot be mapped to catalog fields."""


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
    ignored_columns: list[str] = field(default_factory=list)


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the line each starts on (quoted fields may span lines)."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvHeaderError(f"line {reader.line_num}: malformed CSV ({exc})") from exc
        yield start, record
        start = reader.line_num + 1


def detect_format(headers: list[str], column_map: Mapping[str, str] | None) -> str:
    present = set(headers)
    if column_map:
        return "mapped"
    if present >= SHOPIFY_MARKERS:
        return "shopify"
    if present >= WOOCOMMERCE_MARKERS:
        return "woocommerce"
    lowered = {h.strip().lower() for h in headers}
    if {"sku", "name", "price"} <= lowered:
        return "shopguide"
    raise CsvHeaderError(
        "unrecognised CSV header (not shopguide, Shopify or WooCommerce columns); "
        f"map your columns with --map field=Header. Columns found: {', '.join(headers[:20])}"
    )


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in LIST_SPLIT.split(value) if part.strip()]


def _parse_attributes(raw: str) -> dict[str, Any]:
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
        attributes[key.strip()] = _attribute_value(val.strip())
    return attributes


def _attribute_value(value: str) -> str | int | float | bool:
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


def _native_row(record: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for header, raw in record.items():
        key = header.strip()
        low = key.lower()
        value = (raw or "").strip()
        prefix = next((p for p in ATTRIBUTE_COLUMN_PREFIXES if low.startswith(p)), None)
        if prefix:
            if value:
                attributes[key[len(prefix) :]] = _attribute_value(value)
        elif low == "attributes":
            attributes.update(_parse_attributes(value))
        elif low == "uses":
            values["uses"] = _split_list(value)
        elif low in NATIVE_FIELDS and value != "":
            values[low] = value
    if attributes:
        values["attributes"] = attributes
    return values


def _category_key(raw: str) -> str:
    """``"Shoes > Running Shoes"`` -> ``running_shoes``: the most specific level, as a key."""
    leaf = re.split(r">|/", raw.split(",", maxsplit=1)[0])[-1].strip()
    return re.sub(r"[\s\-]+", "_", leaf.lower()) or "uncategorised"


def _shopify_rows(records: list[tuple[int, dict[str, str]]]) -> Iterator[CsvRow]:
    """Shopify writes one row per variant and per extra image; product fields only on the first row."""
    parent: dict[str, str] = {}
    for line, rec in records:
        handle = rec.get("Handle", "").strip()
        if rec.get("Title", "").strip() or handle != parent.get("Handle", "").strip():
            parent = rec
        if not rec.get("Variant SKU", "").strip() and not rec.get("Variant Price", "").strip():
            continue  # an image-only row
        options = []
        attributes: dict[str, Any] = {}
        for n in (1, 2, 3):
            name = (rec.get(f"Option{n} Name") or parent.get(f"Option{n} Name") or "").strip()
            value = rec.get(f"Option{n} Value", "").strip()
            if name and value and value != "Default Title":
                attributes[name.lower()] = _attribute_value(value)
                options.append(value)
        title = parent.get("Title", "").strip()
        values: dict[str, Any] = {
            "sku": rec.get("Variant SKU", "").strip() or "-".join([handle, *options]) or handle,
            "name": " - ".join([title, *options]) if options else title,
            "category": _category_key(parent.get("Type", "") or parent.get("Product Category", "")),
            "brand": parent.get("Vendor", "").strip(),
            "price": rec.get("Variant Price", "").strip(),
            "description": parent.get("Body (HTML)", ""),
            "uses": _split_list(parent.get("Tags", "")),
            "image_url": (rec.get("Variant Image") or rec.get("Image Src") or parent.get("Image Src") or "").strip(),
            "url": f"/products/{handle}" if handle else "",
        }
        if "Variant Inventory Qty" in rec:
            values["stock"] = rec.get("Variant Inventory Qty", "").strip()
        if attributes:
            values["attributes"] = attributes
        yield CsvRow(line, values)


def _woocommerce_rows(records: list[tuple[int, dict[str, str]]]) -> Iterator[CsvRow]:
    for line, rec in records:
        kind = rec.get("Type", "").strip().lower()
        if "variable" in kind.split(",") or kind == "grouped":
            continue  # a parent row without its own price; its variations follow as rows
        notes: list[str] = []
        attributes: dict[str, Any] = {}
        n = 1
        while f"Attribute {n} name" in rec:
            name = rec.get(f"Attribute {n} name", "").strip()
            value = rec.get(f"Attribute {n} value(s)", "").strip()
            if name and value:
                attributes[name.lower()] = _attribute_value(value)
            n += 1
        sale, regular = rec.get("Sale price", "").strip(), rec.get("Regular price", "").strip()
        stock = rec.get("Stock", "").strip()
        if not stock:
            in_stock = rec.get("In stock?", "").strip().lower() in ("1", "yes", "instock", "true")
            stock = str(UNMANAGED_IN_STOCK_UNITS if in_stock else 0)
            notes.append(f"stock not managed in WooCommerce; recorded as {stock}")
        images = _split_list(rec.get("Images", ""))
        values: dict[str, Any] = {
            "sku": rec.get("SKU", "").strip() or (f"WC-{rec['ID'].strip()}" if rec.get("ID", "").strip() else ""),
            "name": rec.get("Name", "").strip(),
            "category": _category_key(rec.get("Categories", "")),
            "brand": (rec.get("Brands") or rec.get("Brand") or "").strip(),
            "price": sale or regular,
            "stock": stock,
            "description": rec.get("Description", "").strip() or rec.get("Short description", "").strip(),
            "uses": _split_list(rec.get("Tags", "")),
            "image_url": images[0] if images else "",
            "url": rec.get("External URL", "").strip(),
        }
        if attributes:
            values["attributes"] = attributes
        yield CsvRow(line, values, notes)


def read_catalog_csv(text: str, column_map: Mapping[str, str] | None = None) -> CsvReadResult:
    """Parse catalog CSV text. ``column_map`` maps a ``Product`` field (or ``attr.NAME``) to a header."""
    records = _records(text)
    try:
        _, headers = next(records)
    except StopIteration:
        raise CsvHeaderError("empty file (no header row)") from None
    headers = [h.strip().lstrip("\ufeff") for h in headers]
    fmt = detect_format(headers, column_map)
    result = CsvReadResult(format=fmt)
    if column_map:
        missing = [h for h in column_map.values() if h not in headers]
        if missing:
            raise CsvHeaderError(f"mapped columns not in the header: {', '.join(missing)}")
        rename = {header: target for target, header in column_map.items()}
        headers = [rename.get(h, h) for h in headers]
    keyed: list[tuple[int, dict[str, str]]] = []
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(headers):
            result.problems.append((line, f"{len(record)} fields but the header has {len(headers)}"))
            continue
        keyed.append((line, dict(zip(headers, record + [""] * (len(headers) - len(record)), strict=True))))
    if fmt == "shopify":
        result.rows.extend(_shopify_rows(keyed))
    elif fmt == "woocommerce":
        result.rows.extend(_woocommerce_rows(keyed))
    else:
        known = {h for h in headers if h.lower() in NATIVE_FIELDS or h.lower().startswith(ATTRIBUTE_COLUMN_PREFIXES)}
        result.ignored_columns = [h for h in headers if h not in known]
        for line, rec in keyed:
            try:
                result.rows.append(CsvRow(line, _native_row(rec)))
            except (ValueError, json.JSONDecodeError) as exc:
                result.problems.append((line, f"attributes: {exc}"))
    for row in result.rows:
        if isinstance(row.values.get("description"), str):
            row.values["description"] = strip_html(row.values["description"])
    return result
