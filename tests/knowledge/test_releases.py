"""Versioned releases: build beside live, gate, atomic switch, diff, rollback, pruning, live updates.

Every test runs against embedded Chroma and against a ``chroma run`` server (integration).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.errors import CatalogValidationError, KnowledgeError, ReleaseGateRefused, ReloadCancelled
from knowledge.layout import COLLECTION_PREFIX, release_of
from knowledge.loaders import load_directory
from knowledge.models import Product
from knowledge.registry import new_release_id
from knowledge.reload import reload_catalog
from knowledge.search import ProductQuery
from knowledge.store import KnowledgeStore

StoreFactory = Callable[..., KnowledgeStore]


def rewrite(catalog: Path, edit: Callable[[list[dict[str, object]]], list[dict[str, object]]]) -> None:
    path = catalog / "products.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in edit(rows)), "utf-8")


def test_reload_switches_and_diff_lists_price_and_stock_changes(store: KnowledgeStore, small_catalog: Path) -> None:
    first = reload_catalog(store, [small_catalog], created_by="cli:alice")
    assert first.activated and store.live.release_id == first.release_id

    def edit(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        rows[0]["price"] = 1.0
        rows[1]["stock"] = 0
        removed = rows.pop(2)
        assert removed
        rows.append({**rows[3], "sku": "NEW-0001", "name": "Brand New Thing"})
        return rows

    rewrite(small_catalog, edit)
    second = reload_catalog(store, [small_catalog], created_by="telegram:42")

    assert store.live.release_id == second.release_id != first.release_id
    diff = second.diff
    assert diff is not None
    assert [p.sku for p in diff.added] == ["NEW-0001"]
    assert len(diff.removed) == 1
    assert [c.new_price for c in diff.price_changes] == [1.0]
    assert [c.new_stock for c in diff.stock_changes] == [0]
    manifest = store.manifest(second.release_id)
    assert manifest.created_by == "telegram:42"
    assert manifest.counts["products"] == len(store.all_products())
    assert {s.path for s in manifest.sources} == {"products.jsonl", "faq.md"}
    assert all(len(s.sha256) == 64 for s in manifest.sources)
    assert store.history() == [first.release_id]


def test_invalid_reload_leaves_the_live_release_untouched(store: KnowledgeStore, small_catalog: Path) -> None:
    live = reload_catalog(store, [small_catalog]).release_id
    rewrite(small_catalog, lambda rows: [*rows, {**rows[0], "sku": "BAD-1", "price": -3}])

    with pytest.raises(CatalogValidationError) as info:
        reload_catalog(store, [small_catalog])

    assert any(":25: price: Input should be greater than or equal to 0" in p for p in info.value.problems)
    assert store.live.release_id == live and store.release_ids() == [live]
    skipped = reload_catalog(store, [small_catalog], skip_invalid=True)
    assert skipped.skipped_rows == 1 and "BAD-1" not in store.live.products


def test_gate_refuses_a_release_that_answers_reference_questions_worse(
    store: KnowledgeStore, small_catalog: Path
) -> None:
    live = reload_catalog(store, [small_catalog]).release_id
    products = list(store.live.products.values())
    questions = [{"id": f"r{i}", "text": p.name, "relevance": {p.sku: 3}} for i, p in enumerate(products[:10])]
    (small_catalog / "reference_questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in questions))
    keep = {p.sku for p in products[10:]}
    rewrite(small_catalog, lambda rows: [r for r in rows if r["sku"] in keep])

    with pytest.raises(ReleaseGateRefused) as info:
        reload_catalog(store, [small_catalog])

    assert "gate REFUSED" in info.value.message
    assert store.live.release_id == live
    assert store.release_ids() == [live]  # the refused build is dropped
    forced = reload_catalog(store, [small_catalog], force=True)
    assert store.live.release_id == forced.release_id


def test_crash_mid_ingest_leaves_no_visible_release(store: KnowledgeStore, small_catalog: Path) -> None:
    live = reload_catalog(store, [small_catalog]).release_id
    loaded = load_directory(small_catalog)

    with pytest.raises(KnowledgeError, match="interrupted"):
        store.build_release(loaded, fail_after_products=1)

    assert store.release_ids() == [live] and store.live.release_id == live
    removed = store.collect_garbage()
    assert removed and any(name.startswith(".building-") for name in removed)
    assert all(name.startswith(f"sg-{live}") for name in store._collection_names())


@pytest.mark.parametrize("at_stage", ["validated", "products", "documents", "indexed", "gated"])
def test_a_cancelled_reload_leaves_the_live_release_and_lists_no_half_release(
    store: KnowledgeStore, small_catalog: Path, at_stage: str
) -> None:
    first = reload_catalog(store, [small_catalog])
    rewrite(small_catalog, lambda rows: [{**r, "price": 1.0} for r in rows])
    cancel = threading.Event()
    seen: list[str] = []

    def progress(stage: str, done: int, total: int) -> None:
        seen.append(stage)
        if stage == at_stage:
            cancel.set()  # what Ctrl-C or a chat's cancel command does while this step runs

    with pytest.raises(ReloadCancelled, match="live release is unchanged"):
        reload_catalog(store, [small_catalog], progress=progress, cancel=cancel)
    assert seen[-1] == at_stage and "live" not in seen
    assert store.live.release_id == first.release_id
    assert store.release_ids() == [first.release_id]
    assert all(p.price != 1.0 for p in store.all_products())


def test_rollback_is_instant_and_prune_keeps_n_previous(make_store: StoreFactory, small_catalog: Path) -> None:
    store = make_store(keep_releases=2)
    ids = [reload_catalog(store, [small_catalog]).release_id for _ in range(4)]

    assert store.live.release_id == ids[3]
    assert store.history() == [ids[2], ids[1]]
    assert store.release_ids() == sorted(ids[1:])  # the oldest was pruned, collections included
    assert not any(name.startswith(f"sg-{ids[0]}") for name in store._collection_names())
    assert store.rollback() == ids[2]
    assert store.live.release_id == ids[2]
    assert store.rollback(ids[1]) == ids[1]


def test_pruning_waits_for_queries_still_reading_the_old_release(make_store: StoreFactory, small_catalog: Path) -> None:
    store = make_store(keep_releases=1)
    old = reload_catalog(store, [small_catalog]).release_id
    with store.lease() as reading:
        reload_catalog(store, [small_catalog])
        reload_catalog(store, [small_catalog])  # `old` is now beyond the kept history, but being read
        hits = store.search_release(reading, ProductQuery("backpack"))
        assert hits and reading.release_id == old
        assert old in store.release_ids()
    assert old not in store.release_ids()
    assert not any(name.startswith(f"sg-{old}") for name in store._collection_names())


def test_switch_is_atomic_for_concurrent_queries(store: KnowledgeStore, small_catalog: Path) -> None:
    reload_catalog(store, [small_catalog])
    rewrite(small_catalog, lambda rows: [{**r, "price": float(r["price"]) + 0.5} for r in rows])  # type: ignore[arg-type]
    errors: list[BaseException] = []
    mixed: list[list[float]] = []
    stop = threading.Event()

    def query() -> None:
        while not stop.is_set():
            try:
                prices = [h.product.price for h in store.search_products(ProductQuery("shoes", k=10))]
            except BaseException as exc:
                errors.append(exc)
                return
            if len({p % 1 for p in prices}) > 1:
                mixed.append(prices)

    worker = threading.Thread(target=query)
    worker.start()
    try:
        reload_catalog(store, [small_catalog])
    finally:
        stop.set()
        worker.join()
    assert errors == [] and mixed == []
    assert all(p.price % 1 == 0.5 for p in store.all_products())


def test_set_stock_and_upsert_are_visible_to_the_next_query_and_survive_reopen(
    make_store: StoreFactory, small_catalog: Path
) -> None:
    store = make_store()
    reload_catalog(store, [small_catalog])
    target = next(p for p in store.all_products() if p.category == "headphones" and p.stock > 0)
    query = ProductQuery(target.name, in_stock_only=True, k=3)
    assert target.sku in [h.product.sku for h in store.search_products(query)]

    store.set_stock(target.sku, 0)
    assert target.sku not in [h.product.sku for h in store.search_products(query)]

    new = Product(
        sku="UP-1",
        name="Auralis Featherlight Clip",
        category="headphones",
        brand="Auralis",
        price=99,
        stock=4,
        description="Open-ear clip headphones",
    )
    cheaper = Product.model_validate({**target.model_dump(), "price": 1.0, "stock": 2})
    store.upsert([new, cheaper])
    cheap_hits = [h.product.sku for h in store.search_products(ProductQuery("headphones", price_max=100, k=10))]
    assert {"UP-1", target.sku} <= set(cheap_hits)

    reopened = make_store()
    assert reopened.open_live()
    assert reopened.get_products(["UP-1", target.sku])[1].price == 1.0
    assert "UP-1" in [h.product.sku for h in reopened.search_products(ProductQuery("open-ear clip headphones"))]


def test_a_second_process_follows_the_switch(make_store: StoreFactory, small_catalog: Path) -> None:
    writer = make_store()
    first = reload_catalog(writer, [small_catalog]).release_id
    reader = make_store()
    assert reader.open_live() and reader.live.release_id == first
    switched: list[str] = []
    reader.subscribe(switched.append)

    second = reload_catalog(writer, [small_catalog]).release_id
    reader._last_refresh = 0.0  # skip the polling interval
    reader.search_products(ProductQuery("bottle"))
    for _ in range(100):
        if reader.live.release_id == second:
            break
        threading.Event().wait(0.05)
    assert reader.live.release_id == second
    assert switched == [second]


def test_a_pointer_to_a_missing_release_means_no_live_release(make_store: StoreFactory, tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir(parents=True, exist_ok=True)
    (tmp_path / "kb" / "live_release.json").write_text('{"release_id": "20200101-000000-abcdef"}', "utf-8")
    store = make_store()
    assert store.open_live() is False and not store.has_live


def test_release_ids_sort_in_creation_order_within_one_second() -> None:
    # Pruning keeps "older than live" by comparing ids: several releases built in one second (a fast
    # machine, a script) must still sort oldest first, or the wrong one is pruned.
    ids = [new_release_id() for _ in range(200)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(release_of(f"{COLLECTION_PREFIX}{i}-in") == i for i in ids)  # the collection-name format is unchanged
