"""The shop of tests/intents/shop.py loaded into a real Chroma store, and an assistant over it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.llm.scripted import ScriptedGenerator
from knowledge.embedding import MultilingualUSE
from knowledge.loaders import load_directory
from knowledge.store import KnowledgeStore, make_client
from tests.conftest import MODEL_CACHE
from tests.intents.shop import PRODUCTS, REVIEWS


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeStore]:
    folder = tmp_path_factory.mktemp("outdoor-shop")
    catalog = folder / "catalog"
    catalog.mkdir()
    (catalog / "products.jsonl").write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PRODUCTS), encoding="utf-8"
    )
    (catalog / "reviews.jsonl").write_text(
        "".join(json.dumps({"sku": s, "rating": r, "text": "Fine tent."}) + "\n" for s, r in REVIEWS),
        encoding="utf-8",
    )
    store = KnowledgeStore(make_client("embedded", folder / "chroma"), MultilingualUSE(threads=1), folder / "kb")
    store.activate(store.build_release(load_directory(catalog)))
    yield store


@pytest.fixture
async def shop_assistant(tmp_path: Path, shop: KnowledgeStore) -> AsyncIterator[Assistant]:
    assistant = build_assistant(
        Settings(data_dir=tmp_path, cache_dir=MODEL_CACHE), generator=ScriptedGenerator(), knowledge=shop
    )
    yield assistant
    assistant.memory.close()
