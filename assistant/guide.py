"""Guided shopping (智能导购): narrow a broad need with the one most useful question, then recommend.

The question asked is the catalog facet whose answer splits the current matches most evenly (highest
entropy), and its quick replies are built from facet values that really exist among the matches.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from knowledge.models import Product

from .conversation import Slots
from .ports import CatalogFacets, ProductQuery, Retriever
from .render import money, reason_line
from .superlative_answer import headline, order_reason, verdict
from .superlatives import measure_sort_keys
from .texts import text as fixed_text
from .types import Choice, Language
from .understanding import USE_LABELS

BROAD_MATCH_THRESHOLD = 6  # more matches than this and we ask before recommending
MAX_CLARIFY_QUESTIONS = 2  # never interrogate: after two questions, recommend
MAX_RECOMMENDATIONS = 3
MAX_CHOICES = 6
PRICE_BANDS = 3
RETRIEVAL_POOL = 24  # dense candidates ranked within the filtered set
NICE_STEPS = (50, 100, 500, 1000)

Facet = Literal["category", "budget", "use", "brand"]
CategoryLabel = Callable[[str, Language], str]  # a category's display label in a language
# "top": a superlative answered straight from the catalog (the cheapest, the best rated...), no model needed.
DecisionKind = Literal["clarify", "recommend", "no_match", "not_carried", "top"]


@dataclass
class GuideDecision:
    kind: DecisionKind
    products: list[Product] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    question: str = ""
    facet: Facet | None = None
    choices: list[Choice] = field(default_factory=list)
    match_count: int = 0
    relaxed: bool = False
    headline: str = ""  # first line of a "top" answer: the top item and its price


def _entropy(counts: Sequence[int]) -> float:
    total = sum(counts)
    if total == 0:
        return 0.0
    return -sum((c / total) * math.log2(c / total) for c in counts if c)


def _nice(value: float) -> int:
    """Round a band edge to a number people say (e.g. 437 -> 450, 2870 -> 3000)."""
    step = next((s for s in reversed(NICE_STEPS) if value >= s * 4), NICE_STEPS[0])
    return int(round(value / step) * step) or step


def price_bands(prices: Sequence[float]) -> list[tuple[float | None, float | None]]:
    """Up to three bands with edges at rounded terciles of the real prices."""
    ordered = sorted(prices)
    if len(ordered) < PRICE_BANDS:
        return []
    edges = sorted({_nice(ordered[len(ordered) * i // PRICE_BANDS]) for i in range(1, PRICE_BANDS)})
    bands: list[tuple[float | None, float | None]] = []
    low: float | None = None
    for edge in edges:
        bands.append((low, float(edge)))
        low = float(edge)
    bands.append((low, None))
    return [b for b in bands if any(_in_band(p, b) for p in ordered)]


def _in_band(price: float, band: tuple[float | None, float | None]) -> bool:
    low, high = band
    return (low is None or price > low) and (high is None or price <= high)


def band_choice(band: tuple[float | None, float | None], count: int, language: Language) -> Choice:
    low, high = band
    if low is None and high is not None:
        label = f"{money(high)}以内" if language == "zh" else f"Under {money(high)}"
        value = f"{int(high)}元以内" if language == "zh" else f"under {int(high)}"
    elif high is None and low is not None:
        label = f"{money(low)}以上" if language == "zh" else f"Over {money(low)}"
        value = f"{int(low)}元以上" if language == "zh" else f"over {int(low)}"
    else:
        label = f"{money(low or 0)}–{money(high or 0)}"
        value = (
            f"{int(low or 0)}-{int(high or 0)}元"
            if language == "zh"
            else f"between {int(low or 0)} and {int(high or 0)}"
        )
    return Choice(label=f"{label} ({count})", value=value)


class CandidateRanker(Protocol):
    """Orders candidates for one shopper (``assistant.personal``): the guide itself stays shopper-agnostic."""

    def allows(self, product: Product) -> bool: ...

    def rank(self, products: Sequence[Product], language: Language) -> list[Product]: ...

    def reason(self, product: Product) -> str: ...

    def favourites(self, limit: int) -> list[Product]: ...


class ShoppingGuide:
    """Decides between asking and recommending, over the live catalog."""

    def __init__(self, retriever: Retriever, label: CategoryLabel | None = None) -> None:
        self.retriever = retriever
        self.label: CategoryLabel = label or _plain_label

    def decide(
        self,
        slots: Slots,
        text: str,
        language: Language,
        *,
        clarify_count: int,
        just_recommend: bool,
        ranker: CandidateRanker | None = None,
    ) -> GuideDecision:
        decision = self._decide(
            slots, text, language, clarify_count=clarify_count, just_recommend=just_recommend, ranker=ranker
        )
        if ranker is not None and decision.kind != "recommend":
            # What the shopper said they dislike is never shown, whatever the kind of answer.
            decision.products = [p for p in decision.products if ranker.allows(p)]
        return decision

    def _decide(
        self,
        slots: Slots,
        text: str,
        language: Language,
        *,
        clarify_count: int,
        just_recommend: bool,
        ranker: CandidateRanker | None,
    ) -> GuideDecision:
        if slots.sort is not None:
            # "The cheapest tent": specific enough to answer at once, whatever else is still open.
            return self._top(slots, text, language)
        # The store filters and counts (a use narrows only when some match is made for it).
        query = slots.to_query(text, language, k=RETRIEVAL_POOL)
        facets = self.retriever.facets(query)
        if facets.total == 0:
            return self._no_match(slots, language)
        # A kind and a budget are two answers already: show what fits rather than ask a third thing.
        specific = bool(slots.category and slots.has_budget)
        if (
            facets.total > BROAD_MATCH_THRESHOLD
            and clarify_count < MAX_CLARIFY_QUESTIONS
            and not just_recommend
            and not specific
        ):
            question = self._best_question(slots, facets, language)
            if question is not None:
                return question
        return self._recommend(slots, language, query, facets, ranker)

    # ---- asking ---------------------------------------------------------------------------
    def _best_question(self, slots: Slots, facets: CatalogFacets, language: Language) -> GuideDecision | None:
        candidates: list[tuple[float, Facet, list[Choice]]] = []
        if not slots.category:
            counts = Counter(facets.categories)
            options = [_category_choice(self.label(c, language), n) for c, n in counts.most_common(MAX_CHOICES)]
            candidates.append((_entropy(list(counts.values())), "category", options))
        if not slots.has_budget:
            bands = price_bands(facets.prices)
            band_counts = [sum(1 for price in facets.prices if _in_band(price, b)) for b in bands]
            options = [band_choice(b, n, language) for b, n in zip(bands, band_counts, strict=True)]
            candidates.append((_entropy(band_counts), "budget", options))
        if not slots.use:
            use_counts = Counter(facets.uses)
            options = [_use_choice(u, n, language) for u, n in use_counts.most_common(MAX_CHOICES)]
            # Uses overlap (one item serves several), so discount their split a little against disjoint facets.
            candidates.append((_entropy(list(use_counts.values())) * 0.8, "use", options))
        viable = [c for c in candidates if len(c[2]) >= 2]
        if not viable:
            return None
        # Category first when unknown: price bands across categories mean little.
        viable.sort(key=lambda c: (c[1] == "category", c[0]), reverse=True)
        _, facet, options = viable[0]
        return GuideDecision(
            kind="clarify",
            facet=facet,
            question=_QUESTIONS[facet][language].format(n=facets.total),
            choices=options[:MAX_CHOICES],
            match_count=facets.total,
        )

    # ---- recommending ---------------------------------------------------------------------
    def _recommend(
        self,
        slots: Slots,
        language: Language,
        query: ProductQuery,
        facets: CatalogFacets,
        ranker: CandidateRanker | None = None,
    ) -> GuideDecision:
        # The facets were narrowed to items made for the use when there are any: so are the picks.
        use = slots.use if slots.use and facets.uses.get(slots.use, 0) else None
        # One call: the store ranks by relevance within the filters and that use, and tops the list up with
        # the cheapest matches when fewer than three are in stock.
        ranked = list(self.retriever.match(replace(query, min_in_stock=MAX_RECOMMENDATIONS)).products)
        if ranker is not None:
            # The shopper's recommender favourites join the pool when the need's filters admit them.
            seen = {p.sku for p in ranked}
            ranked += [
                p
                for p in ranker.favourites(RETRIEVAL_POOL)
                if p.sku not in seen and query.admits(p) and (use is None or use in p.uses)
            ]
            ranked = ranker.rank(ranked, language)
        # In-stock items first; among them the retrieval (or the shopper's) order stands (stable sort).
        ranked.sort(key=lambda p: not p.in_stock)
        picks = ranked[:MAX_RECOMMENDATIONS]
        reasons = {p.sku: reason_line(p, language, slots.attributes, slots.use) for p in picks}
        if ranker is not None:
            reasons = {p.sku: " · ".join(r for r in (ranker.reason(p), reasons[p.sku]) if r) for p in picks}
        return GuideDecision(kind="recommend", products=picks, reasons=reasons, match_count=facets.total)

    def _top(self, slots: Slots, text: str, language: Language) -> GuideDecision:
        """The top items in the asked order; the store filters and sorts, the guide only words it."""
        assert slots.sort is not None
        query = slots.to_query(text, language, k=MAX_RECOMMENDATIONS)
        if slots.sort_measure:
            # "The lightest": the catalog's attributes whose names carry that kind of unit, in one common unit.
            keys = self.retriever.facets(replace(query, sort=None)).numeric_attributes
            query = replace(query, sort_keys=measure_sort_keys(keys, slots.sort_measure))
        ranked = self.retriever.match(query)
        if ranked.total == 0:
            return self._no_match(slots, language)
        if not ranked.sortable:
            # No ratings or dates to order by: say so and show good matches instead of guessing.
            hits = list(self.retriever.match(replace(query, sort=None, prefer_use=None)).products)
            hits.sort(key=lambda p: not p.in_stock)
            picks = hits[:MAX_RECOMMENDATIONS]
            if slots.sort_measure:
                basis = fixed_text(f"basis_{slots.sort_measure}", language)
                note = fixed_text("no_measure", language, basis=basis)
            else:
                note = fixed_text("no_ratings" if slots.sort == "rating" else "no_dates", language)
            return GuideDecision(
                kind="top",
                products=picks,
                reasons={p.sku: reason_line(p, language, slots.attributes, slots.use) for p in picks},
                match_count=ranked.total,
                headline=note,
            )
        picks = list(ranked.products)
        if not picks[0].in_stock and not slots.in_stock_only:
            # The top item overall is sold out: also show the top ones the shopper can buy today.
            in_stock = self.retriever.match(replace(query, in_stock_only=True, k=MAX_RECOMMENDATIONS - 1))
            use = slots.use if slots.use in picks[0].uses else None  # the use narrowed the first query
            buyable = [p for p in in_stock.products if use is None or use in p.uses]
            if buyable:
                picks = [picks[0], *buyable]
                ranked = replace(ranked, ratings=ranked.ratings | in_stock.ratings, dates=ranked.dates | in_stock.dates)
        reasons = {}
        for product in picks:
            parts = [order_reason(slots.sort, product, ranked, language, slots.sort_measure)]
            parts += reason_line(product, language, slots.attributes, slots.use).split(" · ")
            reasons[product.sku] = " · ".join(dict.fromkeys(p for p in parts if p))  # a weight is said once
        return GuideDecision(
            kind="top",
            products=picks,
            reasons=reasons,
            match_count=ranked.total,
            headline=headline(slots.sort, picks, ranked, slots, language, self.label),
        )

    def is_top(self, product: Product, slots: Slots, language: Language) -> GuideDecision:
        """ "Is X the cheapest?": yes or no among X's category (budget and stock as asked), and the top item."""
        assert slots.sort is not None
        scope = replace(slots.scope(), category=product.category)
        ranked = self.retriever.match(scope.to_query(k=1))
        picks = [product]
        if product.sku not in ranked.leaders and ranked.products:
            picks.append(ranked.products[0])
        return GuideDecision(
            kind="top",
            products=picks,
            reasons={p.sku: order_reason(slots.sort, p, ranked, language) for p in picks},
            match_count=ranked.total,
            headline=verdict(product, ranked, scope, language, self.label),
        )

    def _no_match(self, slots: Slots, language: Language) -> GuideDecision:
        """Nothing fits every constraint: say so, and show the nearest real items (budget relaxed)."""
        relaxed = Slots(category=slots.category, brand=slots.brand, attributes=dict(slots.attributes))
        target = slots.price_max if slots.price_max is not None else (slots.price_min or 0.0)
        picks = self._nearest(relaxed.to_query(), target)
        if not picks and slots.category:
            picks = self._nearest(Slots(category=slots.category).to_query(), target)
        return GuideDecision(
            kind="no_match",
            products=picks,
            reasons={p.sku: reason_line(p, language, slots.attributes, slots.use) for p in picks},
            relaxed=bool(picks),
        )

    def _nearest(self, query: ProductQuery, target: float) -> list[Product]:
        """The items priced closest to ``target``, those in stock first: the store's two sorted queries
        (the dearest at or below it, the cheapest at or above it) hold the nearest ones on each side."""
        picks: list[Product] = []
        for in_stock in (True, False):
            near: dict[str, Product] = {}
            for side in (
                replace(query, in_stock_only=in_stock, price_max=target, sort="price_desc", k=MAX_RECOMMENDATIONS),
                replace(query, in_stock_only=in_stock, price_min=target, sort="price_asc", k=MAX_RECOMMENDATIONS),
            ):
                near.update((p.sku, p) for p in self.retriever.match(side).products)
            taken = {p.sku for p in picks}
            picks += sorted((p for p in near.values() if p.sku not in taken), key=lambda p: _distance(p.price, target))
        return picks[:MAX_RECOMMENDATIONS]


def _category_choice(label: str, count: int) -> Choice:
    return Choice(label=f"{label} ({count})", value=label)


def _plain_label(category: str, language: Language) -> str:
    return category.replace("_", " ").capitalize()


def _use_choice(use: str, count: int, language: Language) -> Choice:
    en, zh = USE_LABELS.get(use, (use, use))
    label = zh if language == "zh" else en
    phrase = en.lower() if en.lower().startswith(("for ", "a ")) else "for " + en.lower()
    return Choice(label=f"{label} ({count})", value=zh if language == "zh" else phrase)


_QUESTIONS: dict[Facet, dict[Language, str]] = {
    "category": {"en": "Happy to help! What are you shopping for?", "zh": "很乐意帮您挑选！您想买哪一类商品？"},
    "budget": {
        "en": "I found {n} good matches. What's your budget?",
        "zh": "有{n}款符合条件，您的预算大概是多少？",
    },
    "use": {
        "en": "{n} items fit so far. What will you mainly use it for?",
        "zh": "目前有{n}款合适，主要用在什么场景呢？",
    },
    "brand": {"en": "Any brand you prefer?", "zh": "有偏好的品牌吗？"},
}


def _distance(price: float | None, target: float) -> float:
    """How far a price is from the budget; a product without a listed price sorts last."""
    return math.inf if price is None else abs(price - target)
