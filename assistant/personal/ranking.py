"""Ranks the guide's candidates for one shopper: what they said they dislike never shows, what they just
bought is not offered again (unless shoppers rebuy it), and the rest is ordered by fit.

Fit blends the retrieval order (the conversation's slots and the catalog filters already chose the pool),
the recommender's affinity to the shopper's history, popularity (alone, for a shopper without history:
the cold start), and stated likes. The weights are plain and few on purpose; see the README's figures.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.models import Product

from ..types import Language
from .profile import ShopperEvent, ShopperProfile
from .recommender import RecommenderModel

REPLIES = Path(__file__).resolve().parent / "data" / "replies.json"
RETRIEVAL_WEIGHT = 1.0
AFFINITY_WEIGHT = 1.5
POPULARITY_WEIGHT = 0.5  # doubled for a shopper without history: then popularity is all we know
LIKED_BRAND_BONUS = 1.0
LIKED_COLOUR_BONUS = 0.5
JUST_BOUGHT_DAYS = 180.0  # a durable item bought within this many days is not recommended again
PASSED_DAYS = 30.0  # an item the shopper passed on ("something else", 👎) stays out this long
SECONDS_PER_DAY = 86_400.0


@cache
def replies() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REPLIES.read_text(encoding="utf-8"))
    return data


def reply(key: str, language: Language, **values: object) -> str:
    template: str = replies()[key][language]
    return template.format(**values)


def month_name(at: float, language: Language) -> str:
    months: list[str] = replies()["months"][language]
    return months[datetime.fromtimestamp(at).month - 1]


@dataclass
class PersonalRanking:
    """The guide's ``CandidateRanker`` for one shopper and one turn."""

    profile: ShopperProfile
    history: Sequence[ShopperEvent]
    model: RecommenderModel | None
    catalog: Mapping[str, Product] = field(default_factory=dict)  # the live catalog by SKU
    now: float = field(default_factory=time.time)
    _reasons: dict[str, str] = field(default_factory=dict)

    def allows(self, product: Product) -> bool:
        if self.profile.dislikes("brand", product.brand):
            return False
        colour = product.attributes.get("color", product.attributes.get("colour"))
        if isinstance(colour, str) and self.profile.dislikes("colour", colour):
            return False
        passed = {
            p.value
            for p in self.profile.preferences
            if p.kind == "sku" and not p.liked and self.now - p.at < PASSED_DAYS * SECONDS_PER_DAY
        }
        if product.sku in passed:
            return False
        return not self._just_bought(product.sku) or self._repeatable(product.sku)

    def _just_bought(self, sku: str) -> bool:
        return any(
            e.sku == sku and e.kind in ("purchase", "return") and self.now - e.at < JUST_BOUGHT_DAYS * SECONDS_PER_DAY
            for e in self.history
        )

    def _repeatable(self, sku: str) -> bool:
        return self.model is not None and self.model.repeatable(sku)

    def favourites(self, limit: int) -> list[Product]:
        """Live products the recommender puts closest to this shopper's history: the guide adds those the
        catalog filters admit to its pool, since text search alone may not rank them."""
        if self.model is None or not self.history:
            return []
        skus = self.model.favourites(self.history, self.now, limit)
        return [self.catalog[s] for s in skus if s in self.catalog]

    def rank(self, products: Sequence[Product], language: Language) -> list[Product]:
        kept = [p for p in products if self.allows(p)]
        if len(kept) < 2:
            return kept
        n = len(kept)
        skus = [p.sku for p in kept]
        score = np.array([RETRIEVAL_WEIGHT * (1.0 - i / n) for i in range(n)], dtype=np.float32)
        best: list[str | None] = [None] * n
        if self.model is not None:
            affinity, best = self.model.affinity(self.history, skus, self.now)
            if affinity.max() > 0:
                score += AFFINITY_WEIGHT * affinity / affinity.max()
            popularity = self.model.popularity_of(skus)
            if popularity.max() > 0:
                weight = POPULARITY_WEIGHT if self.history else 2 * POPULARITY_WEIGHT
                score += weight * np.log1p(popularity) / np.log1p(popularity.max())
        for i, product in enumerate(kept):
            if product.brand and self.profile.likes("brand", product.brand):
                score[i] += LIKED_BRAND_BONUS
                self._reasons.setdefault(product.sku, reply("liked_brand", language))
            colour = product.attributes.get("color")
            if isinstance(colour, str) and self.profile.likes("colour", colour):
                score[i] += LIKED_COLOUR_BONUS
            self._explain(product.sku, best[i], language)
        order = sorted(range(n), key=lambda i: -float(score[i]))
        return [kept[i] for i in order]

    def _explain(self, sku: str, source: str | None, language: Language) -> None:
        bought = [e for e in self.history if e.sku == sku and e.kind == "purchase"]
        if bought and self._repeatable(sku):
            self._reasons[sku] = reply("buy_again", language, month=month_name(bought[0].at, language))
            return
        if source is None or source == sku:
            return
        purchase = next((e for e in self.history if e.sku == source and e.kind == "purchase"), None)
        item = self.catalog.get(source)
        if purchase is not None and item is not None:
            name = item.display_name(language)
            self._reasons.setdefault(
                sku, reply("goes_with", language, name=name, month=month_name(purchase.at, language))
            )

    def reason(self, product: Product) -> str:
        """Why this shopper gets this item ("goes with the running shoes you bought in May"), or ''."""
        return self._reasons.get(product.sku, "")
