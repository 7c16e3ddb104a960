"""Fact check: every price, SKU, stock claim and spec/policy number in an answer must be in the facts.

Sentences with a wrong price are repaired with the catalog price when exactly one product is meant;
other unverifiable sentences are dropped; if nothing trustworthy is left the caller falls back to the
templated retrieval answer. An unverified price never gets through.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.models import Product
from knowledge.search import PassageHit

from .understanding import SKU_RE

_NUMBER = r"\d[\d,]*(?:\.\d+)?"
PRICE_RE = re.compile(
    rf"(?:[¥￥]|\b(?:RMB|CNY)\s?)\s*({_NUMBER})|({_NUMBER})\s*(?:元|块|yuan\b|RMB\b|CNY\b)", re.IGNORECASE
)
# Numbers with a unit that makes them a spec or a policy term.
SPEC_RE = re.compile(
    rf"({_NUMBER})\s*(?:%|％|mah|gb|tb|mp|kg|g\b|克|千克|ml|毫升|l\b|升|h\b|hours?|小时|days?|天|"
    r"inch(?:es)?|英寸|\"|months?|个月|years?|年|business days|个工作日|工作日|points?|积分|atm)",
    re.IGNORECASE,
)
OUT_OF_STOCK_RE = re.compile(r"out of stock|sold out|unavailable|缺货|售罄|无货|没货", re.IGNORECASE)
IN_STOCK_RE = re.compile(r"\bin stock\b|available now|有货|现货|有库存", re.IGNORECASE)
STOCK_COUNT_RE = re.compile(rf"(?:only\s+)?({_NUMBER})\s*(?:left|in stock|units?|pieces?|件|个|台)", re.IGNORECASE)
# Split after each terminator, keeping it (and the layout) so unchanged text joins back identically.
SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?。！？\n])(?!\d)")
# Brands we do not sell: an answer that names one is talking about something outside the catalog.
FOREIGN_BRANDS = (
    "nike", "adidas", "asics", "puma", "new balance", "apple", "iphone", "macbook", "samsung", "sony", "bose",
    "huawei", "xiaomi", "lenovo", "dell", "hp ", "garmin", "north face", "patagonia", "耐克", "阿迪达斯", "苹果",
    "华为", "小米", "三星", "索尼", "联想",
)  # fmt: skip


def _num(raw: str) -> float:
    return float(raw.replace(",", ""))


@dataclass
class FactCheckResult:
    text: str
    repairs: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    needs_fallback: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.repairs or self.dropped)


@dataclass(frozen=True)
class Facts:
    products: tuple[Product, ...]
    passages: tuple[PassageHit, ...]
    shopper_numbers: tuple[float, ...] = ()

    @property
    def prices(self) -> set[float]:
        return {round(p.price, 2) for p in self.products} | self.passage_numbers | set(self.shopper_numbers)

    @property
    def passage_numbers(self) -> set[float]:
        numbers: set[float] = set()
        for hit in self.passages:
            numbers.update(_num(n) for n in re.findall(_NUMBER, hit.doc.text))
        return numbers

    @property
    def spec_numbers(self) -> set[float]:
        numbers = set(self.passage_numbers)
        for product in self.products:
            for value in product.attributes.values():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    numbers.add(round(float(value), 2))
                else:
                    numbers.update(_num(n) for n in re.findall(_NUMBER, str(value)))
            numbers.update(_num(n) for n in re.findall(_NUMBER, product.name + " " + product.name_zh))
            numbers.add(float(product.stock))
        return numbers


class FactChecker:
    """Checks generated text against the facts that were in its prompt."""

    def __init__(self, catalog_skus: frozenset[str] | None = None) -> None:
        self.catalog_skus = catalog_skus or frozenset()

    def check(
        self,
        answer: str,
        products: Sequence[Product],
        passages: Sequence[PassageHit] = (),
        shopper_numbers: Sequence[float] = (),
    ) -> FactCheckResult:
        """``shopper_numbers`` are amounts the shopper stated (a budget): repeating them is no claim."""
        facts = Facts(tuple(products), tuple(passages), tuple(round(n, 2) for n in shopper_numbers))
        result = FactCheckResult(text=answer)
        kept: list[str] = []
        for sentence in filter(None, SENTENCE_SPLIT_RE.split(answer)):
            fixed = self._check_sentence(sentence, facts, result)
            if fixed is not None:
                kept.append(fixed)
        text = "".join(kept).strip()
        result.text = text
        if not text or (products and result.dropped and not any(self._mentions(text, p) for p in products)):
            result.needs_fallback = True
        return result

    @staticmethod
    def _mentions(text: str, product: Product) -> bool:
        lowered = text.lower()
        return (
            product.sku.lower() in lowered
            or product.name.lower() in lowered
            or (bool(product.name_zh) and product.name_zh in text)
        )

    def _check_sentence(self, sentence: str, facts: Facts, result: FactCheckResult) -> str | None:
        lowered = sentence.lower()
        for brand in FOREIGN_BRANDS:
            if brand in lowered:
                result.dropped.append(f"foreign brand '{brand.strip()}': {sentence.strip()}")
                return None
        for match in SKU_RE.finditer(sentence):
            sku = match.group(0).upper()
            if sku not in {p.sku for p in facts.products}:
                result.dropped.append(f"unverified SKU {sku}")
                return None
        priced = self._check_prices(sentence, facts, result)
        if priced is None:
            return None
        sentence = priced
        for match in SPEC_RE.finditer(sentence):
            value = _num(match.group(1))
            if value not in facts.spec_numbers and value not in facts.prices:
                result.dropped.append(f"unverified number {match.group(0)}")
                return None
        if not self._stock_claims_hold(sentence, facts):
            result.dropped.append(f"wrong stock claim: {sentence.strip()}")
            return None
        return sentence

    def _check_prices(self, sentence: str, facts: Facts, result: FactCheckResult) -> str | None:
        allowed = facts.prices
        bad = [m for m in PRICE_RE.finditer(sentence) if _num(m.group(1) or m.group(2)) not in allowed]
        if not bad:
            return sentence
        meant = [p for p in facts.products if self._mentions(sentence, p)]
        if len(meant) != 1 and len(facts.products) == 1:
            meant = list(facts.products)
        if len(meant) == 1 and len(bad) == 1:
            match = bad[0]
            group = 1 if match.group(1) else 2
            start, end = match.span(group)
            price = meant[0].price
            shown = f"{price:,.0f}" if price == int(price) else f"{price:,.2f}"
            result.repairs.append(f"price {match.group(group)} -> {shown} for {meant[0].sku}")
            return sentence[:start] + shown + sentence[end:]
        result.dropped.append("unverified price " + ", ".join(m.group(0) for m in bad))
        return None

    def _stock_claims_hold(self, sentence: str, facts: Facts) -> bool:
        meant = [p for p in facts.products if self._mentions(sentence, p)] or list(facts.products)
        if not meant:
            return not (OUT_OF_STOCK_RE.search(sentence) or STOCK_COUNT_RE.search(sentence))
        if OUT_OF_STOCK_RE.search(sentence) and all(p.stock > 0 for p in meant):
            return False
        if IN_STOCK_RE.search(sentence) and not OUT_OF_STOCK_RE.search(sentence) and all(p.stock <= 0 for p in meant):
            return False
        for match in STOCK_COUNT_RE.finditer(sentence):
            if _num(match.group(1)) not in {float(p.stock) for p in meant} | facts.spec_numbers:
                return False
        return True
