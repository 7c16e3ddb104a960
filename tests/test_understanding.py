"""Language, intent and slot understanding over the demo catalog vocabulary."""

from __future__ import annotations

import pytest

from assistant.language import detect_language
from assistant.types import Intent
from assistant.understanding import CatalogVocabulary, Understander, cn_to_number, parse_budget
from knowledge.store import KnowledgeStore


@pytest.fixture(scope="module")
def understander(demo_store: KnowledgeStore) -> Understander:
    return Understander(CatalogVocabulary.from_products(demo_store.all_products()))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("under 500", (None, 500.0)),
        ("below ¥1,299", (None, 1299.0)),
        ("between 300 and 600", (300.0, 600.0)),
        ("300-500元", (300.0, 500.0)),
        ("两千以内", (None, 2000.0)),
        ("预算1000", (None, 1000.0)),
        ("1.5k or less", (None, 1500.0)),
        ("around 500", (400.0, 600.0)),
        ("3000元以上", (3000.0, None)),
        ("不超过三百五", (None, 350.0)),
        ("waterproof shoes", (None, None)),
    ],
)
def test_budget_phrases_in_both_languages(text: str, expected: tuple[float | None, float | None]) -> None:
    assert parse_budget(text.lower()) == expected


def test_chinese_numerals() -> None:
    assert cn_to_number("两千") == 2000
    assert cn_to_number("一万二千") == 12000
    assert cn_to_number("三百五") == 350


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("推荐一款跑鞋", "zh"),
        ("Stridex AeroRun 2 多少钱", "zh"),
        ("wireless headphones please", "en"),
        ("Хочу купить кроссовки", "other"),
        ("bonjour je cherche une veste pour vous", "other"),
        ("👍👍", "none"),
        ("", "none"),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_recommend_slots(understander: Understander) -> None:
    u = understander.understand("waterproof trail running shoes under 900 for hiking", "en", [], has_need=False)
    assert u.intent is Intent.RECOMMEND
    assert u.slots.category == "running_shoes"
    assert u.slots.price_max == 900
    assert u.slots.attributes == {"waterproof": True, "terrain": "trail"}
    assert u.slots.use == "hiking"


def test_chinese_slots(understander: Understander) -> None:
    u = understander.understand("想买一款1000元以内的降噪耳机，通勤用", "zh", [], has_need=False)
    assert (u.intent, u.slots.category, u.slots.price_max, u.slots.use) == (
        Intent.RECOMMEND,
        "headphones",
        1000,
        "commuting",
    )
    assert u.slots.attributes == {"noise_cancelling": True}


def test_named_products_and_compare(understander: Understander) -> None:
    u = understander.understand("compare SG-RUN-0001 and Stridex AeroRun 3", "en", [], has_need=False)
    assert u.intent is Intent.COMPARE
    assert u.named_skus[0] == "SG-RUN-0001"
    assert len(u.named_skus) == 2


def test_references_to_previous_answer(understander: Understander) -> None:
    shown = ["SG-HPH-0001", "SG-HPH-0007", "SG-HPH-0027"]
    u = understander.understand("compare the first and the third one", "en", shown, has_need=True)
    assert u.intent is Intent.COMPARE
    assert u.named_skus == ["SG-HPH-0001", "SG-HPH-0027"]
    u = understander.understand("第二个多少钱？", "zh", shown, has_need=True)
    assert (u.intent, u.named_skus) == (Intent.PRODUCT_INFO, ["SG-HPH-0007"])


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hello", Intent.GREETING),
        ("你好", Intent.GREETING),
        ("what is your return policy?", Intent.POLICY),
        ("运费怎么算", Intent.POLICY),
        ("I want to talk to a human", Intent.HUMAN),
        ("转人工", Intent.HUMAN),
        ("客服", Intent.HUMAN),
        ("I want a refund for my broken headphones", Intent.HUMAN),
        ("我要投诉", Intent.HUMAN),
        ("What are your customer service hours?", Intent.POLICY),
        ("客服几点上班？", Intent.POLICY),
        ("How long does a refund take?", Intent.POLICY),
        ("满多少钱包邮？", Intent.POLICY),
        ("How long is the warranty on headphones?", Intent.POLICY),
        ("How much is delivery on a ¥300 order?", Intent.POLICY),  # an order's amount, not a budget
        ("Do you have a physical store in Hangzhou?", Intent.POLICY),
        ("Can I try the headphones before buying?", Intent.POLICY),
        ("有实体店吗？", Intent.POLICY),
        ("headphones under 500 please", Intent.RECOMMEND),
        ("waterproof backpack with laptop sleeve under 500", Intent.RECOMMEND),
        ("do you sell TVs?", Intent.RECOMMEND),
        ("what's the weather like", Intent.UNKNOWN),
    ],
)
def test_intents(understander: Understander, text: str, intent: Intent) -> None:
    assert understander.understand(text, "en", [], has_need=False).intent is intent


def test_not_carried_items_are_named(understander: Understander) -> None:
    u = understander.understand("有卖电视吗", "zh", [], has_need=False)
    assert u.not_carried == "电视"
