"""Catalog rows from CSV: shopguide's own columns, Shopify and WooCommerce exports, or any header set
through a column mapping. Rows come out as plain dicts in ``Product`` field names, with their line."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CsvHeaderError
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
_REFERENCE_VALUE = re.compile(r"^(?:gid://|\[|\{)")
SHOPIFY = SPECS["shopify"]
WOOCOMMERCE = SPECS["woocommerce"]
NATIVE = SPECS["shopguide"]


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
    if column_map:
        return "mapped"
    keys = {header_key(h) for h in headers}
    if SHOPIFY.detects(keys):
        return "shopify"
    if WOOCOMMERCE.detects(keys):
        return "woocommerce"
    if {"sku", "name"} <= keys:
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


def _native_row(record: dict[str, str], columns: dict[str, str]) -> dict[str, Any]:
    """A shopguide (or mapped) row; ``columns`` names the header each aliased field is read from."""
    values: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    aliased = {header: name for name, header in columns.items()}
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
        elif value == "":
            continue
        elif low in NATIVE_FIELDS:
            values[low] = value
        elif header in aliased:
            values.setdefault(aliased[header], value)
    if "category" in values:
        values["category"] = category_key(values["category"])
    if attributes:
        values["attributes"] = attributes
    return values


def category_key(raw: str) -> str:
    """``"Shoes > Running Shoes"`` -> ``running_shoes``: the most specific level, as a key (any case)."""
    leaf = re.split(r">|/", raw.split(",", maxsplit=1)[0])[-1].strip()
    return re.sub(r"[\s\-]+", "_", leaf.lower())


def _column_report(headers: list[str], used: set[str], spec: HeaderSpec, result: CsvReadResult) -> None:
    """Every column is either read, known bookkeeping (reported as not imported) or unknown (warned)."""
    for header in headers:
        if header in used or not header:
            continue
        (result.unused_columns if spec.is_unused(header) else result.unknown_columns).append(header)


# Product field -> the Shopify export's field of the same meaning (for --map on a Shopify export).
SHOPIFY_FIELD_OF = {"name": "title", "brand": "vendor", "uses": "tags", "image_url": "image", "sku": "sku",
                    "price": "price", "stock": "stock", "description": "description"}  # fmt: skip
WOO_FIELD_OF = {"name": "name", "brand": "brand", "uses": "tags", "image_url": "images", "sku": "sku",
                "price": "regular_price", "stock": "stock", "description": "description", "url": "url",
                "category": "category"}  # fmt: skip


def _shopify_rows(
    records: list[tuple[int, dict[str, str]]],
    headers: list[str],
    result: CsvReadResult,
    overrides: Mapping[str, str] | None = None,
) -> Iterator[CsvRow]:
    """Shopify writes one row per variant and per extra image; product fields only on the first row."""
    overrides = overrides or {}
    cols = SHOPIFY.resolve(headers)
    cols.update({SHOPIFY_FIELD_OF[f]: h for f, h in overrides.items() if f in SHOPIFY_FIELD_OF})
    # The shop's own product type names the kind in its words; the standard taxonomy is the fallback.
    category_cols = [h for h in headers if header_key(h) in SHOPIFY.fields["category"]]
    category_cols.sort(key=lambda h: SHOPIFY.fields["category"].index(header_key(h)))
    if "category" in overrides:
        category_cols = [overrides["category"]]
    option_cols: list[tuple[str, str]] = []
    by_key = {header_key(h): h for h in headers}
    for n in (1, 2, 3):
        name_col, value_col = by_key.get(f"option{n} name"), by_key.get(f"option{n} value")
        if name_col and value_col:
            option_cols.append((name_col, value_col))
    metafields = METAFIELDS.columns(headers) | _mapped_extras(overrides, {**SHOPIFY_FIELD_OF, "category": ""})
    used = set(cols.values()) | set(category_cols) | {h for pair in option_cols for h in pair} | set(metafields)
    _column_report(headers, used, SHOPIFY, result)
    if not category_cols:
        result.warnings.append(_no_category_warning(SHOPIFY))
    stock_col = cols.get("stock")

    def get(rec: dict[str, str], name: str) -> str:
        col = cols.get(name)
        return (rec.get(col) or "").strip() if col else ""

    parent: dict[str, str] = {}
    for line, rec in records:
        handle = get(rec, "handle")
        if get(rec, "title") or handle != (get(parent, "handle") if parent else ""):
            parent = rec
        if not get(rec, "sku") and not get(rec, "price"):
            continue  # an image-only row
        options = []
        attributes: dict[str, Any] = {}
        for name_col, value_col in option_cols:
            name = (rec.get(name_col) or parent.get(name_col) or "").strip()
            value = (rec.get(value_col) or "").strip()
            if name and value and value != "Default Title":
                attributes[name.lower()] = _attribute_value(value)
                options.append(value)
        title = get(parent, "title")
        category = next((v for c in category_cols if (v := (parent.get(c) or "").strip())), "")
        values: dict[str, Any] = {
            "sku": get(rec, "sku") or "-".join([handle, *options]) or handle,
            "name": " - ".join([title, *options]) if options else title,
            "brand": get(parent, "vendor"),
            "description": get(parent, "description"),
            "uses": _split_list(get(parent, "tags")),
            "image_url": get(rec, "image") or get(parent, "image"),
            "url": f"/products/{handle}" if handle else "",
        }
        if category:
            values["category"] = category_key(category)
        if get(rec, "price"):
            values["price"] = get(rec, "price")
        if stock_col is not None and get(rec, "stock"):
            values["stock"] = get(rec, "stock")
        for header, (kind, name) in metafields.items():
            value = (rec.get(header) or parent.get(header) or "").strip()  # a variant's own value first
            if not value or _REFERENCE_VALUE.match(value):
                continue
            if kind == "field":
                values[name] = value
            else:
                attributes.setdefault(name, _attribute_value(value))
        if attributes:
            values["attributes"] = attributes
        yield CsvRow(line, values)


def _woo_attributes(rec: dict[str, str], headers: list[str]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    by_key = {header_key(h): h for h in headers}
    n = 1
    while f"attribute {n} name" in by_key:
        name = (rec.get(by_key[f"attribute {n} name"]) or "").strip()
        value = (rec.get(by_key.get(f"attribute {n} value(s)", "")) or "").strip()
        if name and value:
            attributes[name.lower()] = _attribute_value(value)
        n += 1
    for key, header in by_key.items():
        prefix = next((p for p in WOOCOMMERCE.attribute_prefixes if key.startswith(p)), None)
        value = (rec.get(header) or "").strip()
        if prefix and value:
            attributes[key[len(prefix) :].strip().replace(" ", "_")] = _attribute_value(value.split("|")[0].strip())
    return attributes


def _woo_used(headers: list[str], cols: dict[str, str]) -> set[str]:
    used = set(cols.values())
    for header in headers:
        key = header_key(header)
        numbered = re.fullmatch(r"attribute \d+ (name|value\(s\))", key)
        if numbered or key.startswith(WOOCOMMERCE.attribute_prefixes):
            used.add(header)
    return used


def _woocommerce_rows(
    records: list[tuple[int, dict[str, str]]],
    headers: list[str],
    result: CsvReadResult,
    overrides: Mapping[str, str] | None = None,
) -> Iterator[CsvRow]:
    overrides = overrides or {}
    cols = WOOCOMMERCE.resolve(headers)
    cols.update({WOO_FIELD_OF[f]: h for f, h in overrides.items() if f in WOO_FIELD_OF})
    extras = _mapped_extras(overrides, WOO_FIELD_OF)
    _column_report(headers, _woo_used(headers, cols) | set(extras), WOOCOMMERCE, result)
    if "category" not in cols:
        result.warnings.append(_no_category_warning(WOOCOMMERCE))

    def get(rec: dict[str, str], name: str) -> str:
        col = cols.get(name)
        return (rec.get(col) or "").strip() if col else ""

    for line, rec in records:
        kind = get(rec, "type").lower()
        if "variable" in kind.split(",") or kind == "grouped":
            continue  # a parent row without its own price; its variations follow as rows
        notes: list[str] = []
        sale, regular = get(rec, "sale_price"), get(rec, "regular_price")
        stock = get(rec, "stock")
        if not stock and "in_stock" in cols:
            flag = get(rec, "in_stock").lower()
            in_stock = flag in ("1", "yes", "instock", "true", "onbackorder")
            stock = str(UNMANAGED_IN_STOCK_UNITS if in_stock else 0)
            notes.append(f"stock not managed in WooCommerce; recorded as {stock}")
        images = _split_list(get(rec, "images"))
        ident = get(rec, "id")
        values: dict[str, Any] = {
            "sku": get(rec, "sku") or (f"WC-{ident}" if ident else ""),
            "name": get(rec, "name"),
            "brand": get(rec, "brand"),
            "description": get(rec, "description") or get(rec, "short_description"),
            "uses": _split_list(get(rec, "tags")),
            "image_url": images[0] if images else "",
            "url": get(rec, "url"),
        }
        if get(rec, "category"):
            values["category"] = category_key(get(rec, "category"))
        if sale or regular:
            values["price"] = sale or regular
        if stock:
            values["stock"] = stock
        attributes = _woo_attributes(rec, headers)
        for header, (kind, name) in extras.items():
            value = (rec.get(header) or "").strip()
            if value and kind == "field":
                values[name] = value
            elif value:
                attributes[name] = _attribute_value(value)
        if attributes:
            values["attributes"] = attributes
        yield CsvRow(line, values, notes)


def _no_category_warning(spec: HeaderSpec) -> str:
    looked = ", ".join(f'"{s.title()}"' for s in spec.fields["category"])
    return (
        f"no category column found (looked for {looked}): products load without a category; "
        "name yours with --map category=Header"
    )


def _native_rows(
    keyed: list[tuple[int, dict[str, str]]], headers: list[str], result: CsvReadResult, mapped: bool
) -> None:
    columns = {
        name: header for name, header in NATIVE.resolve(headers).items() if header.strip().lower() not in NATIVE_FIELDS
    }
    known = {
        h
        for h in headers
        if h.lower() in NATIVE_FIELDS or h.lower().startswith(ATTRIBUTE_COLUMN_PREFIXES) or h in columns.values()
    }
    result.unknown_columns = [h for h in headers if h not in known and h]
    present = {h.strip().lower() for h in headers} | set(columns)
    if "category" not in present:
        result.warnings.append(_no_category_warning(NATIVE))
    # A required column left empty in every row: the shop does not list that field (said once, not per row).
    not_listed = [
        name
        for name in NATIVE_REQUIRED_COLUMNS
        if name in present and keyed and not any(_native_cell(rec, name, columns) for _, rec in keyed)
    ]
    if not_listed:
        result.warnings.append(f"{', '.join(not_listed)} empty in every row: products load without it")
    required = [n for n in NATIVE_REQUIRED_COLUMNS if n not in not_listed and not (mapped and n not in present)]
    for line, rec in keyed:
        try:
            values = _native_row(rec, columns)
        except (ValueError, json.JSONDecodeError) as exc:
            result.problems.append((line, f"attributes: {exc}"))
            continue
        missing = [n for n in required if n not in values]
        if missing:
            result.problems.append((line, "; ".join(f"{n}: Field required" for n in missing)))
            continue
        result.rows.append(CsvRow(line, values))


def _native_cell(rec: dict[str, str], name: str, columns: dict[str, str]) -> str:
    header = next((h for h in rec if h.strip().lower() == name), columns.get(name))
    return (rec.get(header) or "").strip() if header else ""


def read_catalog_csv(text: str, column_map: Mapping[str, str] | None = None) -> CsvReadResult:
    """Parse catalog CSV text. ``column_map`` maps a ``Product`` field (or ``attr.NAME``) to a header."""
    records = _records(text)
    try:
        _, headers = next(records)
    except StopIteration:
        raise CsvHeaderError("empty file (no header row)") from None
    headers = [h.strip().lstrip("\ufeff") for h in headers]
    fmt = _platform(headers) or detect_format(headers, column_map)
    result = CsvReadResult(format=fmt)
    overrides: dict[str, str] = {}
    if column_map and fmt in ("shopify", "woocommerce"):
        # A Shopify or WooCommerce export with a mapping: the mapping overrides single columns
        # (--map category=Kind), the export's variant and parent-row handling stays.
        overrides = _resolve_map(column_map, headers)
    elif column_map:
        rename = {header: target for target, header in _resolve_map(column_map, headers).items()}
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
        result.rows.extend(_shopify_rows(keyed, headers, result, overrides))
    elif fmt == "woocommerce":
        result.rows.extend(_woocommerce_rows(keyed, headers, result, overrides))
    else:
        _native_rows(keyed, headers, result, mapped=fmt == "mapped")
    for row in result.rows:
        if isinstance(row.values.get("description"), str):
            row.values["description"] = strip_html(row.values["description"])
    return result


def _platform(headers: list[str]) -> str | None:
    keys = {header_key(h) for h in headers}
    if SHOPIFY.detects(keys):
        return "shopify"
    if WOOCOMMERCE.detects(keys):
        return "woocommerce"
    return None


def _resolve_map(column_map: Mapping[str, str], headers: list[str]) -> dict[str, str]:
    """Field -> the header it names, matched in any case; a header not in the file is an error."""
    by_lower = {h.lower(): h for h in headers}
    resolved = {target: by_lower.get(header.strip().lower(), header) for target, header in column_map.items()}
    missing = [h for h in resolved.values() if h not in headers]
    if missing:
        raise CsvHeaderError(f"mapped columns not in the header: {', '.join(missing)}")
    return resolved


def _mapped_extras(overrides: Mapping[str, str], spec_fields: Mapping[str, str]) -> dict[str, tuple[str, str]]:
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
