"""Superlative claims in an answer ("X is the cheapest", "X是最便宜的") are checked like prices.

The claim must hold in the catalog for the product it names: among the products it is about (that
product's category, the shopper's budget and must-haves, in stock when the shopper asked or the
sentence says so) the product must share the top place in the claimed order. The store answers
the sorted query; this module only finds claims and compares. The fact checker calls it per sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from knowledge.models import Product

from .ports import ProductQuery, Retriever
from .superlatives import SuperlativeLexicon, SuperlativeMention, default_lexicon, measure_sort_keys

# How far from a superlative an in-stock word still qualifies it ("the cheapest one in stock").
QUALIFIER_WINDOW_CHARS = 16
MIN_NAME_CHARS = 4  # shorter name variants (a bare model number such as "X5") match too much


def _name_variants(product: Product) -> list[str]:
    variants = {product.sku.lower(), product.name.lower()}
    if product.name_zh:
        variants.add(product.name_zh.lower())
    brand = product.brand.lower()
    if brand and product.name.lower().startswith(brand + " "):
        variants.add(product.name[len(brand) + 1 :].lower())  # "Storm Shell" without "Nordpeak"
    return [v for v in variants if len(v) >= MIN_NAME_CHARS]


def _spans(text: str, product: Product) -> list[tuple[int, int]]:
    lowered = text.lower()
    spans = []
    for name in _name_variants(product):
        start = lowered.find(name)
        while start != -1:
            spans.append((start, start + len(name)))
            start = lowered.find(name, start + 1)
    return spans


def _distance(span: tuple[int, int], mention: SuperlativeMention) -> int:
    start, end = span
    if start < mention.end and mention.start < end:
        return 0
    return mention.start - end if end <= mention.start else start - mention.end


class SuperlativeCheck:
    """Finds superlative claims in a sentence and asks the catalog whether they are true."""

    def __init__(self, retriever: Retriever, lexicon: SuperlativeLexicon | None = None) -> None:
        self.retriever = retriever
        self.lexicon = lexicon or default_lexicon()

    def claimed(self, sentence: str, products: Sequence[Product]) -> list[tuple[SuperlativeMention, Product | None]]:
        """Each superlative in the sentence with the product it is about: the nearest one named, or the
        only product in the facts; None when several could be meant and none is named."""
        claims: list[tuple[SuperlativeMention, Product | None]] = []
        named = [(span, p) for p in products for span in _spans(sentence, p)]
        for mention in self.lexicon.mentions(sentence):
            if named:
                _, product = min(named, key=lambda item: _distance(item[0], mention))
                claims.append((mention, product))
            else:
                claims.append((mention, products[0] if len(products) == 1 else None))
        return claims

    def holds(self, sentence: str, mention: SuperlativeMention, product: Product, scope: ProductQuery) -> bool:
        """Whether ``product`` shares the top place in ``mention.order`` among the products meant."""
        near = sentence.lower()[max(0, mention.start - QUALIFIER_WINDOW_CHARS) : mention.end + QUALIFIER_WINDOW_CHARS]
        in_stock = scope.in_stock_only or self.lexicon.says_in_stock(near)
        query = replace(scope, text="", category=product.category, in_stock_only=in_stock, sort=mention.order, k=1)
        if mention.basis is not None:
            # "The lightest": ranked by the category's attributes whose names carry that unit class.
            keys = self.retriever.facets(replace(query, sort=None)).numeric_attributes
            query = replace(query, sort_keys=measure_sort_keys(keys, mention.basis))
        ranked = self.retriever.match(query)
        return ranked.sortable and product.sku in ranked.leaders

    def false_claim(self, sentence: str, products: Sequence[Product], scope: ProductQuery) -> str | None:
        """Why the sentence's superlative claim cannot stand, or None when every claim in it holds."""
        for mention, product in self.claimed(sentence, products):
            if product is None:
                return f"superlative '{mention.word}' about no named product"
            if self.holds(sentence, mention, product, scope) == mention.negated:
                return f"false superlative '{mention.word}' for {product.sku}"
        return None
