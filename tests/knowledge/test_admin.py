"""The admin surface: allowlist, audit log (who, when, what, result; no PII), progress events, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bots.cli_kb  # noqa: F401  (registers the kb commands)
from assistant.admin import AdminActor, KnowledgeAdmin, ProgressEvent
from assistant.config import Settings
from assistant.errors import PermissionDenied
from bots.cli_groups import app
from knowledge.errors import CatalogValidationError
from knowledge.store import KnowledgeStore

ADMIN = AdminActor("telegram", "1001")
STRANGER = AdminActor("telegram", "666")


@pytest.fixture
def settings(tmp_path: Path, small_catalog: Path) -> Settings:
    return Settings(data_dir=tmp_path / "kb", catalog_dir=small_catalog, admin_ids=["telegram:1001"], embed_threads=1)


@pytest.fixture
def admin(store: KnowledgeStore, settings: Settings) -> KnowledgeAdmin:
    return KnowledgeAdmin(store, settings)


def test_non_admins_are_refused_and_the_refusal_is_audited(admin: KnowledgeAdmin) -> None:
    with pytest.raises(PermissionDenied):
        admin.reload(STRANGER)
    with pytest.raises(PermissionDenied):
        admin.rollback(STRANGER)

    entries = admin.audit.entries()
    assert [(e["who"], e["action"], e["result"]) for e in entries] == [
        ("telegram:666", "reload", "denied"),
        ("telegram:666", "rollback", "denied"),
    ]
    assert not admin.store.has_live


def test_reload_relays_progress_and_audits_who_when_what_result(admin: KnowledgeAdmin) -> None:
    events: list[ProgressEvent] = []
    outcome = admin.reload(ADMIN, progress=events.append)

    stages = [e.stage for e in events]
    assert stages[0] == "validated" and stages[-1] == "live" and "products" in stages and "gated" in stages
    assert events[-1].describe() == "new release is live"
    (entry,) = admin.audit.entries()
    assert entry["who"] == "telegram:1001" and entry["action"] == "reload" and entry["result"] == "ok"
    assert entry["release"] == outcome.release_id and entry["ts"]
    assert entry["sources"] == ["catalog"]  # base names only
    status = admin.status(ADMIN)
    assert status.live is not None and status.live.created_by == "telegram:1001"


def test_failed_reload_is_audited_as_error_without_row_content(admin: KnowledgeAdmin, small_catalog: Path) -> None:
    bad = small_catalog / "extra.csv"
    bad.write_text("sku,name,category,price,stock\nX-1,Call me at alice@example.com,x,-1,1\n", "utf-8")

    with pytest.raises(CatalogValidationError):
        admin.reload(ADMIN)

    (entry,) = admin.audit.entries()
    assert entry["result"] == "error" and entry["detail"].startswith("catalog_invalid")
    assert "alice@example.com" not in admin.audit.path.read_text("utf-8")


def test_chat_admins_cannot_reload_from_outside_the_catalog_folders(admin: KnowledgeAdmin) -> None:
    with pytest.raises(PermissionDenied, match="outside the catalog folders"):
        admin.reload(ADMIN, ["/etc/passwd"])


def test_diff_rollback_and_set_stock(admin: KnowledgeAdmin, small_catalog: Path) -> None:
    first = admin.reload(ADMIN).release_id
    rows = (small_catalog / "products.jsonl").read_text("utf-8").splitlines()
    product = json.loads(rows[0])
    product["price"] = 1.0
    rows[0] = json.dumps(product, ensure_ascii=False)
    (small_catalog / "products.jsonl").write_text("\n".join(rows) + "\n", "utf-8")

    preview = admin.diff(ADMIN, [small_catalog])
    assert [(c.sku, c.new_price) for c in preview.changed] == [(product["sku"], 1.0)]
    second = admin.reload(ADMIN).release_id
    assert admin.diff(ADMIN).summary().startswith("0 added, 0 removed, 1 changed (1 price")

    assert admin.rollback(ADMIN) == first and admin.store.live.release_id == first
    assert admin.store.get_products([product["sku"]])[0].price != 1.0
    admin.set_stock(ADMIN, product["sku"], 0)
    assert admin.store.get_products([product["sku"]])[0].stock == 0
    actions = [(e["action"], e["result"]) for e in admin.audit.entries()]
    assert actions[-2:] == [("rollback", "ok"), ("set-stock", "ok")]
    assert second in admin.store.release_ids()


def test_cli_reports_bad_rows_and_loads_nothing(
    tmp_path: Path, small_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(tmp_path / "cli-kb"))
    monkeypatch.setenv("SHOPGUIDE_EMBED_THREADS", "1")
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name,category,price,stock\nOK-1,Fine,x,1,1\nBAD-1,Bad,x,¥-9,1\n", "utf-8")

    refused = runner.invoke(app, ["kb", "reload", str(bad)])
    assert refused.exit_code == 2
    assert f"{bad}:3: price: Input should be greater than or equal to 0" in refused.output.replace("\n", "")

    loaded = runner.invoke(app, ["kb", "reload", str(small_catalog)])
    assert loaded.exit_code == 0, loaded.output
    assert "live" in loaded.output and "24 products" in loaded.output
    sku = json.loads((small_catalog / "products.jsonl").read_text("utf-8").splitlines()[0])["sku"]
    stocked = runner.invoke(app, ["kb", "set-stock", sku, "7"])
    assert stocked.exit_code == 0 and "stock 7" in stocked.output
    status = runner.invoke(app, ["kb", "status"])
    assert status.exit_code == 0 and "live:" in status.output
    extra = tmp_path / "extra.jsonl"
    extra.write_text(
        '{"sku": "NEW-1", "name": "Trail Flask", "category": "water_bottles", "price": "¥59", "stock": 3}\n'
    )
    upserted = runner.invoke(app, ["kb", "upsert", str(extra)])
    assert upserted.exit_code == 0 and "1 products upserted" in upserted.output
    preview = runner.invoke(app, ["kb", "diff", str(small_catalog)])
    assert preview.exit_code == 0 and "1 removed" in preview.output and "NEW-1" in preview.output
    rollback = runner.invoke(app, ["kb", "rollback"])
    assert rollback.exit_code == 2 and "no previous release" in rollback.output
