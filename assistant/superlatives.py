"""Superlatives and sort words ("cheapest", "最便宜", "best rated", "最新"): the order a shopper asks for,
and where an answer claims one. The words live in ``data/superlatives.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, cast

from knowledge.search import SORT_ORDERS, SortOrder

from .quantities import attribute_unit
from .support import terms

WORDS_FILE = Path(__file__).resolve().parent / "data" / "superlatives.json"
Direction = Literal["asc", "desc"]
# What "which is cheaper / lighter?" compares on: "price", or a unit class an attribute name carries ("mass").
Comparison = tuple[str, Direction]


@dataclass(frozen=True)
class SuperlativeMention:
    """One superlative phrase in a text; ``negated`` for "not the cheapest" / "不是最便宜"."""

    order: SortOrder
    word: str
    start: int
    end: int
    negated: bool
    basis: str | None = None  # the unit class of a measure order ("lightest" -> "mass")


def _pattern(word: str) -> re.Pattern[str]:
    if word.isascii():
        # ASCII words on word boundaries, so "latest" is not found in "slatest".
        return re.compile(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])")
    return re.compile(re.escape(word))


def _by_basis(section: dict[str, dict[str, list[str]]], path: Path) -> dict[Comparison, tuple[str, ...]]:
    """``{"mass": {"asc": [...], "desc": [...]}}`` -> ``{("mass", "asc"): (...), ...}``; ``_``-keys are notes."""
    out: dict[Comparison, tuple[str, ...]] = {}
    for basis, directions in section.items():
        if basis.startswith("_"):
            continue
        for direction, words in directions.items():
            if direction not in ("asc", "desc"):
                raise ValueError(f"{path.name}: {basis!r} has direction {direction!r}")
            out[(basis, cast(Direction, direction))] = tuple(words)
    return out


def _basis_patterns(words: dict[Comparison, tuple[str, ...]]) -> list[tuple[re.Pattern[str], Comparison]]:
    pairs = [(w.lower(), basis) for basis, ws in words.items() for w in ws]
    pairs.sort(key=lambda item: len(item[0]), reverse=True)  # the longest phrase first
    return [(_pattern(w), basis) for w, basis in pairs]


class SuperlativeLexicon:
    """Finds superlative phrases; the longest phrase wins where two overlap ("最新款" over "最新")."""

    def __init__(
        self,
        orders: dict[SortOrder, tuple[str, ...]],
        negations: tuple[str, ...],
        in_stock: tuple[str, ...] = (),
        comparatives: dict[Comparison, tuple[str, ...]] | None = None,
        measures: dict[Comparison, tuple[str, ...]] | None = None,
    ) -> None:
        words: list[tuple[str, SortOrder, str | None]] = [
            (w.lower(), order, None) for order, ws in orders.items() for w in ws
        ]
        for (basis, direction), ws in (measures or {}).items():
            measure_order: SortOrder = "measure_asc" if direction == "asc" else "measure_desc"
            words += [(w.lower(), measure_order, basis) for w in ws]
        words.sort(key=lambda item: len(item[0]), reverse=True)
        self._patterns = [(_pattern(w), w, order, basis) for w, order, basis in words]
        self._negations = tuple(n.lower() for n in negations)
        self._in_stock = [_pattern(w.lower()) for w in in_stock]
        self._comparatives = _basis_patterns(comparatives or {})
        self._measures = _basis_patterns(measures or {})

    @classmethod
    def from_file(cls, path: Path = WORDS_FILE) -> SuperlativeLexicon:
        data = json.loads(path.read_text(encoding="utf-8"))
        orders: dict[SortOrder, tuple[str, ...]] = {}
        for key, words in data["orders"].items():
            if key not in SORT_ORDERS:
                raise ValueError(f"{path.name}: unknown sort order {key!r}")
            orders[cast(SortOrder, key)] = tuple(words)
        return cls(
            orders,
            tuple(data["negations"]["before"]),
            tuple(data.get("in_stock_qualifiers", ())),
            _by_basis(data.get("comparatives", {}), path),
            _by_basis(data.get("measure_orders", {}), path),
        )

    def mentions(self, text: str) -> list[SuperlativeMention]:
        """Every superlative phrase in ``text``, in order of appearance, without overlaps."""
        lowered = text.lower()
        found: list[SuperlativeMention] = []
        for pattern, word, order, basis in self._patterns:
            for match in pattern.finditer(lowered):
                start, end = match.span()
                if any(m.start < end and start < m.end for m in found):
                    continue
                before = lowered[:start].rstrip()
                negated = any(before.endswith(n) for n in self._negations)
                found.append(SuperlativeMention(order, word, start, end, negated, basis))
        return sorted(found, key=lambda m: m.start)

    def says_in_stock(self, text: str) -> bool:
        """Whether ``text`` limits a claim to what is in stock ("the cheapest in stock", "有现货的")."""
        lowered = text.lower()
        return any(p.search(lowered) for p in self._in_stock)

    def comparison(self, text: str) -> Comparison | None:
        """What "which is cheaper / lighter, A or B?" asks to compare on; the longest phrase found wins."""
        lowered = text.lower()
        return next((basis for pattern, basis in self._comparatives if pattern.search(lowered)), None)

    def measure_order(self, text: str) -> Comparison | None:
        """ "the lightest tent" -> ("mass", "asc"): a superlative over a measure, by its unit class."""
        lowered = text.lower()
        return next((basis for pattern, basis in self._measures if pattern.search(lowered)), None)

    def sort_order(self, text: str) -> SortOrder | None:
        """The order a shopper asks for: the first superlative that is not negated (measures: ``measure_order``)."""
        return next((m.order for m in self.mentions(text) if not m.negated and m.basis is None), None)


@cache
def default_lexicon() -> SuperlativeLexicon:
    return SuperlativeLexicon.from_file()


def measure_sort_keys(attribute_keys: Iterable[str], basis: str) -> tuple[tuple[str, float], ...]:
    """The attribute keys whose names carry a unit of ``basis`` ("mass"), each with its factor to one unit;
    those named for the basis itself come first ("weight_kg" before "max_load_kg" for "the lightest")."""
    found = ((key, attribute_unit(key)) for key in attribute_keys)
    keys = [(key, unit[1]) for key, unit in found if unit is not None and unit[0] == basis]
    return tuple(sorted(keys, key=lambda item: not names_basis(item[0], basis)))


# The concept (``data/claims.json``) whose words name each unit class: "weight" is what "mass" measures.
BASIS_CONCEPTS = {"mass": "<weight>", "volume": "<capacity>", "length": "<size>", "temperature": "<temperature>"}


def names_basis(key: str, basis: str) -> bool:
    """Whether an attribute's name says what its unit class measures ("packed_weight_kg" for mass)."""
    concept = BASIS_CONCEPTS.get(basis)
    name = re.split(r"[_\s]+", key.strip())[:-1]  # without the unit, which names the class in any key
    return concept is not None and concept in terms(" ".join(name))


def parse_measure_order(text: str) -> Comparison | None:
    """ "the lightest tent" -> ("mass", "asc"), "容量最大的水壶" -> ("volume", "desc"), else None."""
    return default_lexicon().measure_order(text)


def parse_sort(text: str) -> SortOrder | None:
    """The order a shopper's words ask for: "cheapest" -> ``price_asc``, "评分最高" -> ``rating``, else None."""
    return default_lexicon().sort_order(text)
