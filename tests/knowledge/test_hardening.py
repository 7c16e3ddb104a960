"""Regression tests for issue 11 (knowledge base and data directory): each finding, fixed as a class.

Non-finite and absurd numbers stop at validation with file:line; a damaged release never stops the
commands that repair it; a failed reload leaves nothing listed; a torn updates log is tolerated; a
products-only reload keeps the live passages; refused admin paths are audited; files are private.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.admin import AdminActor, KnowledgeAdmin
from assistant.config import Settings
from assistant.conversation import SQLiteConversationStore
from assistant.errors import PermissionDenied
from assistant.handoff import HandoffTicket, SQLiteTicketStore
from assistant.logs import configure_logging
from assistant.safety.retention import SECONDS_PER_DAY, purge
from knowledge.doctor import diagnose
from knowledge.embedding import MultilingualUSE
from knowledge.errors import CatalogValidationError, KnowledgeStoreCorrupt, StorageCorrupt
from knowledge.loaders import load_paths
from knowledge.reload import reload_catalog
from knowledge.search import ProductQuery
from knowledge.store import KnowledgeStore, make_client

ADMIN = AdminActor("telegram", "1001")
CLI = AdminActor("cli", "tester")
OPEN_BITS = stat.S_IRWXG | stat.S_IRWXO


def open_data_dir(data_dir: Path) -> KnowledgeStore:
    """A store laid out as the CLI lays it out (``<data>/chroma``), as a fresh process would open it."""
    store = KnowledgeStore(make_client("embedded", data_dir / "chroma"), MultilingualUSE(threads=1), data_dir)
    store.open_live()
    return store


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def live_store(data_dir: Path, small_catalog: Path) -> KnowledgeStore:
    store = open_data_dir(data_dir)
    reload_catalog(store, [small_catalog], created_by="cli:test")
    return store


@pytest.fixture
def admin(live_store: KnowledgeStore, data_dir: Path, small_catalog: Path) -> KnowledgeAdmin:
    settings = Settings(data_dir=data_dir, catalog_dir=small_catalog, admin_ids=["telegram:1001"], embed_threads=1)
    return KnowledgeAdmin(live_store, settings)


def first_row(catalog: Path) -> dict[str, object]:
    row = json.loads((catalog / "products.jsonl").read_text("utf-8").splitlines()[0])
    assert isinstance(row, dict)
    return row


def test_non_finite_negative_and_absurd_numbers_are_refused_with_file_and_line(
    tmp_path: Path, small_catalog: Path
) -> None:
    base = first_row(small_catalog)
    rows = [
        '{"sku": "OK-1", "name": "Fine", "category": "x", "price": 10, "stock": 1}',
        json.dumps({**base, "sku": "INF-1", "price": float("inf")}),  # json writes the bare token Infinity
        json.dumps({**base, "sku": "NAN-1", "price": float("nan")}),
        json.dumps({**base, "sku": "NEG-1", "price": -1}),
        json.dumps({**base, "sku": "BIG-1", "price": 1e15}),
        json.dumps({**base, "sku": "STR-1", "price": "Infinity"}),
        json.dumps({**base, "sku": "STK-1", "stock": 10**15}),
        json.dumps({**base, "sku": "ATT-1", "attributes": {"weight_g": float("nan")}}),
    ]
    path = tmp_path / "products.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    csv = tmp_path / "more.csv"
    csv.write_text("sku,name,category,price,stock\nC-1,a,x,inf,1\nC-2,b,x,NaN,1\nC-3,c,x,¥1e400,1\n", "utf-8")

    loaded = load_paths([path, csv])

    assert [p.sku for p in loaded.products] == ["OK-1"]
    problems = "\n".join(loaded.problems)
    for line in range(2, 9):
        assert f"{path}:{line}: " in problems
    assert f"{path}:2: price: price is not a finite number: inf" in problems
    assert f"{path}:5: price: Input should be less than or equal to 100000000" in problems
    assert f"{path}:7: stock: Input should be less than or equal to 1000000000" in problems
    for line in (2, 3, 4):
        assert f"{csv}:{line}: price: price is not a finite number" in problems


def test_upsert_of_infinity_is_refused_and_every_command_keeps_working(
    admin: KnowledgeAdmin, data_dir: Path, small_catalog: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**first_row(small_catalog), "price": float("inf")}) + "\n", encoding="utf-8")

    with pytest.raises(CatalogValidationError) as info:
        admin.upsert(CLI, bad)
    assert f"{bad}:1: price: price is not a finite number" in "\n".join(info.value.problems)
    with pytest.raises(CatalogValidationError):
        admin.set_stock(CLI, str(first_row(small_catalog)["sku"]), 10**12)

    again = open_data_dir(data_dir)  # what `ask`, `kb status`, `kb rollback` open
    assert again.damage is None and again.live.release_id == admin.store.live.release_id
    assert again.search_products(ProductQuery(text="running shoes", k=3))


def test_an_updates_log_written_by_an_older_version_is_reported_and_doctor_repairs_it(
    live_store: KnowledgeStore, data_dir: Path, small_catalog: Path
) -> None:
    """Older versions wrote ``"price": null`` for Infinity; that made every command crash in ``_attach``."""
    live_id = live_store.live.release_id
    good = {**first_row(small_catalog), "stock": 7}
    log = data_dir / "releases" / live_id / "updates.jsonl"
    log.write_text(json.dumps(good) + "\n" + json.dumps({**good, "price": None}) + "\n", encoding="utf-8")

    broken = open_data_dir(data_dir)
    assert not broken.has_live and isinstance(broken.damage, KnowledgeStoreCorrupt)
    assert f"{log}:2: damaged record (price:" in broken.damage.message
    assert "kb doctor --repair" in broken.damage.hint
    assert live_id in broken.release_ids()  # `kb status` still lists what there is

    report = diagnose(data_dir, repair=True)

    assert report.healthy, report.lines()
    fixed = open_data_dir(data_dir)
    assert fixed.damage is None and fixed.live.release_id == live_id
    assert fixed.live.products[str(good["sku"])].stock == 7  # the good update survived the repair
    assert (log.parent / "updates.rejected.jsonl").read_text("utf-8").count("\n") == 1


def test_a_torn_last_update_is_left_out_and_cut_by_the_next_upsert(live_store: KnowledgeStore, data_dir: Path) -> None:
    first, second = list(live_store.live.products.values())[:2]
    live_store.set_stock(first.sku, 41)
    log = data_dir / "releases" / live_store.live.release_id / "updates.jsonl"
    with log.open("ab") as handle:
        handle.write(second.model_copy(update={"stock": 99}).model_dump_json().encode()[:50])  # crash mid-append

    reader = open_data_dir(data_dir)
    assert reader.damage is None
    assert reader.live.products[first.sku].stock == 41
    assert reader.live.products[second.sku].stock == second.stock  # never acknowledged: not applied
    assert not diagnose(data_dir).healthy  # doctor reports the torn record (a warning)

    reader.set_stock(second.sku, 5)

    lines = log.read_text("utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line)["sku"] in (first.sku, second.sku) for line in lines)
    assert open_data_dir(data_dir).live.products[second.sku].stock == 5


def test_a_reload_that_fails_after_building_leaves_no_release_listed(
    live_store: KnowledgeStore, small_catalog: Path
) -> None:
    live_id = live_store.live.release_id

    def relay(stage: str, done: int, total: int) -> None:
        if stage == "indexed":  # the chat message relaying progress could not be edited
            raise ConnectionError("progress relay failed")

    with pytest.raises(ConnectionError):
        reload_catalog(live_store, [small_catalog], progress=relay)

    assert live_store.release_ids() == [live_id] and live_store.live.release_id == live_id


def test_a_damaged_live_release_does_not_stop_reload_or_rollback(
    live_store: KnowledgeStore, data_dir: Path, small_catalog: Path
) -> None:
    first = live_store.live.release_id
    second = reload_catalog(live_store, [small_catalog]).release_id
    (data_dir / "releases" / second / "products.jsonl").write_text("{not json\n", encoding="utf-8")

    damaged = open_data_dir(data_dir)
    assert isinstance(damaged.damage, KnowledgeStoreCorrupt) and "products.jsonl:1" in damaged.damage.message
    assert damaged.rollback() == first  # `kb rollback` works on the damaged store
    assert open_data_dir(data_dir).live.release_id == first
    rebuilt = reload_catalog(open_data_dir(data_dir), [small_catalog])  # and so does `kb reload`
    assert rebuilt.activated


def test_gbk_reviews_are_decoded_and_bad_bytes_name_the_file(tmp_path: Path, small_catalog: Path) -> None:
    sku = str(first_row(small_catalog)["sku"])
    folder = tmp_path / "gbk"
    shutil.copytree(small_catalog, folder)
    review = {"sku": sku, "rating": 5, "text": "很好穿，推荐", "language": "zh"}
    (folder / "reviews.jsonl").write_bytes((json.dumps(review, ensure_ascii=False) + "\n").encode("gbk"))

    loaded = load_paths([folder])

    assert loaded.problems == []
    assert [r.text for r in loaded.reviews] == ["很好穿，推荐"]
    assert any("reviews.jsonl: decoded as GB18030" in n for n in loaded.notices)
    (folder / "reviews.jsonl").write_bytes(b'{"sku": "A", "rating": 5, "text": "\xff\xfe\x80\x81"}\n\x81')
    broken = load_paths([folder / "reviews.jsonl"])
    assert broken.problems and broken.problems[0].startswith(f"{folder / 'reviews.jsonl'}:")


def test_duplicate_skus_are_reported_with_both_lines(tmp_path: Path) -> None:
    row = '{"sku": "%s", "name": "n", "category": "c", "price": 1, "stock": 1}\n'
    one = tmp_path / "a.jsonl"
    one.write_text(row % "A-1" + row % "B-1" + row % "a-1", encoding="utf-8")
    two = tmp_path / "b.jsonl"
    two.write_text(row % "C-1" + row % "B-1", encoding="utf-8")

    problems = load_paths([one, two]).problems

    assert f"{one}:3: duplicate SKU A-1 (first defined at {one}:1)" in problems
    assert f"{two}:2: duplicate SKU B-1 (first defined at {one}:2)" in problems


def test_reloading_only_a_products_file_keeps_the_live_passages_and_says_so(
    live_store: KnowledgeStore, small_catalog: Path
) -> None:
    passages = len(live_store.live.docs)
    assert passages > 0

    outcome = reload_catalog(live_store, [small_catalog / "products.jsonl"])

    assert len(live_store.live.docs) == passages
    assert f"kept {passages} FAQ/policy passages of release" in outcome.summary()
    assert live_store.search_docs("how do returns work", "en")


def test_a_refused_admin_path_is_audited(admin: KnowledgeAdmin, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()

    with pytest.raises(PermissionDenied):
        admin.reload(ADMIN, [outside])
    with pytest.raises(PermissionDenied):
        admin.upsert(ADMIN, outside / "x.jsonl")

    entries = [(e["who"], e["action"], e["result"]) for e in admin.audit.entries()]
    assert entries == [("telegram:1001", "reload", "denied"), ("telegram:1001", "upsert", "denied")]
    assert "outside the catalog folders" in admin.audit.entries()[0]["detail"]


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)  # the worst case: everything would be created world-writable
    yield
    os.umask(old)


@pytest.mark.usefixtures("open_umask", "restore_logging")
def test_everything_in_the_data_dir_is_private_whatever_the_umask(tmp_path: Path, small_catalog: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    settings = Settings(data_dir=data_dir, catalog_dir=small_catalog)
    configure_logging(settings, to_stderr=False)
    SQLiteConversationStore(settings.memory_db).close()
    SQLiteTicketStore(settings.handoff_db)
    store = open_data_dir(data_dir)
    reload_catalog(store, [small_catalog])
    KnowledgeAdmin(store, settings).status(CLI)

    paths = [data_dir, *data_dir.rglob("*")]
    chroma = data_dir / "chroma"
    mine = [p for p in paths if chroma not in p.parents]  # Chroma's own files sit in a 0700 folder
    names = {p.name for p in mine}
    assert {"memory.sqlite3", "handoff.sqlite3", "shopguide.log", "audit.jsonl", "products.jsonl"} <= names
    assert [p for p in mine if p.stat().st_mode & OPEN_BITS] == []
    assert chroma.stat().st_mode & OPEN_BITS == 0
    assert diagnose(data_dir).healthy


def test_a_damaged_sqlite_store_names_the_repair_that_fixes_it(tmp_path: Path) -> None:
    path = tmp_path / "data" / "memory.sqlite3"
    SQLiteConversationStore(path).close()
    path.write_bytes(b"not a database, just bytes" * 100)

    with pytest.raises(StorageCorrupt) as info:
        SQLiteConversationStore(path)
    assert "kb doctor --repair" in info.value.hint

    assert diagnose(tmp_path / "data", repair=True).healthy
    SQLiteConversationStore(path).close()  # the fix worked: a fresh store opens


def test_a_failing_index_collection_degrades_to_lexical_search_and_says_how_to_repair(
    live_store: KnowledgeStore, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    name = next(iter(live_store.live.shards))
    live_store.client.delete_collection(name)  # what a crash or another process can leave behind

    with caplog.at_level(logging.ERROR, logger="knowledge.store"):
        hits = live_store.search_products(ProductQuery(text="running shoes", k=3))

    assert hits  # answered from BM25
    assert any("kb_index_damaged" in r.getMessage() and "kb doctor --repair" in r.getMessage() for r in caplog.records)
    report = diagnose(data_dir, repair=True)  # the named fix: rebuilds the live release from its snapshot
    assert report.healthy, report.lines()
    fixed = open_data_dir(data_dir)
    assert fixed.damage is None and len(fixed.live.products) == len(live_store.live.products)


def test_purge_clears_resolved_tickets_from_the_handoff_store(tmp_path: Path) -> None:
    """Transcripts live in ``handoff.sqlite3``; the purge used to look only beside the memory."""
    settings = Settings(data_dir=tmp_path / "data")
    tickets = SQLiteTicketStore(settings.handoff_db)
    old = time.time() - 90 * SECONDS_PER_DAY
    tickets.save(HandoffTicket("old", "c:1", "cli", "1", None, "u", "r", "en", "resolved", None, old, old))
    tickets.save(HandoffTicket("open", "c:2", "cli", "2", None, "u", "r", "en", "open", None, old, None))

    report = purge(settings, 30)

    assert report.handoff_tickets == 1
    assert tickets.get("old") is None and tickets.get("open") is not None
    tickets.close()
