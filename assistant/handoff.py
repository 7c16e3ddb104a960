"""Human handoff: a shopper's conversation moves to a staff desk (a Slack thread) and back to the bot.

Adapters plug in on both sides: the shopper's platform implements :class:`ShopperChannel`, the staff
side implements :class:`StaffDesk`. :class:`HandoffService` is the pipeline's ``HandoffDesk``.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from knowledge.durable import open_private_sqlite

from .conversation import ConversationState, ConversationStore
from .errors import TicketNotFound
from .ports import Retriever
from .render import price_text
from .safety.pii import PiiRedactor
from .types import IncomingMessage, Language

log = logging.getLogger("shopguide.handoff")

TRANSCRIPT_TURNS = 8  # recent turns shown to staff; older ones rarely matter for the ticket
TURN_CHARS = 400  # per turn, so a ticket stays one screen
TicketStatus = Literal["open", "resolved"]

_BACK_TO_BOT = {
    "en": "Our colleague has handed you back to the shopping assistant. Ask me anything!",
    "zh": "人工客服已结束服务，购物助手继续为您服务，请随时提问！",
}


@runtime_checkable
class ShopperChannel(Protocol):
    """How staff text reaches the shopper on their platform (implemented by the Telegram adapter)."""

    platform: str

    async def send(self, chat_id: str, thread_id: str | None, text: str) -> None: ...


@dataclass(frozen=True)
class TranscriptLine:
    role: Literal["user", "assistant"]
    text: str


@dataclass(frozen=True)
class TicketBrief:
    """Everything staff see when a ticket opens; all shopper text is PII-redacted."""

    ticket_id: str
    platform: str
    reason: str
    language: Language
    question: str
    transcript: list[TranscriptLine]
    products: list[str]
    evidence: list[str]


@dataclass
class HandoffTicket:
    ticket_id: str
    conversation_key: str
    platform: str
    chat_id: str
    thread_id: str | None
    user_id: str
    reason: str
    language: Language
    status: TicketStatus = "open"
    desk_ref: str | None = None  # where the desk put the ticket, e.g. "C123:1700000000.000100"
    created_at: float = field(default_factory=time.time)
    resolved_at: float | None = None


class StaffDesk(Protocol):
    """Where staff work tickets (implemented by the Slack adapter: one thread per ticket)."""

    async def open_ticket(self, brief: TicketBrief) -> str:
        """Post the ticket; return a reference to it (the desk's thread id)."""
        ...

    async def post_shopper_message(self, ticket: HandoffTicket, text: str) -> None:
        """A later shopper message, already PII-redacted, into the ticket's thread."""
        ...

    async def post_notice(self, ticket: HandoffTicket, text: str) -> None:
        """A status line (resolved, delivery failed) into the ticket's thread."""
        ...


class TicketStore(Protocol):
    """Where tickets live: a SQLite file on one machine, Postgres when several replicas share them."""

    def save(self, ticket: HandoffTicket) -> None: ...

    def get(self, ticket_id: str) -> HandoffTicket | None: ...

    def by_desk_ref(self, desk_ref: str) -> HandoffTicket | None: ...

    def open_for(self, conversation_key: str) -> HandoffTicket | None: ...

    def list_open(self) -> list[HandoffTicket]: ...

    def close(self) -> None: ...


TICKET_COLUMNS = (
    "ticket_id",
    "conversation_key",
    "platform",
    "chat_id",
    "thread_id",
    "user_id",
    "reason",
    "language",
    "status",
    "desk_ref",
    "created_at",
    "resolved_at",
)


def ticket_row(ticket: HandoffTicket) -> tuple[object, ...]:
    """A ticket as a row in ``TICKET_COLUMNS`` order (both stores write the same columns)."""
    return tuple(getattr(ticket, name) for name in TICKET_COLUMNS)


class SQLiteTicketStore:
    """Handoff tickets that survive restarts: staff may answer hours later."""

    _SCHEMA = """
    CREATE TABLE IF NOT EXISTS handoff_tickets (
        ticket_id TEXT PRIMARY KEY,
        conversation_key TEXT NOT NULL,
        platform TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        thread_id TEXT,
        user_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        language TEXT NOT NULL,
        status TEXT NOT NULL,
        desk_ref TEXT,
        created_at REAL NOT NULL,
        resolved_at REAL
    );
    CREATE INDEX IF NOT EXISTS handoff_by_conversation ON handoff_tickets(conversation_key, status);
    CREATE INDEX IF NOT EXISTS handoff_by_desk_ref ON handoff_tickets(desk_ref);
    """
    _COLUMNS = ", ".join(TICKET_COLUMNS)

    def __init__(self, path: Path | str) -> None:
        self._conn = open_private_sqlite(path, self._SCHEMA)  # 0600: transcripts; damage reported with its fix
        self._lock = threading.Lock()

    def save(self, ticket: HandoffTicket) -> None:
        row = ticket_row(ticket)
        with self._lock:
            self._conn.execute(
                f"INSERT OR REPLACE INTO handoff_tickets({self._COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row
            )

    def get(self, ticket_id: str) -> HandoffTicket | None:
        return self._one("ticket_id = ?", (ticket_id,))

    def by_desk_ref(self, desk_ref: str) -> HandoffTicket | None:
        return self._one("desk_ref = ? ORDER BY created_at DESC", (desk_ref,))

    def open_for(self, conversation_key: str) -> HandoffTicket | None:
        return self._one("conversation_key = ? AND status = 'open' ORDER BY created_at DESC", (conversation_key,))

    def list_open(self) -> list[HandoffTicket]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {self._COLUMNS} FROM handoff_tickets WHERE status = 'open' ORDER BY created_at"
            ).fetchall()
        return [ticket_from_row(r) for r in rows]

    def _one(self, where: str, args: tuple[str, ...]) -> HandoffTicket | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {self._COLUMNS} FROM handoff_tickets WHERE {where} LIMIT 1", args
            ).fetchone()
        return ticket_from_row(row) if row else None

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def ticket_from_row(row: Sequence[object]) -> HandoffTicket:
    return HandoffTicket(
        ticket_id=str(row[0]),
        conversation_key=str(row[1]),
        platform=str(row[2]),
        chat_id=str(row[3]),
        thread_id=None if row[4] is None else str(row[4]),
        user_id=str(row[5]),
        reason=str(row[6]),
        language="zh" if row[7] == "zh" else "en",
        status="resolved" if row[8] == "resolved" else "open",
        desk_ref=None if row[9] is None else str(row[9]),
        created_at=float(row[10]),  # type: ignore[arg-type]
        resolved_at=None if row[11] is None else float(row[11]),  # type: ignore[arg-type]
    )


def _back_to_bot(state: ConversationState) -> None:
    state.handoff = False
    state.clarify_count = 0


class HandoffService:
    """Opens tickets, relays both ways, and hands the conversation back to the bot.

    Implements the pipeline's ``HandoffDesk`` (``open``, ``relay_from_shopper``). The conversation
    store is usually bound after ``build_assistant`` creates it (:meth:`bind_memory`).
    """

    def __init__(
        self,
        tickets: TicketStore,
        *,
        desk: StaffDesk | None = None,
        channels: Sequence[ShopperChannel] = (),
        memory: ConversationStore | None = None,
        retriever: Retriever | None = None,
        redactor: PiiRedactor | None = None,
    ) -> None:
        self.tickets = tickets
        self.desk = desk
        self.channels: dict[str, ShopperChannel] = {c.platform: c for c in channels}
        self.memory = memory
        self.retriever = retriever
        self.redactor = redactor or PiiRedactor()

    # ---- wiring --------------------------------------------------------------------------------
    def bind_memory(self, memory: ConversationStore) -> None:
        self.memory = memory

    def bind_retriever(self, retriever: Retriever) -> None:
        self.retriever = retriever

    def set_desk(self, desk: StaffDesk) -> None:
        self.desk = desk

    def register_channel(self, channel: ShopperChannel) -> None:
        self.channels[channel.platform] = channel

    # ---- HandoffDesk (called by the pipeline) --------------------------------------------------
    async def open(self, message: IncomingMessage, state: ConversationState, reason: str) -> None:
        existing = self.tickets.open_for(message.conversation_key)
        if existing is not None:
            await self._post_to_desk(existing, message.text)
            return
        language: Language = state.language or "en"
        ticket = HandoffTicket(
            ticket_id=uuid.uuid4().hex[:10],
            conversation_key=message.conversation_key,
            platform=message.platform,
            chat_id=message.chat_id,
            thread_id=message.thread_id,
            user_id=message.user_id,
            reason=reason,
            language=language,
        )
        self.tickets.save(ticket)
        brief = self.brief(ticket, message, state)
        if self.desk is None:
            log.warning("handoff no_desk ticket=%s platform=%s reason=%s", ticket.ticket_id, ticket.platform, reason)
            return
        try:
            ticket.desk_ref = await self.desk.open_ticket(brief)
        except Exception as exc:  # the shopper already got the honest "a colleague will reply" text
            log.error("handoff desk_failed ticket=%s error=%s", ticket.ticket_id, type(exc).__name__)
            return
        self.tickets.save(ticket)
        log.info("handoff opened ticket=%s platform=%s reason=%s", ticket.ticket_id, ticket.platform, reason)

    async def relay_from_shopper(self, message: IncomingMessage, state: ConversationState) -> None:
        ticket = self.tickets.open_for(message.conversation_key)
        if ticket is None:
            # Handed off but the ticket is gone (e.g. a wiped database): open a fresh one.
            await self.open(message, state, "handoff_without_ticket")
            return
        await self._post_to_desk(ticket, message.text)

    async def _post_to_desk(self, ticket: HandoffTicket, text: str) -> None:
        if self.desk is None or ticket.desk_ref is None:
            log.warning("handoff relay_dropped ticket=%s direction=to_staff", ticket.ticket_id)
            return
        await self.desk.post_shopper_message(ticket, self.redactor.redact(text))
        log.info("handoff relayed ticket=%s direction=to_staff", ticket.ticket_id)

    # ---- staff side ----------------------------------------------------------------------------
    def ticket(self, ticket_id: str) -> HandoffTicket:
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            raise TicketNotFound(f"no handoff ticket {ticket_id!r}")
        return ticket

    def ticket_for_desk_ref(self, desk_ref: str) -> HandoffTicket | None:
        return self.tickets.by_desk_ref(desk_ref)

    async def relay_from_staff(self, ticket_id: str, text: str) -> bool:
        """Send a staff reply to the shopper; False when the ticket is already resolved."""
        ticket = self.ticket(ticket_id)
        if ticket.status != "open":
            return False
        channel = self.channels.get(ticket.platform)
        if channel is None:
            log.error("handoff no_channel ticket=%s platform=%s", ticket.ticket_id, ticket.platform)
            if self.desk is not None:
                await self.desk.post_notice(ticket, f"Cannot reach the shopper: no {ticket.platform} channel running.")
            return False
        await channel.send(ticket.chat_id, ticket.thread_id, text)
        log.info("handoff relayed ticket=%s direction=to_shopper platform=%s", ticket.ticket_id, ticket.platform)
        return True

    async def resolve(self, ticket_id: str, *, by: str | None = None) -> HandoffTicket:
        """Hand the conversation back to the bot and tell the shopper so."""
        ticket = self.ticket(ticket_id)
        if ticket.status == "resolved":
            return ticket
        ticket.status = "resolved"
        ticket.resolved_at = time.time()
        self.tickets.save(ticket)
        if self.memory is not None:
            self.memory.update(ticket.conversation_key, _back_to_bot)
        else:
            log.error("handoff resolve_without_memory ticket=%s", ticket.ticket_id)
        channel = self.channels.get(ticket.platform)
        if channel is not None:
            try:
                await channel.send(ticket.chat_id, ticket.thread_id, _BACK_TO_BOT[ticket.language])
            except Exception as exc:
                log.warning("handoff back_notice_failed ticket=%s error=%s", ticket.ticket_id, type(exc).__name__)
        log.info("handoff resolved ticket=%s by=%s", ticket.ticket_id, by or "-")
        return ticket

    # ---- the brief staff read ------------------------------------------------------------------
    def brief(self, ticket: HandoffTicket, message: IncomingMessage, state: ConversationState) -> TicketBrief:
        redact = self.redactor.redact
        transcript = [
            TranscriptLine(turn.role, redact(turn.text[:TURN_CHARS])) for turn in state.turns[-TRANSCRIPT_TURNS:]
        ]
        products: list[str] = []
        evidence: list[str] = []
        if state.last_skus and self.retriever is not None:
            for product in self.retriever.get_products(state.last_skus):
                name = product.display_name(ticket.language)
                if product.stock is None:
                    stock = "stock not listed"
                else:
                    stock = f"{product.stock} in stock" if product.stock > 0 else "out of stock"
                products.append(f"{product.sku} {name}")
                evidence.append(f"{product.sku}: {price_text(product.price, product.currency, 'en')}, {stock}")
        else:
            products = list(state.last_skus)
        return TicketBrief(
            ticket_id=ticket.ticket_id,
            platform=ticket.platform,
            reason=ticket.reason,
            language=ticket.language,
            question=redact(message.text[:TURN_CHARS]),
            transcript=transcript,
            products=products,
            evidence=evidence,
        )
