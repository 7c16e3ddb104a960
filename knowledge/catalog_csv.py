"""Catalog rows from CSV: shopguide's own columns, Shopify and WooCommerce exports, or any header set
through a column mapping. Rows come out as plain dicts in ``Product`` field names, with their line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

from .csv_columns import (
    ATTRIBUTE_COLUMN_PREFIXES,
    CSV_FIELD_LIMIT,
    NATIVE,
    NATIVE_FIELDS,
    NATIVE_REQUIRED_COLUMNS,
    SHOPIFY,
    WOOCOMMERCE,
    CsvReadResult,
    CsvRow,
    attribute_value,
    category_key,
    header_key,
    no_category_warning,
    parse_attributes,
    split_list,
)
from .csv_exports import shopify_rows, woocommerce_rows
from .errors import CsvHeaderError
from .sanitize import strip_html


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
                attributes[key[len(prefix) :]] = attribute_value(value)
        elif low == "attributes":
            attributes.update(parse_attributes(value))
        elif low == "uses":
            values["uses"] = split_list(value)
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
        result.warnings.append(no_category_warning(NATIVE))
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
        result.rows.extend(shopify_rows(keyed, headers, result, overrides))
    elif fmt == "woocommerce":
        result.rows.extend(woocommerce_rows(keyed, headers, result, overrides))
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
