"""Postgres stores shared by replicas: what one replica writes, another reads; concurrent writers lose nothing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect
from sqlalchemy.exc import OperationalError

from assistant.admin import AdminActor, KnowledgeAdmin
from assistant.config import Settings
from assistant.conversation import ConversationState, SQLiteConversationStore
from assistant.errors import PermissionDenied
from assistant.handoff import HandoffService, HandoffTicket, SQLiteTicketStore
from assistant.state.backends import (
    open_audit_trail,
    open_conversation_store,
    open_delivery_claims,
    open_ticket_store,
)
from assistant.state.claims import SQLiteDeliveryClaims
from assistant.state.postgres import (
    PostgresAuditTrail,
    PostgresConversationStore,
    PostgresDeliveryClaims,
    PostgresTicketStore,
)
from assistant.state.sql import current_revision, open_engine, ride_out_restarts, sqlalchemy_url
from shopguide_testkit.tcp_proxy import RestartableProxy

pytestmark = pytest.mark.integration


def test_default_settings_keep_sqlite_files(tmp_path: Path) -> None:
    """Zero setup on one machine: without URLs every store is a file in the data directory."""
    settings = Settings(data_dir=tmp_path)
    memory = open_conversation_store(settings)
    tickets = open_ticket_store(settings)
    claims = open_delivery_claims(settings, settings.telegram_db)
    assert isinstance(memory, SQLiteConversationStore)
    assert isinstance(tickets, SQLiteTicketStore)
    assert isinstance(claims.inner, SQLiteDeliveryClaims)  # type: ignore[attr-defined]
    for store in (memory, tickets, claims):
        store.close()
    assert settings.memory_db.exists() and settings.handoff_db.exists() and settings.telegram_db.exists()


def test_replicas_starting_together_migrate_once(postgres_url: str, pg_schema: str) -> None:
    engines = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            engines.append(open_engine(postgres_url, pg_schema))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Changed on purpose: migration 0002 adds the shopper tables (assistant.personal) beside conversations,
    # 0003 the delivery lease columns, 0004 the knowledge base's release pointer.
    assert current_revision(engines[0], pg_schema) == "0004"
    tables = set(inspect(engines[0]).get_table_names(schema=pg_schema))
    assert {"conversations", "handoff_tickets", "audit_log", "seen_deliveries", "alembic_version"} <= tables
    assert {"shopper_profiles", "shopper_events", "shopper_feedback", "shop_requests"} <= tables
    assert "kb_release_pointer" in tables
    for engine in engines:
        engine.dispose()


def test_conversation_written_by_one_replica_is_read_by_another(shared_settings: Settings) -> None:
    replica_a = open_conversation_store(shared_settings)
    assert isinstance(replica_a, PostgresConversationStore)
    engine_b = open_engine(shared_settings.database_url.get_secret_value(), shared_settings.database_schema)
    replica_b = PostgresConversationStore(engine_b)

    def first_turn(state: ConversationState) -> None:
        state.language = "zh"
        state.slots.category = "tents"
        state.add_turn("user", "我想买帐篷", keep=6)

    replica_a.update("telegram:1", first_turn)
    seen = replica_b.load("telegram:1")
    assert (seen.language, seen.slots.category, [t.text for t in seen.turns]) == ("zh", "tents", ["我想买帐篷"])
    replica_b.reset("telegram:1")
    assert replica_a.load("telegram:1").turns == []
    engine_b.dispose()


def test_concurrent_updates_from_two_replicas_lose_no_turn(shared_settings: Settings) -> None:
    url, schema = shared_settings.database_url.get_secret_value(), shared_settings.database_schema
    engines = [open_engine(url, schema) for _ in range(2)]
    stores = [PostgresConversationStore(e) for e in engines]
    per_writer = 15

    def write(store: PostgresConversationStore, writer: int) -> None:
        for n in range(per_writer):
            store.update("slack:C1", lambda s, n=n: s.add_turn("user", f"w{writer}-{n}", keep=1000))

    threads = [threading.Thread(target=write, args=(stores[i % 2], i)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    texts = [t.text for t in stores[0].load("slack:C1").turns]
    assert len(texts) == 4 * per_writer
    for writer in range(4):  # each writer's turns in its own order
        assert [t for t in texts if t.startswith(f"w{writer}-")] == [f"w{writer}-{n}" for n in range(per_writer)]
    for engine in engines:
        engine.dispose()


def test_old_conversations_are_purged(shared_settings: Settings) -> None:
    store = open_conversation_store(shared_settings)
    store.save(ConversationState(key="telegram:old"))
    assert store.purge_older_than(3600) == 0
    assert store.purge_older_than(-1) == 1
    assert store.load("telegram:old").updated_at == 0.0


class _Desk:
    def __init__(self) -> None:
        self.notices: list[str] = []

    async def open_ticket(self, brief: object) -> str:
        return "C1:1700000000.000100"

    async def post_shopper_message(self, ticket: HandoffTicket, text: str) -> None:
        self.notices.append(text)

    async def post_notice(self, ticket: HandoffTicket, text: str) -> None:
        self.notices.append(text)


class _Inbox:
    platform = "telegram"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, chat_id: str, thread_id: str | None, text: str) -> None:
        self.sent.append((chat_id, text))


async def test_ticket_opened_on_one_replica_is_resolved_on_another(shared_settings: Settings) -> None:
    """The bot replica that met the shopper opens the ticket; the replica that gets staff's Resolve click
    finds it by its Slack thread, hands the conversation back and tells the shopper."""
    from assistant.types import IncomingMessage

    memory_a = open_conversation_store(shared_settings)
    replica_a = HandoffService(open_ticket_store(shared_settings), desk=_Desk(), memory=memory_a)
    url, schema = shared_settings.database_url.get_secret_value(), shared_settings.database_schema
    engine_b = open_engine(url, schema)
    inbox = _Inbox()
    replica_b = HandoffService(
        PostgresTicketStore(engine_b), desk=_Desk(), channels=[inbox], memory=PostgresConversationStore(engine_b)
    )

    message = IncomingMessage(platform="telegram", chat_id="42", user_id="7", text="I want a human, mail me at a@b.cn")
    memory_a.update(message.conversation_key, lambda s: setattr(s, "handoff", True))
    state = memory_a.load(message.conversation_key)
    await replica_a.open(message, state, "asked_for_human")

    ticket = replica_b.ticket_for_desk_ref("C1:1700000000.000100")
    assert ticket is not None and ticket.status == "open" and ticket.chat_id == "42"
    assert await replica_b.relay_from_staff(ticket.ticket_id, "Hi, this is Ana from the shop") is True
    await replica_b.resolve(ticket.ticket_id, by="slack:U1")

    assert inbox.sent[0] == ("42", "Hi, this is Ana from the shop")
    assert "handed you back" in inbox.sent[1][1]
    assert memory_a.load(message.conversation_key).handoff is False
    assert replica_a.tickets.open_for(message.conversation_key) is None
    assert replica_a.tickets.get(ticket.ticket_id).status == "resolved"  # type: ignore[union-attr]
    engine_b.dispose()


def test_audit_trail_in_postgres_is_redacted_and_shared(shared_settings: Settings) -> None:
    # A refusal never touches the store, so the admin needs none to audit it.
    admin = KnowledgeAdmin(None, shared_settings)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        admin.rollback(AdminActor("telegram", "99"))
    admin.audit.record(AdminActor("cli", "ops"), "reload", "error", detail="catalog_invalid: row alice@example.com")

    url, schema = shared_settings.database_url.get_secret_value(), shared_settings.database_schema
    engine_b = open_engine(url, schema)
    entries = PostgresAuditTrail(engine_b).entries()
    assert [(e["who"], e["action"], e["result"]) for e in entries] == [
        ("telegram:99", "rollback", "denied"),
        ("cli:ops", "reload", "error"),
    ]
    assert entries[1]["detail"].startswith("catalog_invalid") and "alice@example.com" not in str(entries)
    engine_b.dispose()


def test_delivery_claimed_once_across_replicas(shared_settings: Settings) -> None:
    url, schema = shared_settings.database_url.get_secret_value(), shared_settings.database_schema
    engines = [open_engine(url, schema) for _ in range(2)]
    claims = [PostgresDeliveryClaims(e, ttl_s=3600) for e in engines]
    results: list[bool] = []

    def claim(index: int) -> None:
        results.append(claims[index % 2].claim("telegram:1:1001"))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]
    assert isinstance(open_delivery_claims(shared_settings, shared_settings.telegram_db).inner, PostgresDeliveryClaims)  # type: ignore[attr-defined]
    for engine in engines:
        engine.dispose()


def test_privacy_purge_reaches_the_shared_tables(shared_settings: Settings) -> None:
    from assistant.safety.retention import purge

    memory = open_conversation_store(shared_settings)
    memory.save(ConversationState(key="telegram:1"))
    tickets = open_ticket_store(shared_settings)
    done = HandoffTicket("t1", "telegram:1", "telegram", "1", None, "1", "asked", "en", status="resolved")
    done.resolved_at = 1.0
    tickets.save(done)
    open_audit_trail(shared_settings).record(AdminActor("cli", "ops"), "status", "ok")

    preview = purge(shared_settings, 0, dry_run=True, now=10**10)
    assert (preview.conversations, preview.audit_entries, preview.handoff_tickets) == (1, 1, 1)
    assert memory.load("telegram:1").updated_at > 0  # a dry run deletes nothing
    report = purge(shared_settings, 0, now=10**10)
    assert (report.conversations, report.audit_entries, report.handoff_tickets) == (1, 1, 1)
    assert memory.load("telegram:1").updated_at == 0.0 and tickets.get("t1") is None
    assert open_audit_trail(shared_settings).entries() == []


def test_a_turn_during_a_database_restart_waits_for_it(postgres_url: str, pg_schema: str) -> None:
    """Postgres restarting (connections cut, new ones refused for a moment) while a turn writes memory: the write
    waits and lands instead of failing the turn; an outage longer than the bound still fails, clearly."""
    host, port = postgres_url.split("@", 1)[1].split("/", 1)[0].split(":")
    proxy = RestartableProxy(host, int(port))
    proxy.start()
    engine = open_engine(postgres_url.replace(f"{host}:{port}", f"127.0.0.1:{proxy.port}"), pg_schema)
    store = PostgresConversationStore(engine)
    store.update("telegram:7", lambda state: state.add_turn("user", "tents", keep=6))
    proxy.stop()  # the old server's pooled connections die; new ones are refused
    threading.Timer(0.6, proxy.start).start()
    started = time.monotonic()
    store.update("telegram:7", lambda state: state.add_turn("user", "under 500", keep=6))
    assert time.monotonic() - started >= 0.5  # it really waited for the restart
    assert [turn.text for turn in store.load("telegram:7").turns] == ["tents", "under 500"]

    proxy.stop()  # and this time it stays down
    engine.dispose()
    down = create_engine_through(proxy.port, postgres_url, host, port, pg_schema)
    with pytest.raises(OperationalError):
        PostgresConversationStore(down).load("telegram:7")
    down.dispose()


def create_engine_through(proxy_port: int, url: str, host: str, port: str, schema: str) -> Engine:
    """An engine on a proxy that is down, with the outage bound made short (the default waits 15 s)."""
    engine = create_engine(
        sqlalchemy_url(url.replace(f"{host}:{port}", f"127.0.0.1:{proxy_port}")),
        connect_args={"options": f"-csearch_path={schema}"},
    )
    ride_out_restarts(engine, within_s=0.3)
    return engine


def test_a_conversation_write_cut_by_a_restart_is_run_again(postgres_url: str, pg_schema: str) -> None:
    """The server goes away in the middle of a turn's transaction (bench_scale: 'server closed the connection
    unexpectedly' failed a turn): the transaction committed nothing and runs again on a new connection."""
    host, port = postgres_url.split("@", 1)[1].split("/", 1)[0].split(":")
    proxy = RestartableProxy(host, int(port))
    proxy.start()
    engine = open_engine(postgres_url.replace(f"{host}:{port}", f"127.0.0.1:{proxy.port}"), pg_schema)
    store = PostgresConversationStore(engine)
    runs = []

    def add_turn(state: ConversationState) -> None:
        runs.append(len(state.turns))
        if len(runs) == 1:  # the server restarts while this transaction is open
            proxy.stop()
            threading.Timer(0.3, proxy.start).start()
        state.add_turn("user", "a tent for two", keep=6)

    store.update("telegram:8", add_turn)
    assert runs == [0, 0]  # run again from the stored state, not on top of the cut attempt
    assert [turn.text for turn in store.load("telegram:8").turns] == ["a tent for two"]
    engine.dispose()
    proxy.stop()
