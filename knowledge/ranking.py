"""Sorted and faceted catalog queries: the top products by price, rating or release date, and the counts
(categories, uses, brands, prices) of the products a filter admits.

Chroma has no ORDER BY or GROUP BY and both must see every matching row, so this runs over the live
release's in-memory columns (prices, stocks, reviews) behind the same hard-filter mask that search uses.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .models import AttributeValue, Product, Review
from .search import CatalogFacets, ProductQuery, RankedProducts

DATE_ATTRIBUTES_FILE = Path(__file__).resolve().parent / "data" / "date_attributes.json"
# "2024-05-01", "2024/5", "2024.05.01", "2024年5月1日", or a bare year.
_DATE = re.compile(r"((?:19|20)\d{2})(?:\s*[-/.年]\s*(\d{1,2}))?(?:\s*[-/.月]\s*(\d{1,2}))?")
# A date as one sortable number: yyyymmdd, with a missing month or day counted as zero.
_YEAR_SCALE = 10_000
_MONTH_SCALE = 100


@cache
def date_attribute_keys() -> tuple[str, ...]:
    data = json.loads(DATE_ATTRIBUTES_FILE.read_text(encoding="utf-8"))
    return tuple(str(k) for k in data["keys"])


def _normal_key(key: str) -> str:
    return re.sub(r"[\s-]+", "_", key.strip().lower())


def release_date(product: Product) -> tuple[float, str] | None:
    """(sortable yyyymmdd, the value as the catalog spells it) from the first date attribute, if any."""
    by_key = {_normal_key(k): v for k, v in product.attributes.items()}
    for key in date_attribute_keys():
        value: AttributeValue | None = by_key.get(key)
        if value is None or isinstance(value, bool):
            continue
        match = _DATE.search(str(value))
        if match:
            year, month, day = (int(g) if g else 0 for g in match.groups())
            return float(year * _YEAR_SCALE + month * _MONTH_SCALE + day), str(value)
    return None


def measure(product: Product, keys: Sequence[tuple[str, float]]) -> float | None:
    """The product's value of the first of ``keys`` it has, in the common unit the factors convert to."""
    for key, factor in keys:
        value = product.attributes.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value) * factor
    return None


def mean_rating(reviews: Sequence[Review]) -> tuple[float, int] | None:
    if not reviews:
        return None
    return sum(r.rating for r in reviews) / len(reviews), len(reviews)


def admitted_rows(
    order: Sequence[str], products: Mapping[str, Product], mask: npt.NDArray[np.bool_] | None, prefer_use: str | None
) -> npt.NDArray[np.intp]:
    """Row numbers the hard filters admit, narrowed to those made for ``prefer_use`` when there are any."""
    rows = np.flatnonzero(mask) if mask is not None else np.arange(len(order))
    if prefer_use:
        for_use = np.asarray([prefer_use in products[order[int(r)]].uses for r in rows], dtype=bool)
        if for_use.any():
            rows = rows[for_use]
    return rows


def facet_release(
    order: Sequence[str], products: Mapping[str, Product], mask: npt.NDArray[np.bool_] | None, query: ProductQuery
) -> CatalogFacets:
    """Counts over the admitted products, in the order ``Counter.most_common`` gives (ties by catalog order)."""
    admitted = [products[order[int(r)]] for r in admitted_rows(order, products, mask, query.prefer_use)]
    return CatalogFacets(
        total=len(admitted),
        categories=dict(Counter(p.category for p in admitted).most_common()),
        uses=dict(Counter(u for p in admitted for u in p.uses).most_common()),
        brands=dict(Counter(p.brand for p in admitted if p.brand).most_common()),
        prices=tuple(sorted(p.price for p in admitted if p.price is not None)),
        numeric_attributes=tuple(
            dict.fromkeys(
                k
                for p in admitted
                for k, v in p.attributes.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            )
        ),
    )


def rank_release(  # noqa: PLR0917 (the release's columns, passed apart so this module needs no store)
    order: Sequence[str],
    products: Mapping[str, Product],
    prices: npt.NDArray[np.float64],
    stocks: npt.NDArray[np.int64],
    reviews: Mapping[str, Sequence[Review]],
    mask: npt.NDArray[np.bool_] | None,
    query: ProductQuery,
) -> RankedProducts:
    """The top ``query.k`` of the rows ``mask`` admits, in ``query.sort`` order.

    Ties go to the product in stock, then (for ratings) to the one with more reviews, then catalog
    order. Rows without the sort field (no reviews, no date) come after every row that has it.
    """
    rows = admitted_rows(order, products, mask, query.prefer_use)
    skus = [order[int(row)] for row in rows]
    sort = query.sort or "price_asc"
    ratings: dict[str, tuple[float, int]] = {}
    dates: dict[str, str] = {}
    counts = np.zeros(len(rows), dtype=np.float64)
    if sort in ("price_asc", "price_desc"):
        primary = prices[rows] if sort == "price_asc" else -prices[rows]
    elif sort == "rating":
        primary = np.full(len(rows), math.inf)
        for i, sku in enumerate(skus):
            found = mean_rating(reviews.get(sku, ()))
            if found is not None:
                ratings[sku] = found
                primary[i], counts[i] = -found[0], -found[1]
    elif sort in ("measure_asc", "measure_desc"):
        primary = np.full(len(rows), math.inf)
        sign = 1.0 if sort == "measure_asc" else -1.0
        for i, sku in enumerate(skus):
            value = measure(products[sku], query.sort_keys)
            if value is not None:
                primary[i] = sign * value
    else:
        primary = np.full(len(rows), math.inf)
        for i, sku in enumerate(skus):
            dated = release_date(products[sku])
            if dated is not None:
                dates[sku] = dated[1]
                primary[i] = -dated[0]
    known = np.isfinite(primary)
    # np.lexsort sorts by the last key first.
    ranking = np.lexsort((rows, stocks[rows] <= 0, counts, primary))
    top = [skus[int(i)] for i in ranking[: max(1, int(query.k))]]
    leaders: frozenset[str] = frozenset()
    if known.any():
        best = primary[known].min()
        leaders = frozenset(skus[int(i)] for i in np.flatnonzero(known & (primary == best)))
    return RankedProducts(
        products=[products[s] for s in top],
        total=len(rows),
        leaders=leaders,
        sortable=bool(known.any()),
        ratings={s: ratings[s] for s in top if s in ratings},
        dates={s: dates[s] for s in top if s in dates},
    )
