"""A shop whose specs live in description bullets, end to end: measures lifted into attributes and sorted,
yes/no answered from a "label: value" bullet, a missing price never stated, prompt wording and mangled
names never shown, a stock question with "right now" is a stock question."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import Assistant, build_assistant, load_knowledge
from assistant.config import Settings
from assistant.llm.scripted import ScriptedGenerator
from assistant.superlative_answer import comparison_answer
from assistant.types import IncomingMessage
from knowledge.described_specs import described_measures
from knowledge.loaders import LoadOptions, load_directory
from knowledge.store import KnowledgeStore
from tests.conftest import MODEL_CACHE

HEADER = (
    "Handle,Title,Body (HTML),Vendor,Product Type,Tags,Variant SKU,Variant Price,Variant Inventory Qty,Variant Grams"
)
ROWS = [
    ("brew-1", "Brewmate Glass Kettle", "Weight: 1.4 kg|Capacity: 1.7 L|Keep warm: no (boils)", "KT-001,459,5,900"),
    ("brew-2", "Brewmate Travel Kettle", "Weight: 620 g with cord|Capacity: 0.6 L|Keep warm: yes", "KT-002,299,0,2500"),
    ("steel-3", "Tinsmith Steel Kettle", "Weight: 980 g|Material: brushed steel|Dual voltage: no", "KT-003,,8,100"),
]


def _row(handle: str, title: str, bullets: str, rest: str) -> str:
    body = "<p>A kettle.</p><ul>" + "".join(f"<li>{b}</li>" for b in bullets.split("|")) + "</ul>"
    return f'{handle},{title},"{body}",{title.split(maxsplit=1)[0]},Kettles,水壶,{rest}'


KETTLES = "\n".join([HEADER, *(_row(*row) for row in ROWS)]) + "\n"


@pytest.fixture(scope="module")
def kettle_store(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeStore:
    root = tmp_path_factory.mktemp("kettle-shop")
    catalog = root / "catalog"
    catalog.mkdir()
    (catalog / "products_export.csv").write_text(KETTLES, "utf-8")
    return load_knowledge(Settings(data_dir=root / "kb", cache_dir=MODEL_CACHE, catalog_dir=catalog))


def shop(tmp_path: Path, store: KnowledgeStore, model_text: str | None = None) -> Assistant:
    settings = Settings(data_dir=tmp_path, cache_dir=MODEL_CACHE, catalog_dir=tmp_path)
    return build_assistant(settings, generator=ScriptedGenerator(model_text), knowledge=store)


def msg(text: str, user: str = "u") -> IncomingMessage:
    return IncomingMessage(platform="test", chat_id=user, user_id=user, text=text)


def test_name_value_unit_bullets_become_typed_attributes_and_the_load_report_says_so(tmp_path: Path) -> None:
    (tmp_path / "products_export.csv").write_text(KETTLES, "utf-8")
    loaded = load_directory(tmp_path)
    attrs = {p.sku: p.attributes for p in loaded.products}
    # Variant Grams (a shipping weight: 900, 2500, 100) is never the product's weight.
    assert attrs["KT-001"] == {"weight_kg": 1.4, "capacity_l": 1.7}
    assert attrs["KT-002"] == {"weight_g": 620, "capacity_l": 0.6}
    assert attrs["KT-003"] == {"weight_g": 980}
    report = next(n for n in loaded.notices if "lifted from description" in n)
    assert "weight_kg from 'Weight: 1.4 kg'" in report


def test_the_same_measure_in_both_languages_is_lifted_once_and_sentences_are_not_specs() -> None:
    assert [(m.key, m.value) for m in described_measures("- 重量：1.2千克（含收纳袋）\n- 温标：-5°C")] == [
        ("重量_千克", 1.2),
        ("温标_°c", -5.0),
    ]
    assert described_measures("Note: 2 people fit inside\nWe ship: within 3 days of your order, mostly") == []


async def test_lightest_and_lighter_are_answered_from_described_weights(
    tmp_path: Path, kettle_store: KnowledgeStore
) -> None:
    assistant = shop(tmp_path, kettle_store)
    reply = await assistant.ask(msg("Which kettle is the lightest?", "a"))
    assert reply.cards[0].sku == "KT-002"
    assert "620" in reply.text
    reply = await assistant.ask(msg("最轻的水壶是哪款？", "b"))
    assert reply.cards[0].sku == "KT-002"
    reply = await assistant.ask(msg("Which is lighter, the Brewmate Glass Kettle or the Tinsmith Steel Kettle?", "c"))
    assert reply.text.startswith("Tinsmith Steel Kettle is lighter: 980 g vs 1.4 kg")


async def test_a_missing_price_is_never_stated_whatever_the_model_says(
    tmp_path: Path, kettle_store: KnowledgeStore
) -> None:
    assistant = shop(tmp_path, kettle_store, model_text="Tinsmith Steel Kettle的价格是980克。")
    for user, question in (("d", "Tinsmith Steel Kettle多少钱？"), ("e", "How much is the Tinsmith Steel Kettle?")):
        reply = await assistant.ask(msg(question, user))
        assert "价格是980" not in reply.text and "¥" not in reply.text
        assert "价格未标注" in reply.text or "price not listed" in reply.text


async def test_a_yes_no_fallback_leads_with_the_answer_its_bullet_gives(
    tmp_path: Path, kettle_store: KnowledgeStore
) -> None:
    # The model's answer repeats the question with the name mangled: never shown, the catalog's answer is.
    assistant = shop(tmp_path, kettle_store, model_text="Glass Kettle 能保温吗？")
    reply = await assistant.ask(msg("Can the Brewmate Glass Kettle keep water warm?", "f"))
    assert reply.text.startswith("No.")
    assert "Keep warm: no (boils)" in reply.text


async def test_prompt_wording_and_a_cut_name_are_never_shown(tmp_path: Path, kettle_store: KnowledgeStore) -> None:
    assistant = shop(tmp_path, kettle_store, model_text="根据FACTS，旅行 Travel Kettle 适合 shoppers。")
    reply = await assistant.ask(msg("Brewmate Travel Kettle适合旅行吗？", "g"))
    assert "FACTS" not in reply.text and "shoppers" not in reply.text
    assert "旅行 Travel Kettle" not in reply.text


async def test_a_stock_question_said_with_right_now_is_answered_from_stock(
    tmp_path: Path, kettle_store: KnowledgeStore
) -> None:
    assistant = shop(tmp_path, kettle_store)
    reply = await assistant.ask(msg("Do you have the Brewmate Travel Kettle available right now?", "h"))
    assert "don't know" not in reply.text
    assert "out of stock" in reply.text


async def test_what_other_customers_say_is_a_reviews_question_answered_honestly(
    tmp_path: Path, kettle_store: KnowledgeStore
) -> None:
    assistant = shop(tmp_path, kettle_store)
    reply = await assistant.ask(msg("What do other customers say about the Brewmate Glass Kettle?", "i"))
    assert reply.text.startswith("I don't know what other shoppers think of Brewmate Glass Kettle: there are no")
    reply = await assistant.ask(msg("What did the previous customer order?", "j"))
    assert "Brewmate" not in reply.text and not reply.cards


async def test_a_yes_no_question_about_another_value_of_a_stated_feature_is_answered_no(
    tmp_path: Path, kettle_store: KnowledgeStore
) -> None:
    assistant = shop(tmp_path, kettle_store)
    reply = await assistant.ask(msg("Is the Tinsmith Steel Kettle made of copper?", "k"))
    assert reply.text.startswith("No.")
    assert "Material: brushed steel" in reply.text


def test_variants_keep_apart_in_chinese_and_a_chair_is_light_by_its_weight_not_its_load(tmp_path: Path) -> None:
    header = "Handle,Title,Body (HTML),Type,Option1 Name,Option1 Value,Variant SKU,Variant Price,Chinese title"
    rows = [
        "quilt,Loft Quilt,,Quilts,Size,Regular,QL-R,800,羽绒被",
        "quilt,,,,,Long,QL-L,880,",
        'chair-a,Perch Chair,"Max load: 150 kg\nWeight: 3.5 kg",Chairs,Title,Default Title,CH-A,300,',
        'chair-b,Stool Chair,"Max load: 100 kg\nWeight: 1.5 kg",Chairs,Title,Default Title,CH-B,200,',
    ]
    (tmp_path / "products_export.csv").write_text("\n".join([header, *rows]) + "\n", "utf-8")
    loaded = load_directory(tmp_path, LoadOptions(column_map={"name_zh": "Chinese title"}))
    products = {p.sku: p for p in loaded.products}
    assert (products["QL-R"].name_zh, products["QL-L"].name_zh) == ("羽绒被 - Regular", "羽绒被 - Long")
    chairs = [products["CH-A"], products["CH-B"]]
    answer = comparison_answer("Which is lighter, the Perch Chair or the Stool Chair?", *chairs, "en")
    assert answer is not None and answer.startswith("Stool Chair is lighter: 1.5 kg vs 3.5 kg")
