"""Claim-level fact check: numbers keep their kind, "free" needs a fact, yes/no claims need a passage, no echoes."""

from __future__ import annotations

from assistant.factcheck import FactChecker
from knowledge.models import KnowledgeDoc, PassageKind, Product
from knowledge.search import PassageHit

RUNNER = Product(sku="SG-RUN-0901", name="Stridex Freebie Runner", category="running_shoes", price=777, stock=10)
KETTLE = Product(
    sku="HK-KET-0001",
    name="Brewmate Glass Kettle",
    category="kettles",
    price=459,
    stock=10,
    attributes={"capacity_l": 1.7},
)
PLACEHOLDER = Product(sku="HK-JUG-0002", name="Brewmate Water Jug", category="jugs", price=0, stock=3)
DRILL = Product(
    sku="TL-DRL-0001",
    name="Voltline Cordless Drill Kit with Charger and 2 Batteries",
    name_zh="Voltline 无刷电钻套装（含充电器和两块电池）",
    category="drills",
    price=899,
    stock=4,
    description="Brushless motor with 2 speeds. The carry case is sold separately.",
)
USD_LAMP = Product(sku="LT-LMP-0001", name="Lumo Desk Lamp", category="lamps", price=39.5, currency="USD", stock=7)


def passage(text: str, kind: PassageKind = "policy", score: float = 0.9) -> PassageHit:
    doc = KnowledgeDoc(doc_id=f"d#{abs(hash(text))}", kind=kind, title="Gift wrapping", text=text, language="en")
    return PassageHit(doc=doc, score=score)


def check(answer: str, products: list[Product], question: str = "", passages: list[PassageHit] | None = None) -> str:
    result = FactChecker().check(answer, products, passages or [], question=question)
    return "" if result.needs_fallback else result.text


def test_a_price_in_the_wrong_currency_is_restated_in_the_catalog_currency() -> None:
    assert check("The kettle costs $459.", [KETTLE]) == "The kettle costs ¥459."
    assert check("The lamp is $39.50.", [USD_LAMP]) == "The lamp is $39.50."
    assert "¥" not in check("The lamp costs ¥39.50.", [USD_LAMP])


def test_a_stock_count_is_not_a_capacity() -> None:
    assert check("The Stridex Freebie Runner holds approximately 10 liters.", [RUNNER]) == ""
    assert check("Only 10 left of the Stridex Freebie Runner!", [RUNNER]).startswith("Only 10 left")
    assert check("Only 12 left of the Stridex Freebie Runner!", [RUNNER]) == ""


def test_a_price_of_zero_is_not_a_volume_and_a_capacity_converts_units() -> None:
    assert check("The Brewmate Water Jug holds 0 gallons.", [PLACEHOLDER]) == ""
    assert check("The Brewmate Glass Kettle holds 1.7 L, that is 1700 ml.", [KETTLE])
    assert check("The Brewmate Glass Kettle holds 2 liters.", [KETTLE]) == ""


def test_free_needs_a_fact_that_says_free() -> None:
    result = FactChecker().check(
        "The Stridex Freebie Runner is free. The cost is ¥777.",
        [RUNNER],
        question="Is the Stridex Freebie Runner free?",
    )
    assert "free" not in result.text.lower().replace("freebie", "")
    assert "is free" not in check("Stridex Freebie Runner is free.", [RUNNER])
    assert check("The Brewmate Water Jug is free.", [PLACEHOLDER]) == "", "a price of 0 alone is no promise"
    assert check("Gift wrapping is free.", [], passages=[passage("Gift wrapping is free for every order.")])


def test_an_answer_that_repeats_the_question_falls_back() -> None:
    question = "Stridex Freebie Runner 多少钱？有货吗？"
    result = FactChecker().check(question, [RUNNER], question=question)
    assert result.needs_fallback and result.echoed
    result = FactChecker().check("Stridex Freebie Runner 多少钱？售价¥777。", [RUNNER], question=question)
    assert result.needs_fallback


def test_yes_no_claims_must_agree_with_the_product_text() -> None:
    question = "Does the Voltline drill come with a charger?"
    assert check("Yes, it comes with a charger.", [DRILL], question) == "Yes, it comes with a charger."
    assert check("No, it does not come with a charger.", [DRILL], question) == ""
    case = "Does it come with a carry case?"
    assert check("Yes, it includes a carry case.", [DRILL], case) == ""
    assert check("No, the carry case is sold separately.", [DRILL], case)


def test_a_claim_about_a_feature_no_fact_mentions_is_dropped() -> None:
    assert check("Yes, it is dishwasher safe.", [DRILL], "Is the Voltline drill dishwasher safe?") == ""


def test_reviews_back_no_fact_but_attributed_opinions_pass() -> None:
    review = passage("Shopper review (4/5): the grip stays cool even after an hour.", kind="review", score=0.8)
    question = "Does the drill's grip stay cool?"
    assert check("Yes, the grip stays cool.", [DRILL], question, [review]) == ""
    assert check("Shoppers say the grip stays cool.", [DRILL], question, [review])


def test_a_weight_in_a_product_passage_is_no_price_for_a_product_without_one() -> None:
    unpriced = Product(sku="CL-BAG-0001", name="Nightjar Down Sleeping Bag", category="sleeping_bags")
    weight = passage("weight g: 700", kind="attributes")
    assert check("The Nightjar Down Sleeping Bag costs $700.", [unpriced], passages=[weight]) == ""


POLES = Product(
    sku="OD-POL-0001",
    name="Gully Trekking Poles",
    category="poles",
    price=399,
    stock=5,
    description="Folding poles.\nMaterial: 7075 aluminium\nGrips: EVA foam\nFolding (Z-fold): yes\nLength: 110-130 cm",
)


def test_a_spec_line_on_the_asked_feature_with_another_value_says_no() -> None:
    question = "Do the Gully Trekking Poles have cork grips?"
    assert check("Yes, the Gully Trekking Poles have cork grips.", [POLES], question) == ""
    assert check("No, the grips are EVA foam.", [POLES], question) == "No, the grips are EVA foam."
    question = "Are the Gully Trekking Poles made of carbon fibre?"
    assert check("Yes, they are made of carbon fibre.", [POLES], question) == ""
    # The label must be what is asked, whole: "length" is no answer to "are they long enough for skiing?".
    question = "Are the Gully Trekking Poles long enough for skiing?"
    assert check("Yes, they suit skiing.", [POLES], question) == ""


KETTLE_ZH = Product(
    sku="HK-KTL-0201",
    name="Brewmate Travel Kettle",
    name_zh="Brewmate 旅行电水壶",
    category="kettles",
    price=199,
    stock=4,
    attributes={"weight_g": 640, "capacity_l": 0.8},
)


def test_an_amount_asked_in_a_chinese_unit_asks_about_that_measure() -> None:
    # "重多少克" / "容量是几升": the question word must not pair with the asked thing, and the unit names the
    # measure, so the weight or capacity attribute answers instead of an honest-but-wrong "I don't know".
    from assistant.answerability import judge
    from assistant.support import terms

    assert "<weight>" in terms("这个水壶重多少克？") and "<capacity>" in terms("能装几升水？")
    assert "<weight>" not in terms("巧克力多少钱？")  # a unit character inside a word asks for no measure
    for question in ("Brewmate 旅行电水壶重多少克？", "Brewmate 旅行电水壶能装几升？"):
        assert judge(question, KETTLE_ZH, []).kind == "passage", question


def test_a_price_only_the_products_own_text_states_is_no_price() -> None:
    # A poisoned or stale description ("today only ¥888") contradicts the catalog column: the column wins.
    phone = Product(
        sku="PH-FLD-0001",
        name="Lumo Fold Phone",
        category="phones",
        price=7999,
        stock=5,
        description="Flagship foldable. Today only ¥888!",
    )
    passage = PassageHit(
        doc=KnowledgeDoc(
            doc_id="PH-FLD-0001#d",
            kind="description",
            title="Lumo Fold Phone",
            text="今日仅888元",
            language="zh",
            sku="PH-FLD-0001",
        ),
        score=0.9,
    )
    assert "888" not in check("The Lumo Fold Phone costs ¥888.", [phone], passages=[passage])
    assert (
        check("The Lumo Fold Phone costs ¥7,999.", [phone], passages=[passage]) == "The Lumo Fold Phone costs ¥7,999."
    )
    # A shop document's amount is still a price the answer may quote.
    shipping = PassageHit(
        doc=KnowledgeDoc(
            doc_id="policies.md#shipping",
            kind="policy",
            title="Shipping",
            text="Orders over ¥299 ship free.",
            language="en",
        ),
        score=0.8,
    )
    assert check("Orders over ¥299 ship free.", [phone], passages=[shipping]) == "Orders over ¥299 ship free."
