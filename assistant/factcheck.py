"""Fact check: every claim in an answer must be backed by a fact of the same kind.

A price must equal a catalog price in the same currency, a measure (20 L, 254 g) a fact of the same unit
class, a stock count the product's stock, a bare number some fact; a number from the shop's documents must
be in the section the sentence is about ("returns within 14 days" is not backed by a shipping section's
14 days); a "free" claim needs a fact that says
free; a yes/no claim about a feature needs a passage or fact that says so (``assistant.support``). A wrong
price is repaired with the catalog price when exactly one product is meant; other unverifiable sentences
are dropped; an answer that echoes the question, or has nothing trustworthy left, falls back to the
templated retrieval answer. An unverified price never gets through.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from knowledge.models import Product
from knowledge.passages import without_name
from knowledge.search import PassageHit, ProductQuery

from .quantities import NUMBER, Quantity, attribute_unit, currency_code, measures_equal, quantities, to_number
from .render import money
from .superlative_check import SuperlativeCheck
from .support import (
    FeatureClaims,
    echoes_question,
    free_claim,
    free_supported,
    price_role_numbers,
    product_text,
    prompt_internal,
    terms,
)
from .understanding import SKU_RE

_NUMBER = NUMBER
PRICE_RE = re.compile(
    rf"(?:[¥￥]|\b(?:RMB|CNY)\s?)\s*({_NUMBER})|({_NUMBER})\s*(?:元|块|yuan\b|RMB\b|CNY\b)", re.IGNORECASE
)
OUT_OF_STOCK_RE = re.compile(r"out of stock|sold out|unavailable|缺货|售罄|无货|没货", re.IGNORECASE)
IN_STOCK_RE = re.compile(
    r"\bin stock\b|available (?:right )?now|currently available|available today|有货|现货|有库存", re.IGNORECASE
)
# Split after each terminator, keeping it (and the layout) so unchanged text joins back identically.
SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?。！？\n])(?!\d)")
POLICY_KINDS = ("policy", "faq", "guide")
# Small counts ("two of them", "1 or 2") need no fact: they count what the answer itself lists.
SMALL_COUNT = 3
# A name's tail this long (in words) after Chinese text is a mangled name, not a kind word ("Sleeping Bag").
NAME_TAIL_MIN_WORDS = 2
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
# Brands we do not sell: an answer that names one is talking about something outside the catalog.
FOREIGN_BRANDS = (
    "nike", "adidas", "asics", "puma", "new balance", "apple", "iphone", "macbook", "samsung", "sony", "bose",
    "huawei", "xiaomi", "lenovo", "dell", "hp ", "garmin", "north face", "patagonia", "耐克", "阿迪达斯", "苹果",
    "华为", "小米", "三星", "索尼", "联想",
)  # fmt: skip


def _num(raw: str) -> float:
    return to_number(raw)


@dataclass
class FactCheckResult:
    text: str
    repairs: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    needs_fallback: bool = False
    echoed: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.repairs or self.dropped)


@dataclass(frozen=True)
class Facts:
    """The turn's facts, indexed by kind: prices with currency, measures by unit class, stock counts."""

    products: tuple[Product, ...]
    passages: tuple[PassageHit, ...]
    shopper_numbers: tuple[float, ...] = ()
    scope: ProductQuery = field(default_factory=lambda: ProductQuery(text=""))  # what a superlative is about

    @cached_property
    def text(self) -> str:
        parts = [product_text(p) for p in self.products]
        # Reviews are opinions: a number or feature only a review states is no fact.
        parts += [f"{h.doc.title}\n{h.doc.text}" for h in self.passages if h.doc.kind != "review"]
        return "\n".join(parts)

    @cached_property
    def stated(self) -> list[Quantity]:
        return quantities(self.text)

    @cached_property
    def document_prices(self) -> list[Quantity]:
        """Prices the shop's documents state ("orders over ¥299 ship free"). A product's own text is no
        price fact: its price is the catalog column, and a description's "today only ¥888" or an old
        "was ¥999" is not what the product costs."""
        shop = "\n".join(h.doc.text for h in self.passages if h.doc.kind in POLICY_KINDS and not h.doc.sku)
        return [q for q in quantities(shop) if q.kind == "price"]

    @cached_property
    def numbers(self) -> set[float]:
        """Every number the facts contain, of any kind (what a bare number may repeat)."""
        found = {_num(n) for n in re.findall(_NUMBER, self.text)}
        found |= {round(p.price, 2) for p in self.products if p.price is not None}
        found |= {float(p.stock) for p in self.products if p.stock is not None}
        return found | set(self.shopper_numbers)

    @cached_property
    def passage_amounts(self) -> set[float]:
        """Amounts in policy text without a currency ("orders over 99"): a price may quote them.

        Only shop documents: a product passage's bare number is a weight or a size, never a price.
        """
        kinds = ("policy", "faq", "guide")
        return {_num(n) for h in self.passages if h.doc.kind in kinds for n in re.findall(_NUMBER, h.doc.text)}

    def price_ok(self, amount: float, codes: frozenset[str]) -> bool | None:
        """True: a fact has this amount in this currency; None: the amount exists, in another currency."""
        amount = round(amount, 2)
        if amount in self.shopper_numbers:
            return True
        catalog = [
            currency_code(p.currency) for p in self.products if p.price is not None and round(p.price, 2) == amount
        ]
        stated = [q for q in self.document_prices if round(q.value, 2) == amount]
        if any(not codes or c in codes for c in catalog) or any(not codes or codes & q.currencies for q in stated):
            return True
        if catalog or stated:
            return None
        return amount in self.passage_amounts

    @cached_property
    def measures(self) -> list[tuple[str, float]]:
        out = [(q.unit, q.value) for q in self.stated if q.kind == "measure"]
        for product in self.products:
            for key, value in product.attributes.items():
                unit = attribute_unit(key)
                if unit is not None and isinstance(value, int | float) and not isinstance(value, bool):
                    out.append((unit[0], float(value) * unit[1]))
        return out

    @cached_property
    def unitless(self) -> set[float]:
        """Numeric attributes whose name carries no unit ("capacity: 20"): any unit may state them."""
        out: set[float] = set()
        for product in self.products:
            for key, value in product.attributes.items():
                if attribute_unit(key) is None and isinstance(value, int | float) and not isinstance(value, bool):
                    out.add(float(value))
        return out

    def measure_ok(self, unit_class: str, value: float, raw: float) -> bool:
        if raw in self.shopper_numbers or raw in self.unitless:
            return True
        return any(c == unit_class and measures_equal(v, value) for c, v in self.measures)

    @cached_property
    def stated_stock(self) -> set[float]:
        return {q.value for q in self.stated if q.kind == "stock"}

    @cached_property
    def _policy_sections(self) -> tuple[tuple[PassageHit, ...], list[set[str]]]:
        """The policy sections and their words, computed once per check rather than once per sentence."""
        sections = tuple(h for h in self.passages if h.doc.kind in POLICY_KINDS)
        return sections, [terms(f"{h.doc.title}\n{h.doc.text}") for h in sections]

    @cached_property
    def _question_sections(self) -> dict[str, set[int]]:
        return {}

    def about(self, sentence: str, question: str) -> Facts:
        """These facts with the shop's sections narrowed to the ones ``sentence`` is about.

        Several sections of one document state periods and amounts (returns in 30 days, delivery in 14):
        a number is backed only by the section on the sentence's subject, so a policy's wrong number never
        passes because another policy happens to state it.
        """
        sections, section_terms = self._policy_sections
        if len(sections) < 2:
            return self
        keep = set(map(id, _subject_sections(sentence, question, sections, section_terms)))
        if question.strip():
            # A number from a section the question is not about answers another question ("7-day returns"
            # to "how long is the warranty?"): true, but off topic, so it backs nothing here.
            asked = self._question_sections.get(question)
            if asked is None:
                asked = set(map(id, _subject_sections(question, question, sections, section_terms)))
                self._question_sections[question] = asked
            keep &= asked
        narrowed = tuple(h for h in self.passages if h.doc.kind not in POLICY_KINDS or id(h) in keep)
        return replace(self, passages=narrowed)


def _subject_sections(
    sentence: str, question: str, sections: Sequence[PassageHit], section_terms: Sequence[set[str]]
) -> list[PassageHit]:
    """The sections (best first) whose words the sentence shares most; a sentence without subject words
    ("It is 30 days.") is about what was asked; failing both, about the closest section."""
    for about in (sentence, question):
        wanted = terms(about)
        overlap = [len(wanted & t) for t in section_terms]
        best = max(overlap)
        if best:
            return [h for h, n in zip(sections, overlap, strict=True) if n == best]
    return [sections[0]]


class FactChecker:
    """Checks generated text against the facts that were in its prompt."""

    def __init__(
        self, catalog_skus: frozenset[str] | None = None, superlatives: SuperlativeCheck | None = None
    ) -> None:
        self.catalog_skus = catalog_skus or frozenset()
        self.superlatives = superlatives

    def check(
        self,
        answer: str,
        products: Sequence[Product],
        passages: Sequence[PassageHit] = (),
        shopper_numbers: Sequence[float] = (),
        *,
        question: str = "",
        scope: ProductQuery | None = None,
        feature_claims: bool = True,
    ) -> FactCheckResult:
        """``shopper_numbers`` are amounts the shopper stated (a budget): repeating them is no claim.

        ``question`` is the shopper's message: an answer that repeats it falls back, and its numbers
        and feature words are what a yes/no claim answers. ``scope`` is the shopper's need (budget,
        in stock only...) that a superlative claim ("the cheapest") is judged within. ``feature_claims``
        off: the question is no yes/no question about these products (a search, "do you have ...?").
        """
        facts = Facts(
            tuple(products), tuple(passages), tuple(round(n, 2) for n in shopper_numbers), scope or ProductQuery("")
        )
        result = FactCheckResult(text=answer)
        if question and echoes_question(answer, question):
            result.echoed = True
            result.dropped.append("answer repeats the question")
            result.text = ""
            result.needs_fallback = True
            return result
        asked = {_num(n) for n in re.findall(_NUMBER, question)}
        kinds = frozenset().union(*(terms(f"{p.brand} {p.category.replace('_', ' ')}") for p in products))
        asked_about = question
        for product in products:  # the name as asked says which product, not what is asked about it
            asked_about = without_name(asked_about, product)
        features = FeatureClaims(asked_about if feature_claims else "", facts.text, passages, kinds)
        kept: list[str] = []
        for sentence in filter(None, SENTENCE_SPLIT_RE.split(answer)):
            has_number = re.search(_NUMBER, sentence) is not None or free_claim(sentence)
            about = facts.about(sentence, question) if has_number else facts
            fixed = self._check_sentence(sentence, about, result, asked)
            if fixed is not None and not features.supported(fixed, result.dropped):
                fixed = None
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

    def _meant(self, sentence: str, facts: Facts) -> list[Product]:
        return [p for p in facts.products if self._mentions(sentence, p)] or list(facts.products)

    def _check_sentence(self, sentence: str, facts: Facts, result: FactCheckResult, asked: set[float]) -> str | None:
        lowered = sentence.lower()
        internal = prompt_internal(sentence)
        if internal:
            result.dropped.append(f"prompt wording '{internal}': {sentence.strip()}")
            return None
        garbled = self._garbled_name(sentence, facts)
        if garbled:
            result.dropped.append(f"product name not as in the catalog '{garbled}': {sentence.strip()}")
            return None
        for brand in FOREIGN_BRANDS:
            if brand in lowered:
                result.dropped.append(f"foreign brand '{brand.strip()}': {sentence.strip()}")
                return None
        for match in SKU_RE.finditer(sentence):
            sku = match.group(0).upper()
            if sku not in {p.sku for p in facts.products}:
                result.dropped.append(f"unverified SKU {sku}")
                return None
        if free_claim(sentence) and not self._free_ok(sentence, facts):
            result.dropped.append(f"unsupported free claim: {sentence.strip()}")
            return None
        priced = self._check_prices(sentence, facts, result)
        if priced is None:
            return None
        price_starts = {q.number_start for q in quantities(priced) if q.kind == "price"}
        if any(start not in price_starts for start in price_role_numbers(priced)):
            # "的价格是3节折叠": whatever follows a price cue must be a price with its currency.
            result.dropped.append(f"a number in a price's place that is no price: {sentence.strip()}")
            return None
        sentence = priced
        for q in quantities(sentence):
            raw = _num(sentence[q.number_start : q.number_end])
            if q.kind == "measure" and not facts.measure_ok(q.unit, q.value, raw):
                result.dropped.append(f"unverified {q.unit} {sentence[q.start : q.end]}")
                return None
            if q.kind == "stock" and not self._stock_count_ok(raw, sentence, facts):
                result.dropped.append(f"wrong stock count {sentence[q.start : q.end]}")
                return None
            if q.kind == "bare" and raw not in facts.numbers and raw not in asked and raw > SMALL_COUNT:
                result.dropped.append(f"unverified number {sentence[q.start : q.end]}")
                return None
        if not self._stock_claims_hold(sentence, facts):
            result.dropped.append(f"wrong stock claim: {sentence.strip()}")
            return None
        if self.superlatives is not None:
            why = self.superlatives.false_claim(sentence, facts.products, facts.scope)
            if why:
                result.dropped.append(why)
                return None
        return sentence

    @staticmethod
    def _garbled_name(sentence: str, facts: Facts) -> str | None:
        """A product's Latin name cut or mangled at its start ("折叠式 Carbon Trekking Poles", "夜间jar 5°C
        Synthetic Sleeping Bag"): the tail of the name right after Chinese text, without the whole name."""
        for product in facts.products:
            if product.name in sentence:
                continue
            words = product.name.split()
            for size in range(len(words) - 1, NAME_TAIL_MIN_WORDS - 1, -1):
                tail = " ".join(words[-size:])
                at = sentence.find(tail)
                if at <= 0:
                    continue
                before = sentence[:at].rstrip().split(" ")[-1] if sentence[:at].strip() else ""
                if CJK_RE.search(before):
                    return f"{before} {tail}".strip()
        return None

    def _free_ok(self, sentence: str, facts: Facts) -> bool:
        at_zero = [product_text(p) for p in self._meant(sentence, facts) if p.price == 0]
        return free_supported(at_zero, [h.doc.text for h in facts.passages if h.doc.kind in POLICY_KINDS])

    def _stock_count_ok(self, count: float, sentence: str, facts: Facts) -> bool:
        counts = {float(p.stock) for p in self._meant(sentence, facts) if p.stock is not None}
        return count in counts or count in facts.stated_stock

    def _check_prices(self, sentence: str, facts: Facts, result: FactCheckResult) -> str | None:
        bad: list[tuple[Quantity, bool]] = []  # (quantity, amount is right but the currency is not)
        for q in quantities(sentence):
            if q.kind != "price":
                continue
            verdict = facts.price_ok(q.value, q.currencies)
            if verdict is not True:
                bad.append((q, verdict is None))
        if not bad:
            return sentence
        meant = [p for p in facts.products if self._mentions(sentence, p)]
        if len(meant) != 1 and len(facts.products) == 1:
            meant = list(facts.products)
        # A product without a listed price is never quoted one: its sentence is dropped, not repaired.
        if len(meant) == 1 and len(bad) == 1 and meant[0].price is not None:
            q, _ = bad[0]
            product = meant[0]
            price = meant[0].price
            code = currency_code(product.currency)
            if not q.currencies or code in q.currencies:
                start, end = q.number_start, q.number_end
                shown = f"{price:,.0f}" if price == int(price) else f"{price:,.2f}"
            else:  # the currency itself is wrong: restate the whole price
                start, end = q.start, q.end
                shown = money(price, code)
            result.repairs.append(f"price {sentence[q.start : q.end]} -> {shown} for {product.sku}")
            return sentence[:start] + shown + sentence[end:]
        result.dropped.append("unverified price " + ", ".join(sentence[q.start : q.end] for q, _ in bad))
        return None

    def _stock_claims_hold(self, sentence: str, facts: Facts) -> bool:
        meant = self._meant(sentence, facts)
        if not meant:
            return not OUT_OF_STOCK_RE.search(sentence)
        says_out = OUT_OF_STOCK_RE.search(sentence) is not None
        says_in = not says_out and IN_STOCK_RE.search(sentence) is not None
        if (says_out or says_in) and any(p.stock is None for p in meant):
            return False  # the catalog has no stock data for it: neither in nor out may be said
        if says_out and all(p.in_stock for p in meant):
            return False
        return not (says_in and all(p.sold_out for p in meant))
