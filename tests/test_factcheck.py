"""The fact checker never lets an unverified price, SKU, stock claim or spec number through."""

from __future__ import annotations

from assistant.factcheck import FactChecker
from knowledge.models import KnowledgeDoc, Product
from knowledge.search import PassageHit

SHOE = Product(
    sku="SG-RUN-0001",
    name="Stridex AeroRun 2",
    name_zh="Stridex 轻风跑鞋 2代",
    category="running_shoes",
    brand="Stridex",
    price=459,
    stock=12,
    attributes={"weight_g": 254, "waterproof": False},
)
JACKET = Product(sku="SG-JKT-0002", name="Nordpeak Storm Shell", category="jackets", price=899, stock=0)
POLICY = PassageHit(
    doc=KnowledgeDoc(doc_id="p#1", kind="policy", title="Returns", text="Unused items: 7-day returns.", language="en"),
    score=0.9,
)


def test_correct_answer_passes_unchanged() -> None:
    answer = "Stridex AeroRun 2 costs ¥459 and weighs 254 g. It is in stock."
    result = FactChecker().check(answer, [SHOE])
    assert result.text == answer
    assert not result.changed and not result.needs_fallback


def test_wrong_price_is_repaired_with_the_catalog_price() -> None:
    result = FactChecker().check("Stridex AeroRun 2 costs ¥399.", [SHOE])
    assert result.text == "Stridex AeroRun 2 costs ¥459."
    assert result.repairs


def test_chinese_price_repair() -> None:
    result = FactChecker().check("Stridex 轻风跑鞋 2代 只要299元。", [SHOE])
    assert "459元" in result.text


def test_ambiguous_wrong_price_is_dropped_never_shown() -> None:
    result = FactChecker().check("Both cost ¥199. They are great.", [SHOE, JACKET])
    assert "199" not in result.text
    assert result.text == "They are great."


def test_invented_sku_and_spec_are_dropped() -> None:
    result = FactChecker().check("Try SG-RUN-9999 instead. It weighs 180 g. Great shoe.", [SHOE])
    assert "SG-RUN-9999" not in result.text and "180" not in result.text
    assert result.text == "Great shoe."


def test_wrong_stock_claim_is_dropped() -> None:
    result = FactChecker().check("Nordpeak Storm Shell is in stock now.", [JACKET])
    assert result.needs_fallback
    result = FactChecker().check("Stridex AeroRun 2 is sold out.", [SHOE])
    assert result.needs_fallback


def test_policy_numbers_must_come_from_the_policy_text() -> None:
    assert FactChecker().check("You can return unused items within 7 days.", [], [POLICY]).text
    result = FactChecker().check("You can return items within 30 days.", [], [POLICY])
    assert "30" not in result.text and result.needs_fallback


def test_foreign_brand_mentions_are_dropped() -> None:
    result = FactChecker().check("Nike Pegasus is better. Stridex AeroRun 2 is light.", [SHOE])
    assert "Nike" not in result.text
    assert "AeroRun" in result.text


def test_shopper_budget_may_be_repeated() -> None:
    result = FactChecker().check("Stridex AeroRun 2 fits your 500元 budget.", [SHOE], shopper_numbers=[500])
    assert result.text == "Stridex AeroRun 2 fits your 500元 budget."
