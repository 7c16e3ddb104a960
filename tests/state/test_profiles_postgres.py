"""Shopper profiles in Postgres beside the shared conversations: what one replica learns about a shopper the
next replica uses; concurrent learning loses nothing; history, reactions, unmet requests, erasure and
retention behave as in the SQLite store."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from assistant.app import build_assistant
from assistant.config import Settings
from assistant.llm.scripted import ScriptedGenerator
from assistant.personal.demand import feedback_report
from assistant.personal.profile import (
    Feedback,
    Preference,
    ShopperEvent,
    ShopperProfile,
    ShopRequest,
    SQLiteProfileStore,
)
from assistant.safety.retention import erase_shopper, purge
from assistant.state.backends import open_conversation_store, open_profile_store
from assistant.state.profiles import PostgresProfileStore
from assistant.state.sql import open_engine
from assistant.types import IncomingMessage
from knowledge.store import KnowledgeStore

pytestmark = pytest.mark.integration


def dm(text: str, user: str = "501") -> IncomingMessage:
    return IncomingMessage(platform="telegram", chat_id=user, user_id=user, text=text)


def test_the_store_follows_the_conversation_memory(tmp_path: Path, shared_settings: Settings) -> None:
    local = open_profile_store(Settings(data_dir=tmp_path / "local"))
    assert isinstance(local, SQLiteProfileStore)
    local.close()
    assert isinstance(open_profile_store(shared_settings), PostgresProfileStore)


async def test_a_budget_learnt_on_one_replica_is_used_by_another(
    shared_settings: Settings, demo_store: KnowledgeStore
) -> None:
    first = build_assistant(shared_settings, generator=ScriptedGenerator(), knowledge=demo_store)
    await first.ask(dm("running shoes under 800"))
    first.reset(dm(""))
    await first.aclose()
    # Another replica: its own data directory, the same database.
    other = shared_settings.model_copy(update={"data_dir": shared_settings.data_dir / "replica-b"})
    second = build_assistant(other, generator=ScriptedGenerator(), knowledge=demo_store)
    reply = await second.ask(dm("I need running shoes"))
    assert reply.text.startswith("You usually look under ¥800 for running shoes — still right?")
    assert reply.cards and all(c.price is not None and c.price <= 800 for c in reply.cards)
    assert "running_shoes" in second.profile(dm("/profile"))
    await second.aclose()
    # Nothing went to the replicas' memory files.
    for folder in (shared_settings.data_dir, other.data_dir):
        path = folder / "memory.sqlite3"
        if path.exists():
            conn = sqlite3.connect(path)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            rows = (
                conn.execute("SELECT COUNT(*) FROM shopper_profiles").fetchone()[0]
                if "shopper_profiles" in tables
                else 0
            )
            conn.close()
            assert rows == 0


def test_concurrent_learning_on_two_replicas_loses_no_preference(shared_settings: Settings) -> None:
    url, schema = shared_settings.database_url.get_secret_value(), shared_settings.database_schema
    engines = [open_engine(url, schema) for _ in range(2)]
    stores = [PostgresProfileStore(e) for e in engines]
    per_writer = 10

    def learn(store: PostgresProfileStore, writer: int) -> None:
        for n in range(per_writer):

            def like(profile: ShopperProfile, n: int = n) -> None:
                profile.remember(Preference("brand", f"brand-{writer}-{n}"))

            store.update("slack:U9", like)

    threads = [threading.Thread(target=learn, args=(stores[i % 2], i)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    liked = stores[1].load("slack:U9").values("brand")
    assert sorted(liked) == sorted(f"brand-{w}-{n}" for w in range(4) for n in range(per_writer))
    for engine in engines:
        engine.dispose()


def test_history_reactions_requests_erasure_and_retention(shared_settings: Settings) -> None:
    store = open_profile_store(shared_settings)
    events = [ShopperEvent("telegram:501", f"SG-RUN-000{n}", "purchase", 1.7e9 + n) for n in range(1, 4)]
    assert store.add_events(events) == 3
    assert store.add_events(events) == 0, "the same file imported twice stores nothing new"
    assert [e.sku for e in store.events("telegram:501", limit=2)] == ["SG-RUN-0003", "SG-RUN-0002"]
    assert len(list(store.all_events())) == 3
    now = time.time()
    store.add_feedback(
        Feedback("down", "telegram:501:-:501", now, ("SG-BAG-0001",), "a bag please", "telegram:501", now)
    )
    store.add_request(ShopRequest("not_carried", "tv", "en", now))
    report = feedback_report(store, 7)
    assert report.reactions == {"up": 0, "down": 1, "other": 0}
    assert report.passed_on_skus == [("SG-BAG-0001", 1)] and report.not_carried == [("tv", 1)]

    memory = open_conversation_store(shared_settings)
    memory.update("telegram:501:-:501", lambda s: s.add_turn("user", "hello", keep=6))
    store.update("telegram:501", lambda p: p.remember(Preference("size", "42")))
    erased = erase_shopper(shared_settings, "telegram:501")
    assert (erased.profiles, erased.events, erased.feedback) == (1, 3, 1)
    assert store.load("telegram:501").preferences == [] and store.events("telegram:501") == []
    assert memory.load("telegram:501:-:501").turns == [], "their conversations are erased too"
    assert store.requests_since(0), "a request names nobody: it is not the shopper's to erase"

    store.update("telegram:502", lambda p: p.remember(Preference("size", "40")))
    preview = purge(shared_settings, 0, dry_run=True, now=time.time() + 10)
    assert preview.shopper_records == 2  # the profile and the request
    assert store.load("telegram:502").preferences, "a dry run deletes nothing"
    done = purge(shared_settings, 0, now=time.time() + 10)
    assert done.shopper_records == 2
    assert store.load("telegram:502").preferences == [] and store.requests_since(0) == []
