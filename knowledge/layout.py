"""How a release's products are spread over Chroma collections (shards), and which shards a query reads.

Stock state picks the collections; for large catalogs a price range picks equal-count price bands, and
only the bands cut by the range carry the price condition in their ``where`` (see ``knowledge.store``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .filters import ProductFilter, collection_tag, where_clause
from .models import Product

COLLECTION_PREFIX = "sg-"
# Band size: the price condition on the band a range cuts costs ~4-7 us per matching row (measured),
# so ~2,000 rows keep it near 5 ms; an unfiltered query of any one collection costs ~1.1 ms.
SHARD_TARGET = 2000
# Bands are also stored in groups of this many, so a wide price range is a few group queries, not 30+
# band queries. Costs one more copy of each product, only for catalogs of more than 8 bands.
BAND_GROUP = 8
StockState = Literal["in", "out"]
STOCK_STATES: tuple[StockState, ...] = ("in", "out")


def stock_state(product: Product) -> StockState:
    return "in" if product.in_stock else "out"  # unknown stock is not "in": in-stock-only skips it


@dataclass(frozen=True)
class Shard:
    """One Chroma collection of a release: a stock state and a price interval ``(low, high]``."""

    name: str
    state: StockState
    low: float | None  # exclusive; None = unbounded
    high: float | None  # inclusive; None = unbounded
    whole: bool  # holds every product of its stock state
    bands: tuple[int, ...] = ()  # price bands it holds: one for a band, a run of them for a group


def price_bounds(products: Sequence[Product], target: int) -> dict[str, list[float]]:
    """Upper price bound of each equal-count band, per stock state (none when one collection suffices)."""
    bands: dict[str, list[float]] = {}
    for state in STOCK_STATES:
        prices = sorted(p.price for p in products if stock_state(p) == state and p.price is not None)
        if len(prices) <= target:
            bands[state] = []
            continue
        n_bands = -(-len(prices) // target)
        bands[state] = sorted({prices[(i * len(prices)) // n_bands - 1] for i in range(1, n_bands)})
    return bands


def plan_layout(release_id: str, bounds_by_state: dict[str, list[float]], group: int) -> list[Shard]:
    """Collections of a release: per stock state the whole set, its price bands and groups of bands."""
    layout: list[Shard] = []
    for state in STOCK_STATES:
        bounds = bounds_by_state.get(state, [])
        base = f"{COLLECTION_PREFIX}{release_id}-{state}"
        layout.append(Shard(base + "-all" if bounds else base, state, None, None, True))
        if not bounds:
            continue
        edges: list[float | None] = [None, *bounds, None]
        count = len(edges) - 1
        for i in range(count):
            layout.append(Shard(f"{base}-b{i:02d}", state, edges[i], edges[i + 1], False, (i,)))
        if group and count > group:
            for g, first in enumerate(range(0, count, group)):
                last = min(count, first + group) - 1
                members = tuple(range(first, last + 1))
                layout.append(Shard(f"{base}-g{g:02d}", state, edges[first], edges[last + 1], False, members))
    return layout


def shards_for(layout: list[Shard], product: Product) -> list[str]:
    state = stock_state(product)
    names = []
    for shard in layout:
        if shard.state != state:
            continue
        price = product.price
        if shard.whole or (
            price is not None
            and (shard.low is None or price > shard.low)
            and (shard.high is None or price <= shard.high)
        ):
            names.append(shard.name)  # a product without a price lives in its state's whole shard only
    return names


def query_plan(
    layout: Sequence[Shard], state: StockState, flt: ProductFilter
) -> list[tuple[Shard, dict[str, Any] | None]]:
    """Which collections of one stock state to query, each with its ``where``."""
    shards = [s for s in layout if s.state == state]
    lo, hi = flt.price_min, flt.price_max
    bands = [s for s in shards if not s.whole]
    if not bands or (lo is None and hi is None):
        whole = next(s for s in shards if s.whole)
        conditions = flt.conditions(price=not bands, stock=False, tag=collection_tag(whole.name))
        return [(whole, where_clause(conditions))]
    covered: dict[int, bool] = {}  # band index -> wholly inside the range
    cuts: dict[int, ProductFilter] = {}  # band index -> the bounds of the range that cut it
    for shard in bands:
        if len(shard.bands) != 1:
            continue
        if hi is not None and shard.low is not None and shard.low >= hi:
            continue
        if lo is not None and shard.high is not None and shard.high < lo:
            continue
        inside_low = lo is None or (shard.low is not None and shard.low >= lo)
        inside_high = hi is None or (shard.high is not None and shard.high <= hi)
        covered[shard.bands[0]] = inside_low and inside_high
        # Only the bound that cuts the band goes into its where: each condition is a separate scan.
        cuts[shard.bands[0]] = ProductFilter(
            price_min=None if inside_low else lo, price_max=None if inside_high else hi
        )
    chosen: list[Shard] = []
    for shard in bands:  # a group whose bands are all wholly inside replaces them
        if len(shard.bands) > 1 and all(covered.get(b) for b in shard.bands):
            chosen.append(shard)
            for b in shard.bands:
                covered.pop(b)
    chosen += [s for s in bands if len(s.bands) == 1 and s.bands[0] in covered]
    plan: list[tuple[Shard, dict[str, Any] | None]] = []
    for shard in chosen:
        # A collection wholly inside the range needs no price condition: every row in it qualifies.
        tag = collection_tag(shard.name)
        conditions = flt.conditions(price=False, stock=False, tag=tag)
        if len(shard.bands) == 1 and not covered[shard.bands[0]]:
            conditions += cuts[shard.bands[0]].conditions(tag=tag)
        plan.append((shard, where_clause(conditions)))
    return plan


def release_of(collection_name: str) -> str | None:
    if not collection_name.startswith(COLLECTION_PREFIX):
        return None
    match = re.match(
        r"(\d{8}-\d{6}-[0-9a-f]{6}|[A-Za-z0-9_.]+?)-(?:in|out|docs|passages)", collection_name[len(COLLECTION_PREFIX) :]
    )
    return match.group(1) if match else None


def passages_collection(release_id: str) -> str:
    """The collection that holds a release's product passages (``knowledge.passages``)."""
    return f"{COLLECTION_PREFIX}{release_id}-passages"


def docs_collection(release_id: str) -> str:
    """The collection that holds a release's shop documents."""
    return f"{COLLECTION_PREFIX}{release_id}-docs"
