"""Chinese replies name a catalog's own specs cleanly: the shop's Chinese bullet names a spec lifted from
its English bullets, an English-only name is set apart from its number, and °C reads as °C. Real store
and retrieval; a generator that fails, so the reply is the catalog's own spec answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.app import build_assistant, load_knowledge
from assistant.config import Settings
from assistant.llm.scripted import ScriptedGenerator
from assistant.types import IncomingMessage
from knowledge.store import KnowledgeStore
from tests.conftest import MODEL_CACHE

TENTS = [
    {
        "sku": "TN-101",
        "name": "Alpine Dome Tent",
        "name_zh": "高山圆顶帐篷",
        "category": "tents",
        "price": 1299,
        "stock": 3,
        "description": "A storm tent.\n- Fly waterproof rating: 1500 mm\n- Comfort temperature: 5°C",
        "description_zh": "防风帐篷。\n- 外帐防水指数：1500毫米\n- 舒适温度：5°C",
    },
    {
        "sku": "TN-102",
        "name": "Coastal Tunnel Tent",
        "name_zh": "海岸隧道帐篷",
        "category": "tents",
        "price": 899,
        "stock": 6,
        "description": "A tunnel tent.\n- Fly waterproof rating: 2000 mm",
    },
]


@pytest.fixture(scope="module")
def tent_store(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeStore:
    root = tmp_path_factory.mktemp("tent-shop")
    catalog = root / "catalog"
    catalog.mkdir()
    lines = "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in TENTS)
    (catalog / "products.jsonl").write_text(lines, "utf-8")
    return load_knowledge(Settings(data_dir=root / "kb", cache_dir=MODEL_CACHE, catalog_dir=catalog))


async def spec_reply(tmp_path: Path, store: KnowledgeStore, question: str) -> str:
    settings = Settings(data_dir=tmp_path, cache_dir=MODEL_CACHE)
    assistant = build_assistant(settings, generator=ScriptedGenerator(fail=True), knowledge=store)
    try:
        reply = await assistant.ask(IncomingMessage(platform="test", chat_id="u", user_id="u", text=question))
    finally:
        assistant.memory.close()
    return reply.text


async def test_the_shops_chinese_bullet_names_a_spec_lifted_from_english(
    tmp_path: Path, tent_store: KnowledgeStore
) -> None:
    text = await spec_reply(tmp_path, tent_store, "高山圆顶帐篷的参数是什么？")
    assert "外帐防水指数1500毫米" in text
    assert "舒适温度5°C" in text
    assert "rating1500" not in text and "°c" not in text


async def test_an_english_only_spec_name_is_set_apart_in_chinese(tmp_path: Path, tent_store: KnowledgeStore) -> None:
    text = await spec_reply(tmp_path, tent_store, "海岸隧道帐篷的参数是什么？")
    assert "Fly waterproof rating：2000毫米" in text
    assert "rating2000" not in text
