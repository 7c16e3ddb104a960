"""Words of a superlative answer: "Cheapest tents in stock: <name>, ¥499." and the per-item rating or date line."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from knowledge.models import Product
from knowledge.search import RankedProducts, SortOrder

from .conversation import Slots
from .quantities import attribute_unit
from .render import attribute_text, money, price_text
from .superlatives import default_lexicon, names_basis
from .texts import text
from .types import Language

CategoryLabel = Callable[[str, Language], str]  # the catalog vocabulary's display label of a category


def category_name(category: str, language: Language, label: CategoryLabel | None = None) -> str:
    name = label(category, language) if label else category.replace("_", " ")
    return name if language == "zh" else name.lower()


def scope_words(slots: Slots, language: Language, label: CategoryLabel | None = None) -> str:
    """The set the superlative is taken over: "tents in stock under ¥500" / "¥500以内有现货的帐篷中"."""
    low, high = slots.price_min, slots.price_max
    if language == "zh":
        budget = ""
        if low is not None and high is not None:
            budget = f"{money(low)}–{money(high)}"
        elif high is not None:
            budget = f"{money(high)}以内"
        elif low is not None:
            budget = f"{money(low)}以上"
        kind = category_name(slots.category, language, label) if slots.category else "商品"
        stock = "有现货的" if slots.in_stock_only else ""
        if not (budget or stock or slots.category):
            return "全店"
        return f"{budget}{stock}{kind}中"
    words = [category_name(slots.category, language, label) if slots.category else "item"]
    if slots.in_stock_only:
        words.append("in stock")
    if low is not None and high is not None:
        words.append(f"from {money(low)} to {money(high)}")
    elif high is not None:
        words.append(f"under {money(high)}")
    elif low is not None:
        words.append(f"over {money(low)}")
    return " ".join(words)


def _stars(value: float) -> str:
    return f"{value:.1f}"


def headline(  # noqa: PLR0917 (one call site, in the guide)
    sort: SortOrder,
    picks: Sequence[Product],
    ranked: RankedProducts,
    slots: Slots,
    language: Language,
    label: CategoryLabel | None = None,
) -> str:
    """The first line of the answer: the top item, its price and what makes it the top one."""
    top = picks[0]
    values = {
        "what": scope_words(slots, language, label),
        "name": top.display_name(language),
        "price": price_text(top.price, top.currency, language),
    }
    if sort == "rating":
        stars, count = ranked.ratings[top.sku]
        values |= {"stars": _stars(stars), "count": str(count)}
    elif sort == "newest":
        values["date"] = ranked.dates[top.sku]
    if sort in ("measure_asc", "measure_desc") and slots.sort_measure:
        shown = _measure(top, slots.sort_measure, language)
        direction = "asc" if sort == "measure_asc" else "desc"
        word = text(f"sup_{slots.sort_measure}_{direction}", language)
        line = text("top_measure", language, word=word, value=shown[1] if shown else "", **values)
    else:
        line = text(f"top_{sort}", language, **values)
    if top.sold_out:
        others = [p for p in picks[1:] if p.in_stock]
        if others:
            line += text(
                "top_out_of_stock",
                language,
                name=others[0].display_name(language),
                price=price_text(others[0].price, others[0].currency, language),
            )
        else:
            line += text("top_none_in_stock", language)
    return line


def order_reason(
    sort: SortOrder, product: Product, ranked: RankedProducts, language: Language, basis: str | None = None
) -> str:
    """What places an item in the order, when it is not the price already on its line."""
    if sort in ("measure_asc", "measure_desc") and basis:
        shown = _measure(product, basis, language)
        return shown[1] if shown else ""
    if sort == "rating" and product.sku in ranked.ratings:
        stars, count = ranked.ratings[product.sku]
        return text("rating_reason", language, stars=_stars(stars), count=str(count))
    if sort == "newest" and product.sku in ranked.dates:
        return text("date_reason", language, date=ranked.dates[product.sku])
    return ""


def verdict(
    product: Product, ranked: RankedProducts, scope: Slots, language: Language, label: CategoryLabel | None = None
) -> str:
    """Yes or no to "is <product> the <order> one?", from a sorted query over ``scope`` (its category)."""
    assert scope.sort is not None
    # The category's name alone reads better here than "…中" (zh) or "item" (en): it is always known.
    what = scope_words(scope, language, label).removesuffix("中")
    if not ranked.sortable and scope.sort in ("rating", "newest"):
        return text(f"is_top_unknown_{scope.sort}", language, what=what)
    values = {
        "what": what,
        "order": text(f"order_{scope.sort}", language),
        "name": product.display_name(language),
        "price": price_text(product.price, product.currency, language),
    }
    if product.sku in ranked.leaders:
        return text("is_top_yes", language, **values)
    top = ranked.products[0]
    return text(
        "is_top_no",
        language,
        top=top.display_name(language),
        top_price=price_text(top.price, top.currency, language),
        **values,
    )


def _measure(product: Product, basis: str, language: Language) -> tuple[float, str] | None:
    """(value in the basis's base unit, the value as shown) for price or the first attribute of that unit class."""
    if basis == "price":
        return None if product.price is None else (product.price, money(product.price, product.currency))
    # An attribute named for the basis first: "weight_kg", not "max_load_kg", says how light a chair is.
    ordered = sorted(product.attributes.items(), key=lambda item: not names_basis(item[0], basis))
    for key, value in ordered:
        unit = attribute_unit(key)
        if unit is not None and unit[0] == basis and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value) * unit[1], attribute_text(key, value, language) or f"{value}"
    return None


def comparison_answer(question: str, first: Product, second: Product, language: Language) -> str | None:
    """ "Which is cheaper / lighter, A or B?" answered from the two products' own facts; None when the
    question compares on nothing we can read or a product lacks that fact."""
    asked = default_lexicon().comparison(question)
    if asked is None:
        return None
    basis, direction = asked
    a, b = _measure(first, basis, language), _measure(second, basis, language)
    if a is None or b is None:
        return None
    if a[0] == b[0]:
        return text("compare_same", language, value=a[1])
    first_wins = (a[0] < b[0]) == (direction == "asc")
    (winner, won), lost = (first, a), b
    if not first_wins:
        (winner, won), lost = (second, b), a
    return text(
        "compare_winner",
        language,
        name=winner.display_name(language),
        word=text(f"cmp_{basis}_{direction}", language),
        winner=won[1],
        other=lost[1],
    )
