"""The recommender is stored with the knowledge release: `shoppers train` reaches a running assistant without
a restart, a rollback serves the release's own model, and a model for another catalog is refused.

Real parts throughout: the demo catalog embedded into this test's own Chroma store, SQLite profiles, the CLI
run in-process (its own store on the same folder, as a second process would be).
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app import Assistant, build_assistant, load_knowledge
from assistant.config import Settings
from assistant.llm.scripted import ScriptedGenerator
from assistant.personal.profile import ShopperEvent, SQLiteProfileStore
from assistant.personal.recommender import RELEASE_MODEL
from assistant.personal.training import train_model
from assistant.types import IncomingMessage, Reply
from bots.cli import app
from knowledge.loaders import load_directory
from knowledge.store import KnowledgeStore
from tests.conftest import MODEL_CACHE

DEMO_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "demo"
DAY = 86_400.0
FOLLOW_WAIT_S = 10.0  # the serving store polls the pointer once a second and follows in the background
runner = CliRunner()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_logging: None) -> Settings:
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(tmp_path))  # the CLI's settings: the same data directory
    return Settings(data_dir=tmp_path, cache_dir=MODEL_CACHE)


@pytest.fixture
def knowledge(settings: Settings) -> KnowledgeStore:
    return load_knowledge(settings)  # this test's own release: training writes into it


def buyers(first: int, count: int, bottle: str, now: float) -> list[ShopperEvent]:
    """Shoppers who bought the Stridex running shoes and then ``bottle``."""
    events: list[ShopperEvent] = []
    for n in range(first, first + count):
        events.append(ShopperEvent(f"gen:{n}", "SG-RUN-0001", "purchase", now - 200 * DAY))
        events.append(ShopperEvent(f"gen:{n}", bottle, "purchase", now - 190 * DAY))
    return events


def store_history(settings: Settings, events: list[ShopperEvent]) -> None:
    store = SQLiteProfileStore(settings.memory_db)
    store.add_events(events)
    store.close()


async def ask_bottles(assistant: Assistant) -> Reply:
    me = IncomingMessage(platform="telegram", chat_id="777", user_id="777", text="water bottles under 500")
    assistant.reset(me)
    return await assistant.ask(me)


def train() -> str:
    result = runner.invoke(app, ["shoppers", "train"])
    assert result.exit_code == 0, result.output
    assert "running assistants serve it now" in result.output
    return result.output


async def test_a_trained_model_reaches_the_running_assistant_without_a_restart(
    settings: Settings, knowledge: KnowledgeStore
) -> None:
    now = time.time()
    store_history(
        settings,
        [*buyers(0, 40, "SG-BTL-0001", now), ShopperEvent("telegram:777", "SG-RUN-0001", "purchase", now - 20 * DAY)],
    )
    assistant = build_assistant(settings, generator=ScriptedGenerator(), knowledge=knowledge)
    before = await ask_bottles(assistant)
    assert before.cards and not any("goes with" in c.reason for c in before.cards), "no model yet: cold start"

    output = train()
    assert f"stored with release {knowledge.live.release_id} as model" in output
    deadline = time.monotonic() + FOLLOW_WAIT_S
    reply = await ask_bottles(assistant)
    while "goes with" not in reply.cards[0].reason and time.monotonic() < deadline:
        await asyncio.sleep(0.3)
        reply = await ask_bottles(assistant)
    assert reply.cards[0].sku == "SG-BTL-0001", "the bottle other buyers of these shoes took comes first"
    assert "goes with the Stridex AeroRun 2 you bought in" in reply.cards[0].reason
    await assistant.aclose()


async def test_rollback_serves_the_release_own_model(settings: Settings, knowledge: KnowledgeStore) -> None:
    now = time.time()
    me = ShopperEvent("telegram:777", "SG-RUN-0001", "purchase", now - 20 * DAY)
    store_history(settings, [*buyers(0, 40, "SG-BTL-0001", now), me])
    assistant = build_assistant(settings, generator=ScriptedGenerator(), knowledge=knowledge)
    first = knowledge.live.release_id
    knowledge.publish_model(RELEASE_MODEL, train_model(SQLiteProfileStore(settings.memory_db).all_events()).save)
    assert (await ask_bottles(assistant)).cards[0].sku == "SG-BTL-0001"

    # A catalog reload: the new release starts with the model the live one served.
    second = knowledge.build_release(load_directory(DEMO_DIR))
    knowledge.activate(second)
    carried = await ask_bottles(assistant)
    assert carried.cards[0].sku == "SG-BTL-0001" and "goes with" in carried.cards[0].reason

    # Many more shoe buyers now take the other bottle; trained into the second release only.
    store_history(settings, buyers(100, 150, "SG-BTL-0002", now))
    knowledge.publish_model(RELEASE_MODEL, train_model(SQLiteProfileStore(settings.memory_db).all_events()).save)
    retrained = await ask_bottles(assistant)
    assert retrained.cards[0].sku == "SG-BTL-0002", "the retrained model's favourite"

    status = runner.invoke(app, ["kb", "status"])
    assert status.exit_code == 0, status.output
    served = [line for line in status.output.splitlines() if "recommender=" in line]
    assert len(served) == 2 and len({line.split("recommender=")[1].split()[0] for line in served}) == 2, (
        "kb status names the model each release serves: a rollback brings back the other one"
    )
    assert knowledge.rollback() == first
    rolled_back = await ask_bottles(assistant)
    assert rolled_back.cards[0].sku == "SG-BTL-0001", "the first release's own model is served again"
    assert "goes with the Stridex AeroRun 2" in rolled_back.cards[0].reason
    await assistant.aclose()


async def test_a_model_for_another_catalog_is_refused(
    settings: Settings, knowledge: KnowledgeStore, caplog: pytest.LogCaptureFixture
) -> None:
    now = time.time()
    foreign = [
        ShopperEvent(f"other:{n}", sku, "purchase", now - 100 * DAY) for n in range(30) for sku in ("XX-1", "XX-2")
    ]
    store_history(
        settings,
        [*buyers(0, 40, "SG-BTL-0001", now), ShopperEvent("telegram:777", "SG-RUN-0001", "purchase", now - 20 * DAY)],
    )
    assistant = build_assistant(settings, generator=ScriptedGenerator(), knowledge=knowledge)
    with caplog.at_level(logging.WARNING, logger="shopguide.personal"):
        knowledge.publish_model(RELEASE_MODEL, train_model(foreign).save)
    assert "event=recommender_refused" in caplog.text and "no item of the model is in the live catalog" in caplog.text
    reply = await ask_bottles(assistant)
    assert reply.cards and not any("goes with" in c.reason for c in reply.cards), "served as a cold start"
    await assistant.aclose()
