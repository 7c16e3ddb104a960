"""A documented generator of realistic purchase histories, for the offline recommender evaluation.

No public e-commerce interaction data set installs from the package registries this project uses (the
ones on PyPI download their data at run time), so ``shopguide eval recommend`` generates one, seeded:

* **Catalog**: the categories of ``data/shopping_world.json``, 30 items each, with a brand and a price tier.
* **Shoppers** belong to a segment (runner, office, camper, gadget, coffee) that weights the categories they
  shop; each has a favourite brand (chosen 60% of the time) and a price tier (70%).
* **Seasonality**: a category is shopped up to twice as often in its peak month as six months away.
* **Sessions**: a shopper views 1-5 items of one category, carts some, buys one in 35% of sessions; 5% of
  purchases are returned.
* **Complements**: after buying a key item, a shopper buys a complement within 45 days with 40% chance each;
  a *matched* complement fits the model bought (a case for that phone: item i goes with item i).
* **Repeat buys**: consumables (coffee beans, gels, socks, fuel) are bought again every 20-60 days by 60%
  of their buyers, mostly the same item.

Numbers measured on it are on data we generated, and are reported as such.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..personal.profile import EventKind, ShopperEvent

WORLD = Path(__file__).resolve().parent / "data" / "shopping_world.json"
DAY = 86_400.0
START = 1_704_067_200.0  # 2024-01-01 UTC: a fixed calendar, so seasons fall in the same months every run
DAYS = 365
SESSIONS_PER_YEAR = (4, 20)  # per shopper, uniform
BUY_SHARE = 0.35
CART_SHARE = 0.5
RETURN_SHARE = 0.05
COMPLEMENT_SHARE = 0.4
COMPLEMENT_WITHIN_DAYS = 45
REPEAT_BUYERS = 0.6
REPEAT_EVERY_DAYS = (20, 60)
SAME_BRAND = 0.6
SAME_TIER = 0.7
TIERS = ("budget", "mid", "premium")


@dataclass(frozen=True)
class WorldItem:
    sku: str
    category: str
    brand: str
    tier: str
    slot: int  # position within its category: a matched complement of item i is item i of its category


@dataclass
class World:
    items: list[WorldItem]
    by_category: dict[str, list[WorldItem]]
    consumable: set[str]
    peak: dict[str, int]
    complements: dict[str, list[tuple[str, bool]]]
    segments: dict[str, tuple[float, dict[str, float]]]


def load_world() -> World:
    data: dict[str, Any] = json.loads(WORLD.read_text(encoding="utf-8"))
    brands: list[str] = data["brands"]
    n = int(data["items_per_category"])
    items: list[WorldItem] = []
    by_category: dict[str, list[WorldItem]] = {}
    for c_index, category in enumerate(data["categories"]):
        row = [
            WorldItem(f"GEN-{c_index:02d}-{i:03d}", category, brands[i % len(brands)], TIERS[(i // 2) % 3], i)
            for i in range(n)
        ]
        items += row
        by_category[category] = row
    return World(
        items=items,
        by_category=by_category,
        consumable={c for c, v in data["categories"].items() if v["consumable"]},
        peak={c: int(v["peak_month"]) for c, v in data["categories"].items()},
        complements={k: [(c, bool(m)) for c, m in v] for k, v in data["complements"].items()},
        segments={
            k: (float(v["share"]), {c: float(w) for c, w in v["interest"].items()}) for k, v in data["segments"].items()
        },
    )


def _season(world: World, category: str, day: float) -> float:
    month = (day / 30.4) % 12 + 1
    distance = min(abs(month - world.peak[category]), 12 - abs(month - world.peak[category]))
    return 1.0 + math.cos(math.pi * distance / 6) * 0.5 + 0.5 * (distance == 0)


def _pick_item(rng: random.Random, world: World, category: str, brand: str, tier: str) -> WorldItem:
    pool = world.by_category[category]
    if rng.random() < SAME_BRAND:
        pool = [i for i in pool if i.brand == brand] or pool
    if rng.random() < SAME_TIER:
        pool = [i for i in pool if i.tier == tier] or pool
    # Within what fits, a few items are bestsellers (a long tail, as in real shops).
    return rng.choices(pool, [1.0 / (1 + i.slot % 10) for i in pool])[0]


def generate_events(shoppers: int = 2000, seed: int = 7) -> tuple[World, list[ShopperEvent]]:
    """A year of views, carts, purchases and returns for ``shoppers`` shoppers, oldest first."""
    rng = random.Random(seed)
    world = load_world()
    names = list(world.segments)
    shares = [world.segments[s][0] for s in names]
    brands = sorted({i.brand for i in world.items})
    events: list[ShopperEvent] = []

    def add(shopper: str, item: WorldItem, kind: EventKind, day: float) -> None:
        events.append(ShopperEvent(shopper, item.sku, kind, START + day * DAY + rng.random() * 3600, "generated"))

    for n in range(shoppers):
        shopper = f"gen:{n:05d}"
        interest = world.segments[rng.choices(names, shares)[0]][1]
        brand, tier = rng.choice(brands), rng.choice(TIERS)
        for _ in range(rng.randint(*SESSIONS_PER_YEAR)):
            day = rng.uniform(0, DAYS)
            cats = list(interest)
            category = rng.choices(cats, [interest[c] * _season(world, c, day) for c in cats])[0]
            viewed = [_pick_item(rng, world, category, brand, tier) for _ in range(rng.randint(1, 5))]
            for item in viewed:
                add(shopper, item, "view", day)
            if rng.random() >= BUY_SHARE:
                if rng.random() < CART_SHARE:
                    add(shopper, viewed[0], "cart", day)
                continue
            bought = viewed[-1]
            add(shopper, bought, "cart", day)
            add(shopper, bought, "purchase", day)
            if rng.random() < RETURN_SHARE:
                add(shopper, bought, "return", day + rng.uniform(2, 14))
                continue
            for comp, matched in world.complements.get(category, []):
                if rng.random() < COMPLEMENT_SHARE:
                    later = day + rng.uniform(1, COMPLEMENT_WITHIN_DAYS)
                    item = (
                        world.by_category[comp][bought.slot] if matched else _pick_item(rng, world, comp, brand, tier)
                    )
                    add(shopper, item, "view", later)
                    add(shopper, item, "purchase", later)
            if category in world.consumable and rng.random() < REPEAT_BUYERS:
                again = day
                while (again := again + rng.uniform(*REPEAT_EVERY_DAYS)) < DAYS:
                    add(
                        shopper,
                        bought if rng.random() < 0.8 else _pick_item(rng, world, category, brand, tier),
                        "purchase",
                        again,
                    )
    events.sort(key=lambda e: e.at)
    return world, [e for e in events if e.at < START + DAYS * DAY]
