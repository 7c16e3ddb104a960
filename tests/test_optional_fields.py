"""Price, stock and category are optional in every catalog format; a product without a price is never quoted
one and a product without stock data is never said to be in or out of stock (a content-only shop)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.factcheck import FactChecker
from assistant.pipeline import card
from assistant.render import compare_answer, fact_line, list_answer, spec_answer
from assistant.types import ProductCard
from bots.slack.blocks import card_blocks
from bots.telegram.render import CallbackTexts, card_caption, card_keyboard
from knowledge.loaders import load_paths
from knowledge.models import Product
from knowledge.store import ProductFilter


@pytest.fixture
def loaded_products(tmp_path: Path) -> dict[str, Product]:
    rows = [
        {"sku": "TEA-1", "name": "Longjing Green Tea 250g", "category": "tea"},  # no price, no stock
        {"sku": "TEA-2", "name": "Pu'er Cake 357g", "price": None, "stock": None},  # null = not listed
        {"sku": "TEA-3", "name": "Jasmine Pearls 100g", "category": "tea", "price": 88, "stock": 5},
    ]
    (tmp_path / "products.jsonl").write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    (tmp_path / "shopify.csv").write_text(
        "Handle,Title,Vendor,Type,Variant SKU,Variant Price\nkettle,Clay Kettle,Yixing,Teaware,TW-1,\n", "utf-8"
    )
    (tmp_path / "own.csv").write_text("sku,name,category,price,stock\nCUP-1,Tasting Cup,teaware,,\n", "utf-8")
    loaded = load_paths([tmp_path])
    assert loaded.problems == []
    assert any("price, stock empty in every row" in n for n in loaded.notices)
    return {p.sku: p for p in loaded.products}


def test_every_format_loads_products_without_price_stock_or_category(loaded_products: dict[str, Product]) -> None:
    assert (loaded_products["TEA-1"].price, loaded_products["TEA-1"].stock) == (None, None)
    assert loaded_products["TEA-2"].category == ""
    assert (loaded_products["TW-1"].price, loaded_products["TW-1"].stock) == (None, None)
    assert (loaded_products["CUP-1"].price, loaded_products["CUP-1"].category) == (None, "teaware")


def test_answers_never_quote_a_missing_price_or_guess_stock(loaded_products: dict[str, Product]) -> None:
    tea, priced = loaded_products["TEA-1"], loaded_products["TEA-3"]
    assert spec_answer(tea, "en") == "Longjing Green Tea 250g (TEA-1): price not listed."
    assert spec_answer(tea, "zh") == "Longjing Green Tea 250g (TEA-1): 价格未标注."
    listing = list_answer([tea, priced], {}, "en", "Picks:")
    assert "1. Longjing Green Tea 250g (TEA-1) — price not listed\n" in listing
    assert "2. Jasmine Pearls 100g (TEA-3) — ¥88, in stock (5)" in listing
    compared = compare_answer(tea, priced, "en")
    assert "Price: price not listed vs ¥88" in compared and "Stock: - vs in stock (5)" in compared
    assert "price not listed stock not listed" in fact_line(tea, "en")
    assert "stock" not in spec_answer(tea, "en") and "缺货" not in spec_answer(tea, "zh")


def test_the_fact_check_drops_a_price_or_stock_claim_for_an_unlisted_field(
    loaded_products: dict[str, Product],
) -> None:
    tea = loaded_products["TEA-1"]
    checker = FactChecker(frozenset({tea.sku}))
    result = checker.check("The Longjing Green Tea 250g costs ¥120. It is a fresh spring tea.", [tea], [], [])
    assert "120" not in result.text
    result = checker.check("The Longjing Green Tea 250g is in stock.", [tea], [], [])
    assert "in stock" not in result.text


def test_budget_and_in_stock_filters_never_admit_an_unlisted_field(loaded_products: dict[str, Product]) -> None:
    tea = loaded_products["TEA-1"]
    assert not ProductFilter(price_max=1000).matches(tea)
    assert not ProductFilter(in_stock_only=True).matches(tea)
    assert ProductFilter(category="tea").matches(tea)


def test_cards_in_both_adapters_say_price_not_listed_and_nothing_about_stock(
    loaded_products: dict[str, Product],
) -> None:
    shown: ProductCard = card(loaded_products["TEA-1"], "en", label="Tea")
    caption = card_caption(shown, "en")
    assert "Price not listed" in caption
    assert "stock" not in caption.lower()
    buttons = [b.text for row in card_keyboard(shown, [], "en", CallbackTexts()).inline_keyboard for b in row]
    assert buttons and not any("Similar under" in b for b in buttons)  # no price, no budget to be similar under
    fields = [f["text"] for f in card_blocks(shown, "en", 0)[0]["fields"]]
    assert "*Price*\nNot listed" in fields and "*Stock*\nNot tracked" in fields
