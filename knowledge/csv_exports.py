"""Shopify and WooCommerce product exports as catalog rows: variants, parent rows, metafields and attributes
the way each platform writes them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .csv_columns import (
    METAFIELDS,
    REFERENCE_VALUE,
    SHOPIFY,
    UNMANAGED_IN_STOCK_UNITS,
    WOOCOMMERCE,
    CsvReadResult,
    CsvRow,
    attribute_value,
    category_key,
    column_report,
    header_key,
    mapped_extras,
    no_category_warning,
    split_list,
)

# Product field -> the Shopify export's field of the same meaning (for --map on a Shopify export).
SHOPIFY_FIELD_OF = {"name": "title", "brand": "vendor", "uses": "tags", "image_url": "image", "sku": "sku",
                    "price": "price", "stock": "stock", "description": "description"}  # fmt: skip


WOO_FIELD_OF = {"name": "name", "brand": "brand", "uses": "tags", "image_url": "images", "sku": "sku",
                "price": "regular_price", "stock": "stock", "description": "description", "url": "url",
                "category": "category"}  # fmt: skip


def shopify_rows(
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
    metafields = METAFIELDS.columns(headers) | mapped_extras(overrides, {**SHOPIFY_FIELD_OF, "category": ""})
    used = set(cols.values()) | set(category_cols) | {h for pair in option_cols for h in pair} | set(metafields)
    column_report(headers, used, SHOPIFY, result)
    if not category_cols:
        result.warnings.append(no_category_warning(SHOPIFY))
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
                attributes[name.lower()] = attribute_value(value)
                options.append(value)
        title = get(parent, "title")
        category = next((v for c in category_cols if (v := (parent.get(c) or "").strip())), "")
        values: dict[str, Any] = {
            "sku": get(rec, "sku") or "-".join([handle, *options]) or handle,
            "name": " - ".join([title, *options]) if options else title,
            "brand": get(parent, "vendor"),
            "description": get(parent, "description"),
            "uses": split_list(get(parent, "tags")),
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
            if not value or REFERENCE_VALUE.match(value):
                continue
            if kind == "field":
                values[name] = value
            else:
                attributes.setdefault(name, attribute_value(value))
        if options and values.get("name_zh"):
            # Variants share the product's Chinese title: the option keeps them apart, as in the English name.
            values["name_zh"] = " - ".join([values["name_zh"], *options])
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
            attributes[name.lower()] = attribute_value(value)
        n += 1
    for key, header in by_key.items():
        prefix = next((p for p in WOOCOMMERCE.attribute_prefixes if key.startswith(p)), None)
        value = (rec.get(header) or "").strip()
        if prefix and value:
            attributes[key[len(prefix) :].strip().replace(" ", "_")] = attribute_value(value.split("|")[0].strip())
    return attributes


def _woo_used(headers: list[str], cols: dict[str, str]) -> set[str]:
    used = set(cols.values())
    for header in headers:
        key = header_key(header)
        numbered = re.fullmatch(r"attribute \d+ (name|value\(s\))", key)
        if numbered or key.startswith(WOOCOMMERCE.attribute_prefixes):
            used.add(header)
    return used


def woocommerce_rows(
    records: list[tuple[int, dict[str, str]]],
    headers: list[str],
    result: CsvReadResult,
    overrides: Mapping[str, str] | None = None,
) -> Iterator[CsvRow]:
    overrides = overrides or {}
    cols = WOOCOMMERCE.resolve(headers)
    cols.update({WOO_FIELD_OF[f]: h for f, h in overrides.items() if f in WOO_FIELD_OF})
    extras = mapped_extras(overrides, WOO_FIELD_OF)
    column_report(headers, _woo_used(headers, cols) | set(extras), WOOCOMMERCE, result)
    if "category" not in cols:
        result.warnings.append(no_category_warning(WOOCOMMERCE))

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
        images = split_list(get(rec, "images"))
        ident = get(rec, "id")
        values: dict[str, Any] = {
            "sku": get(rec, "sku") or (f"WC-{ident}" if ident else ""),
            "name": get(rec, "name"),
            "brand": get(rec, "brand"),
            "description": get(rec, "description") or get(rec, "short_description"),
            "uses": split_list(get(rec, "tags")),
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
                attributes[name] = attribute_value(value)
        if attributes:
            values["attributes"] = attributes
        yield CsvRow(line, values, notes)
