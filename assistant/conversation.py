"""Per-conversation state (slots, recent turns, language) and its SQLite store."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from knowledge.durable import open_private_sqlite
from knowledge.models import AttributeValue
from knowledge.search import ProductQuery, SortOrder

from .types import Language

DEFAULT_QUERY_K = 8


@dataclass
class Slots:
    """What guided shopping knows about the shopper's need so far."""

    category: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    use: str | None = None
    brand: str | None = None
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    in_stock_only: bool = False
    sort: SortOrder | None = None  # "cheapest", "best rated"...: answer with the top item in this order
    sort_measure: str | None = None  # the unit class of a measure order: "lightest" -> "mass"

    def to_query(self, text: str = "", language: Language = "en", k: int = DEFAULT_QUERY_K) -> ProductQuery:
        """The slots as hard filters of a catalog query."""
        return ProductQuery(
            text=text,
            language=language,
            category=self.category,
            brand=self.brand,
            price_min=self.price_min,
            price_max=self.price_max,
            in_stock_only=self.in_stock_only,
            attributes=dict(self.attributes),
            k=k,
            sort=self.sort,
            prefer_use=self.use,
        )

    def scope(self) -> Slots:
        """What a superlative about a named product ranges over: budget, stock and order, not the brand or
        must-haves that its own name spelled out (the product's category is added by the caller)."""
        return Slots(
            price_min=self.price_min,
            price_max=self.price_max,
            in_stock_only=self.in_stock_only,
            sort=self.sort,
            sort_measure=self.sort_measure,
        )

    @property
    def has_budget(self) -> bool:
        return self.price_min is not None or self.price_max is not None

    def merge(self, newer: Slots) -> Slots:
        """Newer values win; a new category starts a fresh need (old attributes may not apply)."""
        if newer.category and newer.category != self.category:
            base = Slots(category=newer.category, use=self.use)
        else:
            base = Slots(**{**asdict(self), "attributes": dict(self.attributes)})
        for name in ("price_min", "price_max", "use", "brand"):
            value = getattr(newer, name)
            if value is not None:
                setattr(base, name, value)
        if newer.price_min is not None and newer.price_max is None:
            base.price_max = None if (base.price_max or 0) < newer.price_min else base.price_max
        base.attributes.update(newer.attributes)
        base.in_stock_only = base.in_stock_only or newer.in_stock_only
        # "The cheapest" is asked of one question: a follow-up without one is a search again, not a sort.
        base.sort, base.sort_measure = newer.sort, newer.sort_measure
        return base


@dataclass
class Turn:
    role: Literal["user", "assistant"]
    text: str
    at: float
    refused: str | None = None  # the safety reason when this user message was refused
    screened: bool = True  # False: the message never reached the input checks (no words, a language we lack)


@dataclass
class ConversationState:
    key: str
    language: Language | None = None
    language_locked: bool = False
    slots: Slots = field(default_factory=Slots)
    turns: list[Turn] = field(default_factory=list)
    last_skus: list[str] = field(default_factory=list)
    clarify_count: int = 0
    handoff: bool = False
    updated_at: float = 0.0

    def add_turn(
        self,
        role: Literal["user", "assistant"],
        text: str,
        keep: int,
        *,
        refused: str | None = None,
        screened: bool = True,
    ) -> None:
        self.turns.append(Turn(role=role, text=text, at=time.time(), refused=refused, screened=screened))
        del self.turns[:-keep]

    def answered_user_texts(self) -> list[str]:
        """What the shopper said in turns the input checks let through: the only context a later check may
        join with a new message. A refused message never reached the model, and one the checks never saw
        (emoji only, a script we don't speak) carries no words; neither may taint the next messages."""
        return [t.text for t in self.turns if t.role == "user" and t.refused is None and t.screened]


class ConversationStore(Protocol):
    def load(self, key: str) -> ConversationState: ...

    def save(self, state: ConversationState) -> None: ...

    def update(self, key: str, change: Callable[[ConversationState], None]) -> ConversationState: ...

    def reset(self, key: str) -> None: ...

    def purge_older_than(self, seconds: float) -> int: ...

    def close(self) -> None: ...


class SQLiteConversationStore:
    """Conversation memory that survives restarts. One row per conversation, JSON columns."""

    _SCHEMA = """
    CREATE TABLE IF NOT EXISTS conversations (
        key TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        updated_at REAL NOT NULL
    )
    """

    def __init__(self, path: Path | str) -> None:
        # One connection shared across threads, serialised by our own lock; the file is 0600 (it holds
        # what shoppers wrote) and a damaged one is reported with its repair.
        self._conn = open_private_sqlite(path, self._SCHEMA)
        self._lock = threading.Lock()

    def load(self, key: str) -> ConversationState:
        with self._lock:
            return self._read(key)

    def save(self, state: ConversationState) -> None:
        with self._lock:
            self._write(state)

    def update(self, key: str, change: Callable[[ConversationState], None]) -> ConversationState:
        """Read, change and write one conversation as one transaction. BEGIN IMMEDIATE takes SQLite's write
        lock before the read, so a writer in another process (the Slack bot resolving a ticket) waits
        instead of interleaving; in this process our own lock serialises. Nothing another writer stored
        between a turn's start and its end is lost."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                state = self._read(key)
                change(state)
                self._write(state)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        return state

    def _read(self, key: str) -> ConversationState:
        row = self._conn.execute("SELECT state FROM conversations WHERE key = ?", (key,)).fetchone()
        return ConversationState(key=key) if row is None else read_state(key, row[0])

    def _write(self, state: ConversationState) -> None:
        state.updated_at = time.time()
        payload = state_to_json(state)
        self._conn.execute(
            "INSERT INTO conversations(key, state, updated_at) VALUES(?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (state.key, payload, state.updated_at),
        )

    def reset(self, key: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM conversations WHERE key = ?", (key,))

    def purge_older_than(self, seconds: float) -> int:
        cutoff = time.time() - seconds
        with self._lock:
            cur = self._conn.execute("DELETE FROM conversations WHERE updated_at < ?", (cutoff,))
        return cur.rowcount

    def keys(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT key FROM conversations ORDER BY key")]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def state_to_json(state: ConversationState) -> str:
    return json.dumps(asdict(state), ensure_ascii=False)


def read_state(key: str, payload: str) -> ConversationState:
    """A stored row as state; a row we cannot read must not break the conversation, so it starts afresh."""
    try:
        return state_from_json(key, json.loads(payload))
    except (ValueError, TypeError, KeyError):
        return ConversationState(key=key)


def state_from_json(key: str, data: dict[str, Any]) -> ConversationState:
    slots = Slots(**data.get("slots", {}))
    turns = [Turn(**t) for t in data.get("turns", [])]
    return ConversationState(
        key=key,
        language=data.get("language"),
        language_locked=bool(data.get("language_locked", False)),
        slots=slots,
        turns=turns,
        last_skus=list(data.get("last_skus", [])),
        clarify_count=int(data.get("clarify_count", 0)),
        handoff=bool(data.get("handoff", False)),
        updated_at=float(data.get("updated_at", 0.0)),
    )
