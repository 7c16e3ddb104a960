"""Answers about one product come from its own text: passages in Chroma, fenced in the prompt, honest when absent.

A small tool-and-kitchen shop written here (not the demo catalog), real Chroma, and the scripted generator
standing in for a model that answers right, wrong or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.app import Assistant, build_assistant, load_knowledge
from assistant.config import Settings
from assistant.llm.scripted import ScriptedGenerator
from assistant.prompt import FACTS_CLOSE, FACTS_OPEN
from assistant.render import compare_answer
from assistant.types import IncomingMessage, Reply
from knowledge.models import Product
from knowledge.passages import product_passages
from knowledge.store import KnowledgeStore

DRILL = "TL-DRL-0001"
DRILL_NAME = "Voltline 18V Cordless Drill Kit with Charger and 2 Batteries"  # shoppers paste the title
KETTLE = "KT-KTL-0002"
PRODUCTS = [
    {
        "sku": DRILL,
        "name": "Voltline 18V Cordless Drill Kit with Charger and 2 Batteries",
        "name_zh": "Voltline 18V 无刷电钻套装（含充电器和两块电池）",
        "category": "drills",
        "brand": "Voltline",
        "price": 899,
        "stock": 6,
        "attributes": {"voltage_v": 18, "chuck_mm": 13, "weight_kg": 1.4},
        "description": "<p>A compact brushless drill for home projects.</p><ul><li>Two speed settings</li>"
        "<li>LED work light</li><li>Carry case sold separately</li></ul>",
        "description_zh": "紧凑型无刷电钻，适合家庭装修。两档调速，带LED照明灯。收纳箱需另外购买。",
    },
    {
        "sku": KETTLE,
        "name": "Brewmate Glass Kettle 1.7L",
        "name_zh": "Brewmate 玻璃电热水壶 1.7升",
        "category": "kettles",
        "brand": "Brewmate",
        "price": 259,
        "stock": 0,
        "attributes": {"capacity_l": 1.7, "power_w": 2200},
        "description": "Borosilicate glass kettle with blue LED and automatic shut-off. "
        "Boils 1.7 L in about 5 minutes.",
        "description_zh": "高硼硅玻璃电热水壶，蓝色LED灯，自动断电。约5分钟烧开1.7升水。",
    },
    {
        "sku": "TL-SAW-0003",
        "name": "Voltline Jigsaw 650W",
        "category": "saws",
        "brand": "Voltline",
        "price": 549,
        "stock": 12,
        "attributes": {"power_w": 650},
        "description": "Corded jigsaw with orbital action for wood and metal.",
    },
]
REVIEWS = [
    {"sku": DRILL, "rating": 5, "text": "The grip stays cool even after an hour of drilling.", "language": "en"},
    {"sku": DRILL, "rating": 4, "text": "Strong enough for brick walls at home.", "language": "en"},
]


def msg(text: str, chat: str) -> IncomingMessage:
    return IncomingMessage(platform="test", chat_id=chat, user_id="u", text=text)


@pytest.fixture(scope="module")
def tool_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, KnowledgeStore]]:
    root = tmp_path_factory.mktemp("tool-shop")
    catalog = root / "catalog"
    catalog.mkdir()
    (catalog / "products.jsonl").write_text("".join(json.dumps(p) + "\n" for p in PRODUCTS), encoding="utf-8")
    (catalog / "reviews.jsonl").write_text("".join(json.dumps(r) + "\n" for r in REVIEWS), encoding="utf-8")
    (catalog / "faq.md").write_text(
        "# FAQ\n\n## Delivery\nOrders ship within 2 days.\n\n## Warranty\n"
        "Drills carry a 3-year warranty.\nKettles carry a 1-year warranty.\n\n## Returns\n"
        "Unused items can be returned within 30 days.\n",
        encoding="utf-8",
    )
    settings = Settings(data_dir=root / "data", catalog_dir=catalog)
    yield settings, load_knowledge(settings)


@pytest.fixture
def ask_with(tool_shop: tuple[Settings, KnowledgeStore], tmp_path: Path) -> Iterator[object]:
    settings, store = tool_shop
    built: list[Assistant] = []

    async def ask(question: str, script: str | None = None) -> tuple[Reply, ScriptedGenerator]:
        generator = ScriptedGenerator(script)
        local = settings.model_copy(update={"data_dir": tmp_path / f"chat{len(built)}"})
        assistant = build_assistant(local, generator=generator, knowledge=store)
        built.append(assistant)
        return await assistant.ask(msg(question, f"c{len(built)}")), generator

    yield ask
    for assistant in built:
        assistant.memory.close()


def test_passages_carry_their_product_and_kind() -> None:
    from knowledge.models import Product, Review

    product = Product.model_validate({**PRODUCTS[0], "description": "Intro line.\nTwo speed settings\nLED work light"})
    passages = product_passages(product, [Review.model_validate(r) for r in REVIEWS])
    assert {p.sku for p in passages} == {DRILL}
    kinds = [p.kind for p in passages]
    assert kinds[0] == "title" and "bullet" in kinds and "attributes" in kinds and kinds.count("review") == 2
    assert any(p.text == "Two speed settings" for p in passages if p.kind == "bullet")


def test_the_passage_that_answers_is_found_for_the_named_product(tool_shop: tuple[Settings, KnowledgeStore]) -> None:
    _, store = tool_shop
    hits = store.search_product_passages(DRILL, "Is a carry case included with the drill?", "en", k=3)
    assert hits and all(h.doc.sku == DRILL for h in hits)
    assert any("Carry case sold separately" in h.doc.text for h in hits)
    zh = store.search_product_passages(DRILL, "这款电钻带收纳箱吗？", "zh", k=3)
    assert any("收纳箱" in h.doc.text for h in zh)
    again = store.search_product_passages(DRILL, "Is a carry case included with the drill?", "en", k=3)
    assert [h.doc.doc_id for h in again] == [h.doc.doc_id for h in hits], "stored vectors rank the same"


async def test_the_prompt_carries_passages_fenced_with_their_source(ask_with: object) -> None:
    reply, generator = await ask_with(f"Does the {DRILL_NAME} have an LED light?")  # type: ignore[operator]
    prompt = generator.calls[-1][-1].content
    fenced = prompt.split(FACTS_OPEN, 1)[1].split(FACTS_CLOSE, 1)[0]
    assert f"[{DRILL}/bullet]" in fenced and "LED work light" in fenced
    assert reply.cards and reply.cards[0].sku == DRILL


async def test_title_says_included_so_a_no_never_reaches_the_shopper(ask_with: object) -> None:
    question = f"Does the {DRILL_NAME} come with a charger?"
    reply, _ = await ask_with(question, "No, it does not come with a charger.")  # type: ignore[operator]
    assert not reply.text.lower().startswith("no"), reply.text
    assert "does not come with a charger" not in reply.text
    right, _ = await ask_with(question, "Yes, the kit includes a charger and 2 batteries.")  # type: ignore[operator]
    assert right.text == "Yes, the kit includes a charger and 2 batteries."


async def test_a_question_the_catalog_cannot_answer_gets_an_honest_dont_know(ask_with: object) -> None:
    reply, generator = await ask_with("Is the Brewmate Glass Kettle 1.7L dishwasher safe?", "Yes, it is.")  # type: ignore[operator]
    assert reply.text.startswith("I don't know"), reply.text
    assert "¥259" in reply.text and "out of stock" in reply.text, "offers what is known"
    assert not generator.calls, "no model guess is asked for"
    zh, _ = await ask_with("Brewmate 玻璃电热水壶 1.7升 可以放洗碗机吗？")  # type: ignore[operator]
    assert "不知道" in zh.text and "¥259" in zh.text


async def test_what_a_shopper_adds_besides_the_question_is_not_asked_about(ask_with: object) -> None:
    # "you can text me on …" is no question: the general request is answered from the facts, not "I don't know".
    reply, generator = await ask_with(  # type: ignore[operator]
        f"tell me about {DRILL}, you can text me on 13812345678", "A cordless drill with two speeds."
    )
    assert "don't know" not in reply.text, reply.text
    assert generator.calls, "a general product question goes to the model"
    zh, _ = await ask_with(f"介绍一下{DRILL}，我的电话是13812345678")  # type: ignore[operator]
    assert "不知道" not in zh.text, zh.text


async def test_what_only_reviews_say_is_labelled_as_shoppers_opinion(ask_with: object) -> None:
    reply, _ = await ask_with(f"Does the grip of the {DRILL_NAME} stay cool?")  # type: ignore[operator]
    assert "doesn't say" in reply.text and "Shoppers' reviews" in reply.text
    assert "grip stays cool" in reply.text


async def test_a_model_that_abstains_on_an_answerable_question_is_replaced_by_the_passage(ask_with: object) -> None:
    reply, _ = await ask_with(  # type: ignore[operator]
        f"Is a carry case included with the {DRILL_NAME}?", "I don't know, sorry."
    )
    assert reply.text.startswith("No. ") and "Carry case sold separately" in reply.text
    assert "don't know" not in reply.text


@pytest.mark.integration
async def test_the_shipped_model_answers_product_questions_from_the_catalog_text(
    tool_shop: tuple[Settings, KnowledgeStore], llm: object, tmp_path: Path
) -> None:
    settings, store = tool_shop
    local = settings.model_copy(update={"data_dir": tmp_path, "llm_timeout_s": 120.0})
    assistant = build_assistant(local, generator=llm, knowledge=store)  # type: ignore[arg-type]
    try:
        included = await assistant.ask(msg(f"Does the {DRILL_NAME} come with a charger?", "m1"))
        assert not included.text.lower().lstrip().startswith("no"), included.text
        assert "not come with" not in included.text and "doesn't come with" not in included.text

        unknown = await assistant.ask(msg("Is the Brewmate Glass Kettle 1.7L dishwasher safe?", "m3"))
        assert "don't know" in unknown.text, unknown.text

        question = "Voltline 18V 无刷电钻套装（含充电器和两块电池）多少钱？有货吗？"
        zh = await assistant.ask(msg(question, "m4"))
        assert "899" in zh.text and "$" not in zh.text and question not in zh.text, zh.text
    finally:
        assistant.memory.close()


async def test_a_restock_date_or_an_unlisted_colour_is_not_answered_from_the_fact_line(ask_with: object) -> None:
    # Price and stock words in the question, but what is asked (a date, a colour) no fact holds.
    questions = (
        "When will the Brewmate Glass Kettle 1.7L be back in stock?",
        "Brewmate 玻璃电热水壶 1.7升什么时候补货？",
        "Is the Voltline Jigsaw 650W available in green?",
    )
    for question in questions:
        reply, generator = await ask_with(question, "It will be back next week.")  # type: ignore[operator]
        assert reply.text.startswith(("I don't know", "这个我不知道")), reply.text
        assert not generator.calls, question
    reply, _ = await ask_with("Is the Voltline Jigsaw 650W in stock?", "Yes, 12 in stock.")  # type: ignore[operator]
    assert "don't know" not in reply.text


async def test_a_policy_that_lists_other_kinds_does_not_answer_for_the_asked_one(ask_with: object) -> None:
    saws, generator = await ask_with("How long is the warranty on saws?", "Saws carry a 3-year warranty.")  # type: ignore[operator]
    assert saws.text.startswith("I don't know"), saws.text
    assert not generator.calls
    drills, _ = await ask_with("How long is the warranty on drills?", "Drills carry a 3-year warranty.")  # type: ignore[operator]
    assert "3-year" in drills.text and "don't know" not in drills.text
    # A rule that names no kind holds for every kind.
    returns, _ = await ask_with("Can I return a saw?", "Unused items can be returned within 30 days.")  # type: ignore[operator]
    assert "30 days" in returns.text and "don't know" not in returns.text


@pytest.mark.parametrize("question", ["Do you price match?", "Can I pay with PayPal?", "你们可以开增值税发票吗？"])
async def test_a_question_to_the_shop_that_no_document_answers_is_answered_honestly(
    ask_with: object, question: str
) -> None:
    reply, generator = await ask_with(question, "Yes, we do!")  # type: ignore[operator]
    assert reply.text.startswith(("I don't know", "这个我不知道")), reply.text
    assert not generator.calls


async def test_a_comparison_carries_both_products_passages(ask_with: object) -> None:
    reply, generator = await ask_with(  # type: ignore[operator]
        f"Compare the {DRILL_NAME} and the Voltline Jigsaw 650W", "One drills, the other saws."
    )
    prompt = generator.calls[0][-1].content
    assert f"[{DRILL}/" in prompt and "[TL-SAW-0003/" in prompt, "each product's own text reaches the model"
    assert reply.text == "One drills, the other saws."


def test_compared_attributes_read_in_the_shoppers_language() -> None:
    a = Product(
        sku="A-1",
        name="Trail Pole A",
        category="poles",
        price=399,
        stock=3,
        attributes={"drop_mm": 8, "weight_kg": 0.45, "material": "aluminium", "foldable": True},
    )
    b = Product(sku="B-1", name="Trail Pole B", category="poles", price=599, stock=0,
                attributes={"drop_mm": 10, "weight_kg": 0.39, "material": "carbon", "foldable": False})  # fmt: skip
    zh = compare_answer(a, b, "zh").splitlines()
    assert "落差: 8毫米 vs 10毫米" in zh and "重量: 0.45千克 vs 0.39千克" in zh
    assert "材质: 铝合金 vs 碳纤维" in zh and "Foldable: 是 vs 否" in zh  # a word no table lists stays English
    en = compare_answer(a, b, "en").splitlines()
    assert "Drop: 8 mm vs 10 mm" in en and "Weight: 0.45 kg vs 0.39 kg" in en and "Material: aluminium vs carbon" in en
