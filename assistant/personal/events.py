"""Read shopping history files for ``shopguide shoppers import``: shopguide CSV or JSON Lines, and Shopify
and WooCommerce order exports, into ``ShopperEvent`` rows. Like a catalog reload, a file with any bad row
is refused whole, every problem named by file:line; nothing is half-imported and nothing dropped unsaid.

shopguide's own format names the shopper as the chat knows them (``telegram:12345``, ``slack:U0123``),
so a chat shopper's history links itself. Order exports name customers by e-mail: the address is hashed
(``email:`` + 16 hex digits of SHA-256) before it is stored, so the history teaches the recommender what
goes together without keeping anyone's address.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from knowledge.errors import CatalogValidationError

from .profile import EVENT_KINDS, EventKind, ShopperEvent

# Header names (lower-cased) that identify each format; the first format whose keys are all present wins.
SHOPIFY_KEYS = {"name", "email", "created at", "lineitem sku"}
WOO_KEYS = {"order date", "sku"}
WOO_SHOPPER = ("customer email", "billing email", "email (billing)", "customer user id", "customer id")
WOO_ORDER = ("order id", "order number")
NATIVE_SHOPPER = ("shopper", "shopper_id", "customer", "customer_id", "user")
NATIVE_KIND = ("event", "event_type", "type", "kind")
NATIVE_TIME = ("timestamp", "at", "time", "date")
# Order statuses that mean the purchase did not stand, and those that never became one.
RETURNED_STATUSES = {"refunded", "partially_refunded", "partially refunded"}
NOT_BOUGHT_STATUSES = {"cancelled", "failed", "pending", "voided", "expired", "trash", "draft", "checkout-draft"}


class EventsInvalid(CatalogValidationError):
    code = "events_invalid"


@dataclass
class EventsRead:
    path: Path
    format: str
    events: list[ShopperEvent] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "file:line: reason" for rows that are not events (cancelled)


def hashed_email(address: str) -> str:
    return "email:" + hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()[:16]


def parse_time(raw: str) -> float:
    """ISO 8601 (a naive time is UTC), Shopify's '2024-05-14 10:22:01 +0800', or epoch seconds."""
    value = raw.strip()
    if not value:
        raise ValueError("empty timestamp")
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        if 0 < number < 1e11:
            return number
        raise ValueError(f"timestamp {value!r} is not epoch seconds")
    for parse in (datetime.fromisoformat, lambda v: datetime.strptime(v, "%Y-%m-%d %H:%M:%S %z")):
        try:
            stamp = parse(value)
        except ValueError:
            continue
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return stamp.timestamp()
    raise ValueError(f"timestamp {value!r} is neither ISO 8601 nor epoch seconds")


def _kind(raw: str) -> EventKind:
    value = raw.strip().lower()
    aliases = {"add_to_cart": "cart", "addtocart": "cart", "order": "purchase", "buy": "purchase", "refund": "return"}
    value = aliases.get(value, value)
    for kind in EVENT_KINDS:
        if kind == value:
            return kind
    raise ValueError(f"event type {raw!r} is not one of {', '.join(EVENT_KINDS)}")


def _pick(record: dict[str, str], names: tuple[str, ...]) -> str:
    return next((record[n] for n in names if record.get(n, "").strip()), "")


def read_events(path: Path, *, max_mb: float = 128.0) -> EventsRead:
    """All events of ``path``; ``EventsInvalid`` lists every bad row (file:line) and nothing is returned."""
    size_mb = path.stat().st_size / 1e6
    if size_mb > max_mb:
        raise EventsInvalid(f"{path}: {size_mb:.0f} MB is over the {max_mb:g} MB limit", [])
    text = path.read_bytes().decode("utf-8-sig", errors="strict")
    problems: list[str] = []
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        read = EventsRead(path, "jsonl")
        rows: Iterator[tuple[int, dict[str, str]]] = _jsonl_rows(text, path, problems)
    else:
        headers, rows = _csv_rows(text, path)
        keys = set(headers)
        fmt = "shopify" if keys >= SHOPIFY_KEYS else "woocommerce" if keys >= WOO_KEYS else "csv"
        read = EventsRead(path, fmt)
    orders: dict[str, dict[str, str]] = {}
    for line, record in rows:
        try:
            if read.format == "shopify":
                event = _shopify(record, orders)
            elif read.format == "woocommerce":
                event = _woocommerce(record)
            else:
                event = _native(record)
        except ValueError as exc:
            problems.append(f"{path}:{line}: {exc}")
            continue
        if isinstance(event, str):
            read.skipped.append(f"{path}:{line}: {event}")
        else:
            read.events.append(event)
    if problems:
        raise EventsInvalid(
            f"{path}: {len(problems)} bad row(s), nothing imported",
            problems,
            hint="fix the rows named and import the file again",
        )
    return read


def _csv_rows(text: str, path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise EventsInvalid(f"{path}: empty file (no header row)", []) from None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        start = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                yield start, dict(zip(headers, record + [""] * (len(headers) - len(record)), strict=False))
            start = reader.line_num + 1

    return headers, rows()


def _jsonl_rows(text: str, path: Path, problems: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record: Any = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{line}: not JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            problems.append(f"{path}:{line}: a JSON object is expected")
            continue
        yield line, {str(k).lower(): "" if v is None else str(v) for k, v in record.items()}


def _native(record: dict[str, str]) -> ShopperEvent:
    shopper, sku = _pick(record, NATIVE_SHOPPER).strip(), record.get("sku", "").strip().upper()
    missing = [name for name, value in (("shopper", shopper), ("sku", sku)) if not value]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    kind_raw = _pick(record, NATIVE_KIND)
    if not kind_raw:
        raise ValueError("missing event type (view, cart, purchase or return)")
    return ShopperEvent(shopper, sku, _kind(kind_raw), parse_time(_pick(record, NATIVE_TIME)))


def _shopify(record: dict[str, str], orders: dict[str, dict[str, str]]) -> ShopperEvent | str:
    # An order's later line items leave the order-level columns empty: they are the first line's.
    order = record.get("name", "").strip()
    first = orders.setdefault(order, record)
    email = record.get("email", "").strip() or first.get("email", "").strip()
    created = record.get("created at", "").strip() or first.get("created at", "").strip()
    status = (record.get("financial status", "") or first.get("financial status", "")).strip().lower()
    sku = record.get("lineitem sku", "").strip().upper()
    if not sku:
        raise ValueError("Lineitem sku is empty")
    if not email:
        raise ValueError(f"order {order or '?'} has no Email")
    if status in NOT_BOUGHT_STATUSES:
        return f"order {order} is {status}: not a purchase"
    kind: EventKind = "return" if status in RETURNED_STATUSES else "purchase"
    return ShopperEvent(hashed_email(email), sku, kind, parse_time(created))


def _woocommerce(record: dict[str, str]) -> ShopperEvent | str:
    shopper_raw = _pick(record, WOO_SHOPPER).strip()
    sku = record.get("sku", "").strip().upper()
    if not sku:
        raise ValueError("SKU is empty")
    if not shopper_raw:
        raise ValueError("no customer e-mail or id")
    shopper = hashed_email(shopper_raw) if "@" in shopper_raw else f"woocommerce:{shopper_raw}"
    status = record.get("order status", record.get("status", "")).strip().lower().removeprefix("wc-")
    order = _pick(record, WOO_ORDER)
    if status in NOT_BOUGHT_STATUSES:
        return f"order {order} is {status}: not a purchase"
    kind: EventKind = "return" if status in RETURNED_STATUSES else "purchase"
    return ShopperEvent(shopper, sku, kind, parse_time(record.get("order date", "")))
