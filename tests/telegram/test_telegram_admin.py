"""Admin knowledge-base commands from Telegram: allowlist, progress while reloading, audit, rollback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.admin import AuditLog, KnowledgeAdmin
from assistant.app import load_knowledge
from assistant.config import DEMO_DATA_DIR, Settings
from bots.telegram.kb import TelegramKbCommands
from shopguide_testkit.fake_bot_api import FakeBotApi
from shopguide_testkit.tg_harness import ADMIN_ID, BotFactory

pytestmark = pytest.mark.integration  # a loopback fake Bot API server

SHOPPER = 1001
PRODUCTS_KEPT = 12
RELOAD_COPIES = 20  # copies of the demo catalog in the reload a cancel interrupts


def tiny_catalog(root: Path) -> Path:
    """The first products of the demo catalog and its policies: quick to index, still real data."""
    root.mkdir(parents=True)
    lines = (DEMO_DATA_DIR / "products.jsonl").read_text(encoding="utf-8").splitlines()[:PRODUCTS_KEPT]
    (root / "products.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "policies.md").write_text((DEMO_DATA_DIR / "policies.md").read_text(encoding="utf-8"), encoding="utf-8")
    return root


def set_price(catalog: Path, sku: str, price: float) -> None:
    path = catalog / "products.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        if row["sku"] == sku:
            row["price"] = price
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


async def command(fake: FakeBotApi, text: str, user: int) -> str:
    before = len(fake.shown(user))
    await fake.send_text(user, user, text)
    await fake.wait_for(lambda: len(fake.shown(user)) > before, within=60)
    await fake.wait_until_quiet(1.2, within=120)
    return fake.shown(user)[-1].text


async def test_admin_reloads_diffs_and_rolls_back_shoppers_see_the_new_prices(
    fake: FakeBotApi, run_bot: BotFactory, tg_settings: Settings, tmp_path: Path
) -> None:
    catalog = tiny_catalog(tmp_path / "catalog")
    settings = tg_settings.model_copy(update={"data_dir": tmp_path / "kbdata", "catalog_dir": catalog})
    store = load_knowledge(settings)
    audit = AuditLog(settings.audit_log)
    async with run_bot(knowledge=store, data_dir=settings.data_dir, catalog_dir=catalog) as adapter:
        adapter.kb = TelegramKbCommands(
            KnowledgeAdmin(store, settings, audit=audit),
            interval_s=0.3,
        )
        status = await command(fake, "/kb_status", ADMIN_ID)
        assert status.startswith("live: ") and f"({PRODUCTS_KEPT} products" in status

        assert await command(fake, "/kb_reload", SHOPPER) == "Sorry, that command is for shop staff only."

        set_price(catalog, "SG-RUN-0001", 399.0)
        diff = await command(fake, "/kb_diff products.jsonl", ADMIN_ID)
        assert "~ SG-RUN-0001 Stridex AeroRun 2: price 459 -> 399" in diff

        report = await command(fake, "/kb_reload", ADMIN_ID)
        progress_message = fake.shown(ADMIN_ID)[-1]
        assert report.startswith("Reloading the catalog…\n· validated 12 products")
        assert "Reload finished: release " in report and " live" in report
        assert progress_message.edits  # the same message showed the progress as it happened

        await command(fake, "details SG-RUN-0001", SHOPPER)
        assert any("¥399" in m.text for m in fake.shown(SHOPPER))

        rolled = await command(fake, "/kb_rollback", ADMIN_ID)
        assert rolled.startswith("Rolled back: release ") and rolled.endswith(" is live.")
        await command(fake, "details SG-RUN-0001", SHOPPER)
        assert "¥459" in fake.shown(SHOPPER)[-2].text  # the card of the latest answer

    entries = [(e["who"], e["action"], e["result"]) for e in audit.entries()]
    assert entries == [
        (f"telegram:{ADMIN_ID}", "status", "ok"),
        (f"telegram:{SHOPPER}", "reload", "denied"),
        (f"telegram:{ADMIN_ID}", "diff", "ok"),
        (f"telegram:{ADMIN_ID}", "reload", "ok"),
        (f"telegram:{ADMIN_ID}", "rollback", "ok"),
    ]


async def test_reload_progress_counts_and_a_cancel_leaves_the_live_release(
    fake: FakeBotApi, run_bot: BotFactory, tg_settings: Settings, tmp_path: Path
) -> None:
    catalog = tiny_catalog(tmp_path / "catalog")
    settings = tg_settings.model_copy(update={"data_dir": tmp_path / "kbdata", "catalog_dir": catalog})
    store = load_knowledge(settings)
    live = store.live.release_id
    # The whole demo catalog, copied under new SKUs, in the catalog folder now: a reload long enough that the
    # cancel lands while it embeds (the demo catalog alone could finish first on an idle machine).
    demo = [json.loads(line) for line in (DEMO_DATA_DIR / "products.jsonl").read_text("utf-8").splitlines()]
    grown = demo + [{**p, "sku": f"{p['sku']}-C{n}"} for n in range(RELOAD_COPIES) for p in demo]
    (catalog / "products.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in grown), "utf-8")
    async with run_bot(knowledge=store, data_dir=settings.data_dir, catalog_dir=catalog) as adapter:
        adapter.kb = TelegramKbCommands(KnowledgeAdmin(store, settings, audit=AuditLog(settings.audit_log)))
        assert await command(fake, "/kb_cancel", ADMIN_ID) == "No reload is running."

        await fake.send_text(ADMIN_ID, ADMIN_ID, "/kb_reload")
        await fake.wait_for(lambda: "validated" in fake.shown(ADMIN_ID)[-1].text, within=60)
        progress = fake.shown(ADMIN_ID)[-1]
        await fake.send_text(ADMIN_ID, ADMIN_ID, "/kb_cancel")
        await fake.wait_for(lambda: "Reload cancelled" in progress.text, within=120)
        await fake.wait_until_quiet(1.2, within=120)

    texts = [m.text for m in fake.shown(ADMIN_ID)]
    assert "Cancelling the reload… the live release stays as it is." in texts
    assert progress.text.startswith(f"Reloading the catalog…\n· validated {len(grown)} products")
    assert progress.text.endswith("Reload cancelled: the live release is unchanged and no new release was kept.")
    assert store.live.release_id == live and store.release_ids() == [live]
    assert len(store.all_products()) == PRODUCTS_KEPT
