"""Hybrid retrieval over the demo catalog: hard filters, exact codes, both languages, measured quality."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from knowledge.embedding import MultilingualUSE
from knowledge.evaluation import load_queries, score_mode
from knowledge.loaders import load_directory
from knowledge.search import ProductQuery
from knowledge.store import KnowledgeStore, make_client

DEMO_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "demo"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeStore]:
    """The demo catalog with a tiny band size, so price bands and band groups are exercised too."""
    folder = tmp_path_factory.mktemp("demo-kb")
    store = KnowledgeStore(
        make_client("embedded", folder / "chroma"), MultilingualUSE(threads=1), folder, shard_target=20
    )
    store.activate(store.build_release(load_directory(DEMO_DIR)))
    yield store


def skus(store: KnowledgeStore, query: ProductQuery) -> list[str]:
    return [h.product.sku for h in store.search_products(query)]


@pytest.mark.parametrize(
    "query",
    [
        ProductQuery("waterproof jacket", price_max=900, in_stock_only=True, k=20),
        ProductQuery("防水冲锋衣", language="zh", price_min=500, price_max=1500, k=20),
        ProductQuery("headphones", price_min=300.5, price_max=301, k=20),
        ProductQuery("backpack", category="backpacks", brand="Tidewell", in_stock_only=True, k=20),
        ProductQuery("shoes", attributes={"terrain": "trail"}, k=20),
    ],
)
def test_filters_are_hard_constraints(demo: KnowledgeStore, query: ProductQuery) -> None:
    hits = demo.search_products(query)
    for hit in hits:
        p = hit.product
        assert query.price_min is None or p.price >= query.price_min
        assert query.price_max is None or p.price <= query.price_max
        assert not query.in_stock_only or p.stock > 0
        assert query.category is None or p.category == query.category
        assert query.brand is None or p.brand == query.brand
        assert all(p.attributes.get(k) == v for k, v in query.attributes.items())


def test_filtered_search_finds_every_match_when_asking_for_all(demo: KnowledgeStore) -> None:
    expected = {
        p.sku for p in demo.all_products() if p.category == "jackets" and p.stock > 0 and 400 <= p.price <= 1200
    }
    got = set(
        skus(demo, ProductQuery("jacket", category="jackets", price_min=400, price_max=1200, in_stock_only=True, k=50))
    )
    assert got == expected


def test_exact_sku_or_model_number_wins(demo: KnowledgeStore) -> None:
    assert skus(demo, ProductQuery("do you have sg-hph-0002 in black?"))[0] == "SG-HPH-0002"
    laptop = next(p for p in demo.all_products() if "i5-1335U" in p.name)
    assert laptop.sku in skus(demo, ProductQuery("i5-1335U laptop", k=3))


def test_chinese_and_english_queries_find_the_same_kind_of_product(demo: KnowledgeStore) -> None:
    en = demo.search_products(ProductQuery("noise cancelling headphones", k=5))
    zh = demo.search_products(ProductQuery("降噪耳机", language="zh", k=5))
    assert all(h.product.category == "headphones" for h in en + zh)
    assert sum(bool(h.product.attributes.get("noise_cancelling")) for h in zh) >= 3


def test_passages_come_from_faq_and_policies_in_the_asked_language(demo: KnowledgeStore) -> None:
    en = demo.search_docs("how do I get an invoice", "en", k=2)
    zh = demo.search_docs("怎么开发票", "zh", k=2)
    assert "invoice" in en[0].doc.text.lower() or "fapiao" in en[0].doc.title.lower()
    assert zh[0].doc.language == "zh" and "发票" in zh[0].doc.text + zh[0].doc.title


def test_hybrid_beats_dense_and_bm25_on_the_labelled_set(demo: KnowledgeStore) -> None:
    queries = load_queries()
    assert len(queries) >= 150 and {q.language for q in queries} == {"zh", "en"}
    with demo.lease() as live:
        scores = {mode: score_mode(demo, live, queries, mode) for mode in ("dense", "bm25", "hybrid")}
    hybrid = scores["hybrid"]
    for other in ("dense", "bm25"):
        assert hybrid.recall_at_5 > scores[other].recall_at_5, scores
        assert hybrid.ndcg_at_10 > scores[other].ndcg_at_10, scores


def test_both_store_modes_answer_the_same(make_store: Callable[..., KnowledgeStore], small_catalog: Path) -> None:
    store = make_store()
    store.activate(store.build_release(load_directory(small_catalog)))
    hits = store.search_products(ProductQuery("running shoes", price_max=600, in_stock_only=True))
    assert hits and all(h.product.price <= 600 and h.product.stock > 0 for h in hits)
    assert hits[0].product.category == "running_shoes"
    assert store.search_docs("track my order", "en")[0].doc.kind == "faq"
