"""Typed numbers in text: a price with its currency, a measure with its unit class, a stock count, or bare.

The fact check compares an answer's numbers with the facts' numbers of the same kind, so a stock count
of 10 cannot support "holds 10 liters" and a ¥459 price cannot support "$459". Units and phrases come
from ``knowledge/data/units.json`` (shared with the catalog loader) and ``data/claims.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from knowledge.described_specs import UNITS_FILE

DATA_DIR = Path(__file__).resolve().parent / "data"
# A comma is a thousands separator only before exactly three digits, so "¥399," and "sizes 40,41" end
# where the number does (``\d[\d,]*`` read them as "399," and 4041).
NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
# Measures equal within this relative tolerance: unit conversions (20 L = 20000 ml, 5.3 gallons) round.
MEASURE_TOLERANCE = 0.02
QuantityKind = Literal["price", "stock", "measure", "bare"]
# A number glued to letters or digits is part of a name or code ("X5", "AeroRun2"), not a quantity.
_BARE_RE = re.compile(rf"(?<![A-Za-z0-9_.\-/#]){NUMBER}(?![A-Za-z0-9])")


@dataclass(frozen=True)
class Quantity:
    kind: QuantityKind
    value: float  # a measure's value is in its class's base unit (ml, g, mm, hours, ...)
    unit: str  # price: the currency token; measure: the unit class; else ""
    currencies: frozenset[str]  # for prices: the currency codes the token can mean
    start: int
    end: int
    number_start: int
    number_end: int

    @property
    def number(self) -> float:
        return self.value


def to_number(raw: str) -> float:
    return float(raw.replace(",", ""))


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return data


def claims_data() -> dict[str, Any]:
    return _load("claims.json")


def _alternation(tokens: list[str]) -> str:
    return "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))


def _latin_boundary(token: str) -> str:
    """Latin-letter units must end at a word edge ("5 m" yes, "5 more" no); CJK units need no edge."""
    return re.escape(token) + (r"(?![A-Za-z])" if token[-1:].isascii() and token[-1:].isalpha() else "")


@dataclass(frozen=True)
class _Tables:
    price_prefix: re.Pattern[str]
    price_suffix: re.Pattern[str]
    measure: re.Pattern[str]
    stock: tuple[re.Pattern[str], ...]
    prefix_codes: dict[str, frozenset[str]]
    suffix_codes: dict[str, frozenset[str]]
    units: dict[str, tuple[str, float]]
    aliases: dict[str, str]


@cache
def tables() -> _Tables:
    data: dict[str, Any] = json.loads(UNITS_FILE.read_text(encoding="utf-8"))
    prefix = {k.lower(): frozenset(v) for k, v in data["currency_prefix"].items()}
    suffix = {k.lower(): frozenset(v) for k, v in data["currency_suffix"].items()}
    units = {k.lower(): (str(v[0]), float(v[1])) for k, v in data["units"].items()}
    unit_alt = "|".join(_latin_boundary(t) for t in sorted(units, key=len, reverse=True))
    suffix_alt = "|".join(_latin_boundary(t) for t in sorted(suffix, key=len, reverse=True))
    return _Tables(
        price_prefix=re.compile(rf"(?:{_alternation(list(prefix))})\s?\s*({NUMBER})", re.IGNORECASE),
        price_suffix=re.compile(rf"({NUMBER})\s*(?:{suffix_alt})", re.IGNORECASE),
        measure=re.compile(rf"({NUMBER})\s*-?\s*(?:{unit_alt})", re.IGNORECASE),
        stock=tuple(re.compile(p.replace("N", f"({NUMBER})"), re.IGNORECASE) for p in claims_data()["stock_count"]),
        prefix_codes=prefix,
        suffix_codes=suffix,
        units=units,
        aliases={k.upper(): v.upper() for k, v in data["currency_aliases"].items()},
    )


def currency_code(code: str) -> str:
    upper = code.strip().upper()
    return tables().aliases.get(upper, upper)


def unit_of(token: str) -> tuple[str, float] | None:
    """``"L"`` -> ``("volume", 1000.0)``; None for a token that is no unit."""
    return tables().units.get(token.strip().lower())


def _free(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= s or start >= e for s, e in taken)


def quantities(text: str) -> list[Quantity]:
    """Every number in ``text`` with its kind, in text order; each number belongs to one quantity."""
    t = tables()
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def add(q: Quantity) -> None:
        found.append(q)
        taken.append((q.start, q.end))

    for match in t.price_prefix.finditer(text):
        token = text[match.start() : match.start(1)].strip().lower()
        codes = t.prefix_codes.get(token, frozenset())
        if _free(taken, *match.span()):
            add(Quantity("price", to_number(match.group(1)), token, codes, *match.span(), *match.span(1)))
    for match in t.price_suffix.finditer(text):
        token = text[match.end(1) : match.end()].strip().lower()
        codes = t.suffix_codes.get(token, frozenset())
        if _free(taken, *match.span()):
            add(Quantity("price", to_number(match.group(1)), token, codes, *match.span(), *match.span(1)))
    for pattern in t.stock:
        for match in pattern.finditer(text):
            if _free(taken, *match.span(1)):
                add(Quantity("stock", to_number(match.group(1)), "", frozenset(), *match.span(), *match.span(1)))
    for match in t.measure.finditer(text):
        token = re.sub(r"^[\s-]+", "", text[match.end(1) : match.end()]).lower()
        unit = t.units.get(token)
        if unit is not None and _free(taken, *match.span()):
            value = to_number(match.group(1)) * unit[1]
            add(Quantity("measure", value, unit[0], frozenset(), *match.span(), *match.span(1)))
    for match in _BARE_RE.finditer(text):
        if _free(taken, *match.span()):
            add(Quantity("bare", to_number(match.group(0)), "", frozenset(), *match.span(), *match.span()))
    return sorted(found, key=lambda q: q.start)


def measures_equal(a: float, b: float) -> bool:
    return abs(a - b) <= MEASURE_TOLERANCE * max(abs(a), abs(b)) or abs(a - b) < 1e-9


def attribute_unit(key: str) -> tuple[str, float] | None:
    """The unit an attribute name carries in its last part: ``capacity_l`` -> volume, ``weight_g`` -> mass."""
    parts = re.split(r"[_\s.()]+", key.strip().lower())
    parts = [p for p in parts if p]
    if not parts:
        return None
    for candidate in (parts[-1], " ".join(parts[-2:])):
        unit = unit_of(candidate)
        if unit is not None:
            return unit
    return None
