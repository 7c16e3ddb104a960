"""Postgres implementations of the state ports: several replicas read and write the same conversations,
tickets, audit log and delivery ids. Each call is one short transaction on a pooled connection."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import OperationalError

from ..admin import AdminActor, audit_entry
from ..conversation import ConversationState, read_state, state_to_json
from ..handoff import TICKET_COLUMNS, HandoffTicket, ticket_from_row, ticket_row
from ..safety.pii import PiiRedactor
from .claims import DELIVERY_LEASE_S, MAX_ATTEMPTS, new_owner
from .sql import audit_log, conversations, handoff_tickets, retried_on_disconnect, seen_deliveries

log = logging.getLogger("shopguide.dedupe")

# Expired delivery claims are swept every this many claims (one indexed DELETE, off the common path).
SWEEP_EVERY_CLAIMS = 500


class PostgresConversationStore:
    """Conversation memory shared by replicas; ``update`` holds a per-key advisory lock for its transaction, so
    two replicas changing one conversation (a turn and a ticket resolve) serialise instead of losing a write."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @retried_on_disconnect
    def load(self, key: str) -> ConversationState:
        with self._engine.connect() as conn:
            row = conn.execute(select(conversations.c.state).where(conversations.c.key == key)).first()
        return ConversationState(key=key) if row is None else read_state(key, row[0])

    @retried_on_disconnect
    def save(self, state: ConversationState) -> None:
        with self._engine.begin() as conn:
            self._write(conn, state)

    @retried_on_disconnect
    def update(self, key: str, change: Callable[[ConversationState], None]) -> ConversationState:
        with self._engine.begin() as conn:
            # A row lock cannot cover a conversation that has no row yet; the advisory lock can.
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
            row = conn.execute(select(conversations.c.state).where(conversations.c.key == key)).first()
            state = ConversationState(key=key) if row is None else read_state(key, row[0])
            change(state)
            self._write(conn, state)
        return state

    @staticmethod
    def _write(conn: Any, state: ConversationState) -> None:
        state.updated_at = time.time()
        statement = pg_insert(conversations).values(
            key=state.key, state=state_to_json(state), updated_at=state.updated_at
        )
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=[conversations.c.key],
                set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at},
            )
        )

    @retried_on_disconnect
    def reset(self, key: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(conversations).where(conversations.c.key == key))

    def purge_older_than(self, seconds: float) -> int:
        with self._engine.begin() as conn:
            result = conn.execute(delete(conversations).where(conversations.c.updated_at < time.time() - seconds))
        return int(result.rowcount)

    def count_older_than(self, seconds: float) -> int:
        with self._engine.connect() as conn:
            count = conn.execute(
                select(func.count())
                .select_from(conversations)
                .where(conversations.c.updated_at < time.time() - seconds)
            ).scalar_one()
        return int(count)

    def keys(self) -> list[str]:
        with self._engine.connect() as conn:
            return [str(r[0]) for r in conn.execute(select(conversations.c.key).order_by(conversations.c.key))]

    def close(self) -> None:
        """The engine is shared with the other stores; its owner disposes of it."""


class PostgresTicketStore:
    """Handoff tickets shared by replicas: a staff reply handled by one replica finds the ticket another opened."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._columns = [handoff_tickets.c[name] for name in TICKET_COLUMNS]

    def save(self, ticket: HandoffTicket) -> None:
        values = dict(zip(TICKET_COLUMNS, ticket_row(ticket), strict=True))
        statement = pg_insert(handoff_tickets).values(**values)
        changed = {name: statement.excluded[name] for name in TICKET_COLUMNS if name != "ticket_id"}
        with self._engine.begin() as conn:
            conn.execute(statement.on_conflict_do_update(index_elements=[handoff_tickets.c.ticket_id], set_=changed))

    def get(self, ticket_id: str) -> HandoffTicket | None:
        return self._one(handoff_tickets.c.ticket_id == ticket_id)

    def by_desk_ref(self, desk_ref: str) -> HandoffTicket | None:
        return self._one(handoff_tickets.c.desk_ref == desk_ref)

    def open_for(self, conversation_key: str) -> HandoffTicket | None:
        return self._one(
            (handoff_tickets.c.conversation_key == conversation_key) & (handoff_tickets.c.status == "open")
        )

    def list_open(self) -> list[HandoffTicket]:
        query = select(*self._columns).where(handoff_tickets.c.status == "open").order_by(handoff_tickets.c.created_at)
        with self._engine.connect() as conn:
            return [ticket_from_row(tuple(r)) for r in conn.execute(query)]

    def count_open(self) -> int:
        query = select(func.count()).select_from(handoff_tickets).where(handoff_tickets.c.status == "open")
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def purge_resolved_before(self, cutoff: float, *, dry_run: bool = False) -> int:
        where = (handoff_tickets.c.status == "resolved") & (handoff_tickets.c.resolved_at < cutoff)
        with self._engine.begin() as conn:
            if dry_run:
                return int(conn.execute(select(func.count()).select_from(handoff_tickets).where(where)).scalar_one())
            return int(conn.execute(delete(handoff_tickets).where(where)).rowcount)

    def _one(self, where: Any) -> HandoffTicket | None:
        query = select(*self._columns).where(where).order_by(handoff_tickets.c.created_at.desc()).limit(1)
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else ticket_from_row(tuple(row))

    def close(self) -> None:
        """The engine is shared with the other stores; its owner disposes of it."""


class PostgresAuditTrail:
    """The admin audit log as rows: every replica appends to one trail, in commit order."""

    def __init__(self, engine: Engine, redactor: PiiRedactor | None = None) -> None:
        self._engine = engine
        self._redactor = redactor or PiiRedactor()

    def record(self, actor: AdminActor, action: str, result: str, *, detail: str = "", **fields: Any) -> None:
        entry = audit_entry(self._redactor, actor, action, result, detail=detail, fields=fields)
        with self._engine.begin() as conn:
            conn.execute(insert(audit_log).values(at=time.time(), entry=json.dumps(entry, ensure_ascii=False)))

    def entries(self) -> list[dict[str, Any]]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(audit_log.c.entry).order_by(audit_log.c.id)).all()
        entries = []
        for (payload,) in rows:
            value = json.loads(payload)
            if isinstance(value, dict):
                entries.append(value)
        return entries

    def purge_before(self, cutoff: float, *, dry_run: bool = False) -> int:
        with self._engine.begin() as conn:
            if dry_run:
                count = conn.execute(select(func.count()).select_from(audit_log).where(audit_log.c.at < cutoff))
                return int(count.scalar_one())
            return int(conn.execute(delete(audit_log).where(audit_log.c.at < cutoff)).rowcount)


class PostgresDeliveryClaims:
    """Delivery ids claimed once across replicas: the primary key makes the second claim a no-op, and a lease
    row (``lease_until`` set) is taken over only once it lapsed undelivered."""

    def __init__(self, engine: Engine, ttl_s: float, lease_s: float = DELIVERY_LEASE_S) -> None:
        self._engine = engine
        self.ttl_s = ttl_s
        self.lease_s = lease_s
        self.owner = new_owner()
        self._claims = 0

    def claim(self, delivery_id: str) -> bool:
        now = time.time()
        statement = (
            pg_insert(seen_deliveries)
            .values(delivery_id=delivery_id, at=now)
            .on_conflict_do_nothing()
            .returning(seen_deliveries.c.delivery_id)
        )
        with self._engine.begin() as conn:
            claimed = conn.execute(statement).first() is not None
            self._sweep(conn, now)
        return claimed

    def _sweep(self, conn: Any, now: float) -> None:
        self._claims += 1
        if self._claims % SWEEP_EVERY_CLAIMS == 0:
            conn.execute(delete(seen_deliveries).where(seen_deliveries.c.at < now - self.ttl_s))

    def lease(self, delivery_id: str, payload: str) -> bool:
        now = time.time()
        table = seen_deliveries
        insert_row = pg_insert(table).values(
            delivery_id=delivery_id,
            at=now,
            lease_until=now + self.lease_s,
            owner=self.owner,
            payload=payload,
            attempts=1,
        )
        statement = insert_row.on_conflict_do_update(
            index_elements=[table.c.delivery_id],
            set_={
                "lease_until": insert_row.excluded.lease_until,
                "owner": insert_row.excluded.owner,
                "attempts": table.c.attempts + 1,
            },
            where=table.c.lease_until.is_not(None) & (table.c.lease_until < now) & (table.c.attempts < MAX_ATTEMPTS),
        ).returning(table.c.delivery_id)
        try:
            with self._engine.begin() as conn:
                leased = conn.execute(statement).first() is not None
                self._sweep(conn, now)
        except OperationalError as exc:
            # Answering (maybe twice) beats dropping the shopper's message while Postgres restarts.
            log.warning("dedupe database_unavailable delivery_id=%s error=%s", delivery_id, type(exc).__name__)
            return True
        return leased

    def renew(self, delivery_ids: Collection[str]) -> set[str]:
        table = seen_deliveries
        ids = list(delivery_ids)
        statement = (
            update(table)
            .where(table.c.delivery_id.in_(ids) & (table.c.owner == self.owner) & table.c.lease_until.is_not(None))
            .values(lease_until=time.time() + self.lease_s)
            .returning(table.c.delivery_id)
        )
        try:
            with self._engine.begin() as conn:
                renewed = {str(row[0]) for row in conn.execute(statement)}
        except OperationalError as exc:
            log.warning("lease renew_failed leases=%d error=%s", len(ids), type(exc).__name__)
            return set()  # still ours as far as we know; the next renewal tries again
        return set(ids) - renewed

    def delivered(self, delivery_id: str) -> None:
        table = seen_deliveries
        with self._engine.begin() as conn:
            conn.execute(update(table).where(table.c.delivery_id == delivery_id).values(lease_until=None, payload=None))

    def expired(self, prefix: str, limit: int) -> list[tuple[str, str]]:
        table = seen_deliveries
        query = (
            select(table.c.delivery_id, table.c.payload)
            .where(
                table.c.lease_until.is_not(None)
                & (table.c.lease_until < time.time())
                & (table.c.attempts < MAX_ATTEMPTS)
                & table.c.delivery_id.startswith(prefix, autoescape=True)
            )
            .order_by(table.c.at)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [(str(r[0]), str(r[1] or "")) for r in conn.execute(query)]

    def close(self) -> None:
        """The engine is shared with the other stores; its owner disposes of it."""


def touch(engine: Engine) -> None:
    """One round trip (readiness checks)."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


__all__ = [
    "PostgresAuditTrail",
    "PostgresConversationStore",
    "PostgresDeliveryClaims",
    "PostgresTicketStore",
    "touch",
]
