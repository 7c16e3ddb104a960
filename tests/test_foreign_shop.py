"""A shop that is not the demo, end to end through the pipeline: a Shopify export in other kinds (a
"Product Type" header, zh names only in tags, some products without a price or stock data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import Assistant, build_assistant, load_knowledge
from assistant.config import Settings
from assistant.llm.scripted import ScriptedGenerator
from assistant.types import IncomingMessage
from knowledge.store import KnowledgeStore
from tests.conftest import MODEL_CACHE

HOME_EXPORT = """Handle,Title,Body (HTML),Vendor,Product Type,Tags,Variant SKU,Variant Price,Variant Inventory Qty
frost-a1,Frostline Fridge A1,Quiet two-door refrigerator.,Frostline,Refrigerators,冰箱,HM-FRG-001,3299,4
frost-b2,Frostline Fridge B2,Large refrigerator.,Frostline,Refrigerators,冰箱,HM-FRG-002,4599,0
frost-c3,Frostline Fridge C3,Compact refrigerator.,Frostline,Refrigerators,冰箱,HM-FRG-003,2199,9
lounge-3,Calmo Lounge Sofa 3-Seat,Linen sofa.,Calmo,Sofas,,HM-SOF-001,,
lounge-2,Calmo Lounge Sofa 2-Seat,Velvet sofa.,Calmo,Sofas,,HM-SOF-002,1999,7
"""


@pytest.fixture(scope="module")
def home_store(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeStore:
    root = tmp_path_factory.mktemp("home-shop")
    catalog = root / "catalog"
    catalog.mkdir()
    (catalog / "products_export.csv").write_text(HOME_EXPORT, "utf-8")
    return load_knowledge(Settings(data_dir=root / "kb", cache_dir=MODEL_CACHE, catalog_dir=catalog))


@pytest.fixture
def home(tmp_path: Path, home_store: KnowledgeStore) -> Assistant:
    settings = Settings(data_dir=tmp_path, cache_dir=MODEL_CACHE, catalog_dir=tmp_path)
    return build_assistant(settings, generator=ScriptedGenerator(), knowledge=home_store)


def msg(text: str, user: str) -> IncomingMessage:
    return IncomingMessage(platform="test", chat_id=user, user_id=user, text=text)


async def test_a_kind_the_shop_does_not_sell_is_refused_plainly_in_both_languages(home: Assistant) -> None:
    en = await home.ask(msg("Do you sell skateboards?", "a"))
    assert not en.cards and "don't sell skateboards" in en.text
    assert {c.label for c in en.choices} == {"Refrigerators", "Sofas"}  # the catalog's own categories
    zh = await home.ask(msg("你们卖滑板吗？", "b"))
    assert not zh.cards and "没有滑板" in zh.text
    assert {c.label for c in zh.choices} == {"冰箱", "Sofas"}  # zh label from the shop's tags, none invented


async def test_zh_and_en_names_reach_the_catalog_categories(home: Assistant) -> None:
    catalog = {p.sku: p for p in home.catalog.all_products()}
    for user, text in (("c", "推荐一款冰箱，3000元以内"), ("d", "show me refrigerators under 3000")):
        reply = await home.ask(msg(text, user))
        assert reply.cards, text
        assert all(catalog[c.sku].category == "refrigerators" and (c.price or 0) <= 3000 for c in reply.cards)


async def test_a_product_without_a_price_is_never_quoted_one(home: Assistant) -> None:
    reply = await home.ask(msg("How much is the Calmo Lounge Sofa 3-Seat?", "e"))
    assert [c.sku for c in reply.cards] == ["HM-SOF-001"]
    assert reply.cards[0].price is None
    assert "price not listed" in reply.text
    assert "¥" not in reply.text and "stock" not in reply.text.lower()
