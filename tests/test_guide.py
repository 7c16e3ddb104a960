"""Guided shopping: ask the one useful question, offer real facets, recommend real matching items."""

from __future__ import annotations

from assistant.conversation import Slots
from assistant.guide import BROAD_MATCH_THRESHOLD, MAX_RECOMMENDATIONS, ShoppingGuide, price_bands
from assistant.understanding import parse_budget
from knowledge.store import KnowledgeStore


def test_unknown_category_asks_category_first(demo_store: KnowledgeStore) -> None:
    decision = ShoppingGuide(demo_store).decide(Slots(), "something nice", "en", clarify_count=0, just_recommend=False)
    assert decision.kind == "clarify"
    assert decision.facet == "category"
    categories = {p.category for p in demo_store.all_products()}
    assert 2 <= len(decision.choices) <= len(categories)


def test_broad_category_asks_budget_with_bands_that_contain_items(demo_store: KnowledgeStore) -> None:
    decision = ShoppingGuide(demo_store).decide(
        Slots(category="headphones"), "headphones", "en", clarify_count=0, just_recommend=False
    )
    assert decision.kind == "clarify"
    assert decision.match_count > BROAD_MATCH_THRESHOLD
    assert decision.facet in ("budget", "use")
    headphones = [p for p in demo_store.all_products() if p.category == "headphones"]
    for choice in decision.choices:
        count = int(choice.label.rsplit("(", 1)[1].rstrip(")"))
        assert count > 0
        if decision.facet == "budget":
            low, high = parse_budget(choice.value)
            real = [p for p in headphones if (low is None or p.price >= low) and (high is None or p.price <= high)]
            assert real, f"band {choice.value} has no real product"


def test_narrow_need_recommends_real_items_that_meet_every_constraint(demo_store: KnowledgeStore) -> None:
    slots = Slots(category="running_shoes", price_max=1000, attributes={"waterproof": True})
    decision = ShoppingGuide(demo_store).decide(
        slots, "waterproof running shoes", "en", clarify_count=0, just_recommend=False
    )
    catalog = {p.sku: p for p in demo_store.all_products()}
    if decision.kind == "clarify":  # many matches: a second answer must lead to picks
        decision = ShoppingGuide(demo_store).decide(slots, "any", "en", clarify_count=2, just_recommend=False)
    assert decision.kind == "recommend"
    assert 1 <= len(decision.products) <= MAX_RECOMMENDATIONS
    for product in decision.products:
        assert catalog[product.sku] == product
        assert product.category == "running_shoes"
        assert product.price <= 1000
        assert product.attributes["waterproof"] is True
        assert "waterproof" in decision.reasons[product.sku]


def test_impossible_need_says_so_and_shows_nearest(demo_store: KnowledgeStore) -> None:
    slots = Slots(category="laptops", price_max=100)
    decision = ShoppingGuide(demo_store).decide(slots, "laptop under 100", "en", clarify_count=0, just_recommend=False)
    assert decision.kind == "no_match"
    assert decision.products, "nearest real laptops are offered"
    assert all(p.category == "laptops" for p in decision.products)
    cheapest = min(p.price for p in demo_store.all_products() if p.category == "laptops")
    assert (
        decision.products[0].price == cheapest
        or decision.products[0].stock == 0
        or any(p.price == cheapest for p in decision.products)
    )


def test_just_recommend_skips_questions(demo_store: KnowledgeStore) -> None:
    decision = ShoppingGuide(demo_store).decide(
        Slots(category="phones"), "随便推荐", "zh", clarify_count=0, just_recommend=True
    )
    assert decision.kind == "recommend"
    assert all(p.category == "phones" for p in decision.products)
    assert all(p.stock > 0 for p in decision.products)


def test_price_bands_are_round_and_ordered() -> None:
    bands = price_bands([199, 259, 299, 349, 459, 599, 799, 999, 1299])
    edges = [b[1] for b in bands if b[1] is not None]
    assert edges == sorted(edges)
    assert all(edge % 50 == 0 for edge in edges)


def test_use_quick_replies_read_naturally_and_are_understood(demo_store: KnowledgeStore) -> None:
    from assistant.guide import _use_choice
    from assistant.understanding import USE_LABELS, CatalogVocabulary, Understander

    understander = Understander(CatalogVocabulary.from_products(demo_store.all_products()))
    for use in USE_LABELS:
        for language in ("en", "zh"):
            choice = _use_choice(use, 3, language)  # type: ignore[arg-type]
            assert "for for" not in choice.value
            parsed = understander.understand(choice.value, language, [], has_need=True)  # type: ignore[arg-type]
            assert parsed.slots.use == use, (use, language, choice.value)
