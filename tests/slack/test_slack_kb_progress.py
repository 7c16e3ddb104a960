"""Slack ``kb reload`` progress in its thread (counts), and ``kb cancel`` stopping it with the live release kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.app import load_knowledge
from assistant.config import DEMO_DATA_DIR, Settings
from assistant.llm.scripted import ScriptedGenerator
from bots.slack.kb import AdminKbOperations, SlackKnowledgeAdmin
from shopguide_testkit.slack_harness import ADMIN, start_harness

pytestmark = pytest.mark.integration  # a loopback fake Slack Web API server

PRODUCTS_KEPT = 12
RELOAD_COPIES = 20  # copies of the demo catalog in the reload a cancel interrupts


async def test_reload_progress_in_thread_and_cancel_keeps_the_live_release(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    products = (DEMO_DATA_DIR / "products.jsonl").read_text("utf-8")
    (catalog / "products.jsonl").write_text("\n".join(products.splitlines()[:PRODUCTS_KEPT]) + "\n", "utf-8")
    settings = Settings(data_dir=tmp_path / "kbdata", catalog_dir=catalog, admin_ids=[f"slack:{ADMIN}"])
    store = load_knowledge(settings)
    live = store.live.release_id
    # The demo catalog, copied under new SKUs: a reload long enough that the cancel lands while it embeds.
    demo = [json.loads(line) for line in products.splitlines()]
    grown = demo + [{**p, "sku": f"{p['sku']}-C{n}"} for n in range(RELOAD_COPIES) for p in demo]
    (catalog / "products.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in grown), "utf-8")
    kb = AdminKbOperations(SlackKnowledgeAdmin(store, settings))
    harness = await start_harness(tmp_path / "slack", store, generator=ScriptedGenerator(), kb=kb)
    root = "1700000900.000100"
    try:
        await harness.mention("kb reload", user=ADMIN, ts=root)
        await harness.api.wait_for(
            lambda: any(f"validated {len(grown)} products" in m.text for m in harness.api.thread("CGENERAL", root)),
            timeout=60,
        )
        await harness.slash("kb cancel", user=ADMIN, rid="cancel")
        await harness.api.wait_for(lambda: any(r["rid"] == "cancel" for r in harness.api.responses), timeout=30)
        await harness.api.wait_for(
            lambda: any("Reload cancelled" in m.text for m in harness.api.thread("CGENERAL", root)), timeout=120
        )
        cancel = next(r for r in harness.api.responses if r["rid"] == "cancel")
        assert cancel["text"] == "Cancelling the reload… the live release stays as it is."
        texts = [m.text for m in harness.api.thread("CGENERAL", root)]
        assert texts[0] == f"reload: validated {len(grown)} products"
        assert texts[-1] == "Reload cancelled: the live release is unchanged and no new release was kept."
        assert store.live.release_id == live and store.release_ids() == [live]
        assert len(store.all_products()) == PRODUCTS_KEPT
    finally:
        await harness.aclose()
