"""A superlative claim in an answer is checked against the catalog like a price, on the same non-demo shop
as the intent tests (tests/intents/shop.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.factcheck import FactChecker
from assistant.llm.scripted import ScriptedGenerator
from assistant.superlative_check import SuperlativeCheck
from assistant.types import Intent
from knowledge.search import ProductQuery
from knowledge.store import KnowledgeStore
from tests.conftest import MODEL_CACHE
from tests.intents.shop import ask, price_text, shown


# ---- fact check: a superlative claim is checked like a price -------------------------------------
def _checker(shop: KnowledgeStore) -> FactChecker:
    return FactChecker(frozenset(p.sku for p in shop.all_products()), SuperlativeCheck(shop))


def _products(shop: KnowledgeStore, *skus: str) -> list[Any]:
    return shop.get_products(list(skus))


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        ("Ridgeway Dome Tent 3P is the cheapest tent we have.", False),
        ("Campo Light Tent 1P is the cheapest tent we have.", True),
        ("Campo Beach Tent is the cheapest tent in stock.", True),
        ("Campo Light Tent 1P is the cheapest tent in stock.", False),
        ("Ridgeway Dome Tent 3P is not the cheapest, but it is roomy.", True),
        ("Campo Family Tent 6P is our most expensive tent.", True),
        ("Ridgeway Dome Tent 3P是最便宜的帐篷。", False),
        ("Campo 轻量帐篷 1P是最便宜的帐篷。", True),
        ("有现货的帐篷里，Campo 轻量帐篷 1P最便宜。", False),
        ("Campo 沙滩帐篷评分最高。", False),
        ("Ridgeway 徒步帐篷 2P评分最高。", True),
        ("Campo Light Tent 1P is the lightest tent.", True),
        ("Ridgeway Dome Tent 3P is the lightest tent.", False),
        ("Campo 家庭帐篷 6P最重。", True),
    ],
)
def test_superlative_claims_must_hold_in_the_catalog(shop: KnowledgeStore, answer: str, kept: bool) -> None:
    products = _products(shop, "TN-TNT-002", "TN-TNT-003", "TN-TNT-005", "TN-TNT-004", "TN-TNT-001")
    result = _checker(shop).check(answer, products)
    assert (result.text == answer) is kept
    if not kept:
        assert not result.text and result.needs_fallback


def test_a_measure_superlative_without_that_measure_is_unverified(shop: KnowledgeStore) -> None:
    answer = "Boilo Steel Kettle is the lightest kettle."
    assert _checker(shop).check(answer, _products(shop, "TN-KTL-002")).text == ""


def test_superlative_is_judged_within_what_the_shopper_asked(shop: KnowledgeStore) -> None:
    products = _products(shop, "TN-TNT-005", "TN-TNT-003")
    answer = "Campo Beach Tent is the cheapest."
    assert _checker(shop).check(answer, products).text == ""
    in_stock = ProductQuery("", in_stock_only=True)
    assert _checker(shop).check(answer, products, scope=in_stock).text == answer


async def test_false_superlative_from_the_model_never_reaches_the_shopper(tmp_path: Path, shop: KnowledgeStore) -> None:
    lie = "The Ridgeway Dome Tent 3P is the cheapest Ridgeway tent we have."
    assistant = build_assistant(
        Settings(data_dir=tmp_path, cache_dir=MODEL_CACHE), generator=ScriptedGenerator(lie), knowledge=shop
    )
    try:
        reply = await ask(assistant, "Ridgeway tents under 2000")
    finally:
        assistant.memory.close()
    assert reply.cards and reply.intent is Intent.RECOMMEND
    assert "cheapest" not in reply.text
    assert reply.degraded == "fact_check"


@pytest.mark.parametrize(
    ("text", "sku", "first_line"),
    [
        ("Is the Campo Light Tent 1P the cheapest tent?", "TN-TNT-003", "Yes — Campo Light Tent 1P is the cheapest of"),
        (
            "Is the Ridgeway Dome Tent 3P the cheapest tent?",
            "TN-TNT-002",
            "No — the cheapest of our tents is Campo Light",
        ),
        ("Campo 沙滩帐篷是有现货的帐篷里最便宜的吗？", "TN-TNT-005", "是的，Campo 沙滩帐篷是有现货的"),
        ("Campo 家庭帐篷 6P是评分最高的吗？", "TN-TNT-004", "不是。"),
        ("Is the Boilo Steel Kettle the best rated kettle?", "TN-KTL-002", "We have no customer ratings"),
    ],
)
async def test_is_a_named_product_the_top_one(shop_assistant: Assistant, text: str, sku: str, first_line: str) -> None:
    reply = await ask(shop_assistant, text)
    assert shown(reply)[0] == sku
    assert reply.text.startswith(first_line)
    if first_line.startswith(("No", "不是")):
        top = reply.cards[1]  # the one that is the top: named in the answer, with its price
        assert top.sku != sku
        assert top.name in reply.text.splitlines()[0] and f"¥{price_text(top.price)}" in reply.text.splitlines()[0]


@pytest.mark.parametrize(
    ("name", "sku", "true"),
    [("Ridgeway Trail Tent 2P", "TN-TNT-001", False), ("Campo Light Tent 1P", "TN-TNT-003", True)],
)
async def test_superlative_about_a_named_product_is_judged_in_its_whole_category(
    tmp_path: Path, shop: KnowledgeStore, name: str, sku: str, true: bool
) -> None:
    # The brand in the product's name does not shrink "the cheapest tent" to the cheapest of that brand.
    claim = f"{name} is the cheapest tent in the shop."
    assistant = build_assistant(
        Settings(data_dir=tmp_path, cache_dir=MODEL_CACHE), generator=ScriptedGenerator(claim), knowledge=shop
    )
    try:
        reply = await ask(assistant, f"Tell me about the {name}")
    finally:
        assistant.memory.close()
    assert shown(reply) == [sku]
    assert (reply.text == claim) is true
    assert ("cheapest" in reply.text) is true
