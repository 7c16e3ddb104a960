"""The words a shop's catalog gives understanding: categories with their aliases and labels in zh and en,
brands, attribute names and values, product names; and an embedding fallback for a kind no alias names.

Every knowledge release derives its own vocabulary from its products (``CatalogVocabulary.from_products``).
``data/lexicon.json`` only adds defaults: synonyms and the other language for well-known kinds, use-case
words, must-have phrases and the question forms of "do you sell X?" (read in ``lexicon.py``); the terms
derived from the products are built in ``catalog_terms.py``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Protocol

import numpy as np
import numpy.typing as npt

from knowledge.models import AttributeValue, Product

from . import catalog_terms as terms
from .attribute_labels import plain_value
from .lexicon import contains, words_of

SKU_RE = re.compile(r"\b[A-Z]{2,4}-[A-Z]{2,4}-\d{3,6}\b", re.IGNORECASE)
# Cosine similarity (multilingual USE) from which a shopper's noun is taken to name a catalog category.
# Calibrated with bench/bench_category_embedding.py on 3 shops and 63 nouns in kinds that neither the demo
# nor the tests sell: at 0.65, 27/31 nouns of sold kinds reach the right category (zh names and synonyms
# score 0.65-0.89) and 3/32 unsold kinds are taken for a related one (toothpaste -> toothbrushes); 0.6
# gained one noun but mapped 5/32.
CATEGORY_SIMILARITY = 0.65
# ...and the best category must beat the runner-up by this much, or the noun is ambiguous between two.
CATEGORY_MARGIN = 0.03


class TextEncoder(Protocol):
    """Sentence embeddings; ``knowledge.embedding.MultilingualUSE`` puts zh and en in one space."""

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]: ...


class CategoryEmbedder:
    """Maps a shopper's noun ("洗碗机", "couch") to the nearest catalog category by sentence embedding."""

    def __init__(self, encoder: TextEncoder, texts: dict[str, list[str]]) -> None:
        self._encoder = encoder
        self._texts = texts  # category -> names to compare with (labels in both languages, aliases)
        self._lock = threading.Lock()
        self._matrix: npt.NDArray[np.float32] | None = None
        self._owners: list[str] = []

    def _index(self) -> tuple[npt.NDArray[np.float32], list[str]]:
        # Embedded on first use, not at release switch: most turns never need the fallback.
        with self._lock:
            if self._matrix is None:
                owners = [c for c, names in self._texts.items() for _ in names]
                names = [n for ns in self._texts.values() for n in ns]
                self._matrix = _normalised(self._encoder.encode(names)) if names else np.zeros((0, 1), np.float32)
                self._owners = owners
            return self._matrix, self._owners

    def nearest(self, phrases: Sequence[str]) -> tuple[str, float] | None:
        """Best category for any of the phrases, if similar enough and not a near-tie between two."""
        phrases = [p for p in dict.fromkeys(phrases) if p.strip()]
        matrix, owners = self._index()
        if not phrases or not owners:
            return None
        scores = _normalised(self._encoder.encode(phrases)) @ matrix.T
        best: dict[str, float] = {}
        for row in scores:
            for owner, score in zip(owners, row, strict=True):
                best[owner] = max(best.get(owner, -1.0), float(score))
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        category, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else -1.0
        if score < CATEGORY_SIMILARITY or score - runner_up < CATEGORY_MARGIN:
            return None
        return category, score


def _normalised(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: npt.NDArray[np.float32] = (matrix / norms).astype(np.float32)
    return result


def default_encoder() -> TextEncoder:
    from knowledge.embedding import MultilingualUSE  # deferred: weights load on first encode

    return MultilingualUSE(threads=1)


@dataclass(frozen=True)
class CatalogVocabulary:
    """Words the catalog itself provides: categories, brands, attributes and product names for matching."""

    categories: tuple[str, ...]
    brands: tuple[str, ...]
    name_index: tuple[tuple[str, str], ...]  # (lowercased name variant, sku), longest first
    skus: frozenset[str]
    options: dict[str, str] = field(default_factory=dict)  # sku -> its variant option ("long"), lowercased
    category_words: tuple[tuple[str, str], ...] = ()  # (alias, category), longest alias first
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # category -> (en, zh) display label
    attribute_words: tuple[tuple[tuple[str, ...], str, AttributeValue], ...] = ()
    # Catalog-derived enum values ("slim" fit) only make sense for the categories that have them.
    value_categories: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    embedder: CategoryEmbedder | None = field(default=None, compare=False)
    # (part of a title, its SKUs), longest first: parts no other title holds, with a rare word in them.
    name_parts: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def from_products(
        cls, products: Sequence[Product], encoder: TextEncoder | None = None, *, embeddings: bool = True
    ) -> CatalogVocabulary:
        brands = tuple(sorted({p.brand for p in products if p.brand}, key=len, reverse=True))
        categories = tuple(sorted({p.category for p in products if p.category}))
        aliases = terms.category_aliases(products, categories, {b.lower() for b in brands})
        labels = {c: terms.category_label(c, aliases.get(c, [])) for c in categories}
        words = sorted({(a, c) for c, names in aliases.items() for a in names}, key=lambda item: (-len(item[0]), item))
        embedder = None
        if embeddings and categories:
            texts = {c: list(dict.fromkeys([words_of(c), *labels[c], *aliases.get(c, [])[:4]])) for c in categories}
            embedder = CategoryEmbedder(encoder or default_encoder(), texts)
        return cls(
            categories=categories,
            brands=brands,
            name_index=terms.name_index(products),
            skus=frozenset(p.sku for p in products),
            options={p.sku: p.name.rsplit(" - ", 1)[1].lower() for p in products if " - " in p.name},
            category_words=tuple(words),
            labels=labels,
            attribute_words=terms.attribute_words(products),
            value_categories=terms.value_categories(products),
            embedder=embedder,
            name_parts=terms.name_parts(products, {a for names in aliases.values() for a in names}),
        )

    def label(self, category: str, language: str) -> str:
        en, zh = self.labels.get(category) or terms.category_label(category, [])
        return zh if language == "zh" else en

    def category_match(self, text: str) -> tuple[str, str] | None:
        """(matched word, category); the longest alias found wins ("running shoes" beats "shoes")."""
        for word, category in self.category_words:
            if contains(text, word):
                return word, category
        return None

    def fits(self, key: str, value: AttributeValue, category: str | None) -> bool:
        """A must-have derived from an enum value applies to the asked category only if it has that value."""
        owners = self.value_categories.get((key, str(value)))
        return owners is None or category is None or category in owners

    def nearest_category(self, phrases: Sequence[str]) -> str | None:
        if self.embedder is None:
            return None
        found = self.embedder.nearest(phrases)
        return found[0] if found else None

    def knows(self, text: str) -> bool:
        """The text names something of this catalog: a category, a brand or a product."""
        return bool(
            self.category_match(text) or any(contains(text, b.lower()) for b in self.brands) or self.named_skus(text)
        )

    def named_skus(self, text: str) -> list[str]:
        """SKUs the text names explicitly or by product name, in order of appearance, no overlaps."""
        found: list[tuple[int, str]] = []
        for match in SKU_RE.finditer(text):
            sku = match.group(0).upper()
            if sku in self.skus:
                found.append((match.start(), sku))
        lowered = text.lower()
        taken: list[tuple[int, int]] = []
        for name, sku in self.name_index:
            for start, end in _occurrences(lowered, name):
                # Two products with one name are both named: picking either would be a guess.
                if (start, end) in taken or not any(s < end and start < e for s, e in taken):
                    taken.append((start, end))
                    found.append((start, sku))
        # A part of a title ("the Ridgeback 2"), where no full name was found.
        for part, members in self.name_parts:
            for start, end in _occurrences(lowered, part):
                if not any(s < end and start < e for s, e in taken):
                    taken.append((start, end))
                    found.extend((start, sku) for sku in members)
        ordered: list[str] = []
        for _, group in groupby(sorted(found), key=lambda item: item[0]):
            skus = [sku for _, sku in group]
            # One title, several variants: an option the text names ("(Long)") picks among them.
            # A Chinese question names the option in Chinese ("（加长款）" for "Long").
            picked = [
                s for s in skus if (o := self.options.get(s)) and (contains(lowered, o) or plain_value(o, "zh") in text)
            ] or skus
            ordered.extend(s for s in picked if s not in ordered)
        return ordered


def _occurrences(lowered: str, name: str) -> Iterator[tuple[int, int]]:
    """Where ``name`` occurs in ``lowered``; only ASCII letters and digits extend a word, so
    "Moraine 1 Tent卖多少钱" names the tent and "tents" does not name "tent"."""
    start = lowered.find(name)
    while start != -1:
        end = start + len(name)
        before_ok = start == 0 or not _ascii_alnum(lowered[start - 1])
        if not name.isascii() or (before_ok and (end == len(lowered) or not _ascii_alnum(lowered[end]))):
            yield start, end
        start = lowered.find(name, end)


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()
