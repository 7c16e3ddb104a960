"""Shopper profiles, imported shopping events, feedback and unmet requests: the port and its SQLite store.

A profile belongs to one shopper on one platform (``telegram:42``), never to a chat: in a group each
member keeps their own, and the guide uses none of them there (see ``personal_chat``). The SQLite store
shares the conversation memory's file, so a backup, a purge or ``kb doctor`` covers both.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from knowledge.durable import open_private_sqlite

from ..errors import JobCancelled
from ..types import IncomingMessage

PreferenceKind = Literal["brand", "colour", "size", "budget", "use", "language", "sku"]
PreferenceSource = Literal["said", "feedback", "import"]
EventKind = Literal["view", "cart", "purchase", "return"]
EVENT_KINDS: tuple[EventKind, ...] = ("view", "cart", "purchase", "return")
Reaction = Literal["up", "down", "other"]
REACTIONS: tuple[Reaction, ...] = ("up", "down", "other")
# Kinds that hold one value per scope: a newer statement replaces the older one instead of adding to it.
SINGLE_VALUED: frozenset[str] = frozenset({"budget", "language", "size"})
# What retention drops by age (table, time column); imported history is the shop's record, erased per shopper.
AGED_TABLES = (("shopper_profiles", "updated_at"), ("shopper_feedback", "at"), ("shop_requests", "at"))


@dataclass(frozen=True)
class Preference:
    """One thing the shopper told us (or showed by a reaction), with where and when."""

    kind: PreferenceKind
    value: str
    liked: bool = True
    source: PreferenceSource = "said"
    at: float = 0.0
    scope: str = ""  # a category key when the preference holds within one (a budget band is per kind of item)


@dataclass
class ShopperProfile:
    shopper: str
    preferences: list[Preference] = field(default_factory=list)
    updated_at: float = 0.0

    def remember(self, preference: Preference) -> bool:
        """Keep ``preference``; the same kind and value (and scope) is restated, not duplicated; a single-valued
        kind is replaced. Returns whether anything changed."""
        pref = preference if preference.at else replace(preference, at=time.time())
        single = pref.kind in SINGLE_VALUED

        def same_slot(p: Preference) -> bool:
            same = p.kind == pref.kind and p.scope == pref.scope
            return same and (single or p.value.lower() == pref.value.lower())

        old = [p for p in self.preferences if same_slot(p)]
        if old and all(p.value == pref.value and p.liked == pref.liked for p in old):
            return False
        self.preferences = [p for p in self.preferences if not same_slot(p)] + [pref]
        return True

    def values(self, kind: PreferenceKind, *, liked: bool = True, scope: str | None = None) -> list[str]:
        return [
            p.value
            for p in self.preferences
            if p.kind == kind and p.liked is liked and (scope is None or p.scope == scope)
        ]

    def find(self, kind: PreferenceKind, scope: str = "") -> Preference | None:
        return next((p for p in reversed(self.preferences) if p.kind == kind and p.scope == scope), None)

    def dislikes(self, kind: PreferenceKind, value: str) -> bool:
        return value.lower() in {v.lower() for v in self.values(kind, liked=False)}

    def likes(self, kind: PreferenceKind, value: str) -> bool:
        return value.lower() in {v.lower() for v in self.values(kind)}


@dataclass(frozen=True)
class ShopperEvent:
    """One line of browsing or order history: who, which SKU, what happened, when (epoch seconds)."""

    shopper: str
    sku: str
    kind: EventKind
    at: float
    source: str = "import"


@dataclass(frozen=True)
class Feedback:
    """A reaction to one answer, kept with that turn: the conversation, the turn's time and what it showed."""

    reaction: Reaction
    conversation: str
    turn_at: float
    skus: tuple[str, ...] = ()
    question: str = ""  # the shopper's message of that turn, as memory keeps it (PII already redacted)
    shopper: str = ""  # empty when personalisation is off: the reaction counts, nobody is named
    at: float = 0.0


RequestKind = Literal["not_carried", "unanswered"]


@dataclass(frozen=True)
class ShopRequest:
    """Something a shopper asked for that the shop could not give, kept for staff without anyone's name: a
    kind of item we do not sell ("tv"), or a question about a product nobody could answer (PII redacted)."""

    kind: RequestKind
    text: str
    language: str
    at: float
    sku: str = ""  # the product an unanswered question was about


@dataclass(frozen=True)
class Erased:
    profiles: int = 0
    events: int = 0
    feedback: int = 0


class ProfileStore(Protocol):
    """What the core keeps about shoppers (profiles, history, feedback), and erases on request."""

    def load(self, shopper: str) -> ShopperProfile: ...

    def update(self, shopper: str, change: Callable[[ShopperProfile], None]) -> ShopperProfile: ...

    def add_events(
        self,
        events: Sequence[ShopperEvent],
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        """Store all of ``events`` in one transaction; an event already stored is not added twice.
        ``progress(done, total)`` follows each batch; ``cancel`` set stops before the commit with
        ``JobCancelled``, nothing stored."""
        ...

    def events(self, shopper: str, limit: int = 200) -> list[ShopperEvent]:
        """The shopper's latest events, newest first."""
        ...

    def all_events(self) -> Iterator[ShopperEvent]: ...

    def snapshot(self, shopper: str, limit: int) -> tuple[ShopperProfile, list[ShopperEvent]]:
        """The profile and the latest ``limit`` events together (one visit to the store on a turn's path)."""
        ...

    def add_feedback(self, feedback: Feedback) -> None: ...

    def feedback_since(self, at: float) -> list[Feedback]: ...

    def erase(self, shopper: str) -> Erased: ...

    def add_request(self, request: ShopRequest) -> None: ...

    def requests_since(self, at: float) -> list[ShopRequest]: ...

    def purge_older_than(self, seconds: float, *, dry_run: bool = False) -> Erased:
        """Profiles, feedback and requests untouched for ``seconds`` (counted only with ``dry_run``); imported
        history is erased per shopper only."""
        ...

    def close(self) -> None: ...


def shopper_key(message: IncomingMessage) -> str:
    """A shopper's identity: one platform's user, whatever chat or thread they write in."""
    return f"{message.platform}:{message.user_id}"


def personal_chat(message: IncomingMessage) -> bool:
    """A one-to-one chat, where a profile may be used and spoken of. A Telegram private chat's id is the
    user's id (groups are negative ids); Slack DM channel ids start with D; the terminal has one user."""
    if message.platform == "cli":
        return True
    if message.platform == "slack":
        return message.chat_id.startswith("D")
    return message.chat_id == message.user_id


# Rows per INSERT when importing history: a cancel or a progress report comes between batches, and every
# batch belongs to the one transaction of the whole file.
EVENT_BATCH_ROWS = 1000


def stop_if_cancelled(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise JobCancelled("import cancelled before its commit: no event of the file was stored")


class SQLiteProfileStore:
    """Profiles, events and feedback in the conversation memory's SQLite file (its own tables)."""

    _SCHEMA = """
    CREATE TABLE IF NOT EXISTS shopper_profiles (
        shopper TEXT PRIMARY KEY,
        profile TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS shopper_events (
        shopper TEXT NOT NULL,
        sku TEXT NOT NULL,
        kind TEXT NOT NULL,
        at REAL NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (shopper, sku, kind, at)
    );
    CREATE INDEX IF NOT EXISTS shopper_events_at ON shopper_events(at);
    CREATE TABLE IF NOT EXISTS shopper_feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        shopper TEXT NOT NULL,
        conversation TEXT NOT NULL,
        turn_at REAL NOT NULL,
        reaction TEXT NOT NULL,
        skus TEXT NOT NULL,
        question TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS shopper_feedback_shopper ON shopper_feedback(shopper);
    CREATE TABLE IF NOT EXISTS shop_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        language TEXT NOT NULL,
        sku TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS shop_requests_at ON shop_requests(at);
    """

    def __init__(self, path: Path | str) -> None:
        self._conn = open_private_sqlite(path, self._SCHEMA)
        # WAL with synchronous=NORMAL: a commit is not fsynced (a power cut may lose the last few statements;
        # a crash of the process loses nothing). A restated preference is cheap to lose, a synced write on
        # every turn that learns one is not cheap: it is most of personalisation's per-turn cost.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()

    def load(self, shopper: str) -> ShopperProfile:
        with self._lock:
            return self._read(shopper)

    def update(self, shopper: str, change: Callable[[ShopperProfile], None]) -> ShopperProfile:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                profile = self._read(shopper)
                change(profile)
                profile.updated_at = time.time()
                payload = preferences_json(profile)
                self._conn.execute(
                    "INSERT INTO shopper_profiles(shopper, profile, updated_at) VALUES(?, ?, ?) "
                    "ON CONFLICT(shopper) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at",
                    (shopper, payload, profile.updated_at),
                )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        return profile

    def _read(self, shopper: str) -> ShopperProfile:
        row = self._conn.execute(
            "SELECT profile, updated_at FROM shopper_profiles WHERE shopper = ?", (shopper,)
        ).fetchone()
        return ShopperProfile(shopper=shopper) if row is None else read_profile(shopper, row[0], row[1])

    def add_events(
        self,
        events: Sequence[ShopperEvent],
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        rows = [(e.shopper, e.sku, e.kind, e.at, e.source) for e in events]
        with self._lock:
            before = self._conn.total_changes
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for start in range(0, len(rows), EVENT_BATCH_ROWS):
                    stop_if_cancelled(cancel)
                    batch = rows[start : start + EVENT_BATCH_ROWS]
                    self._conn.executemany("INSERT OR IGNORE INTO shopper_events VALUES(?, ?, ?, ?, ?)", batch)
                    if progress is not None:
                        progress(start + len(batch), len(rows))
                stop_if_cancelled(cancel)  # a cancel during the last report still counts: nothing committed
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return self._conn.total_changes - before

    def events(self, shopper: str, limit: int = 200) -> list[ShopperEvent]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT shopper, sku, kind, at, source FROM shopper_events WHERE shopper = ? ORDER BY at DESC LIMIT ?",
                (shopper, limit),
            ).fetchall()
        return [ShopperEvent(*r) for r in rows]

    def snapshot(self, shopper: str, limit: int) -> tuple[ShopperProfile, list[ShopperEvent]]:
        return self.load(shopper), self.events(shopper, limit)

    def all_events(self) -> Iterator[ShopperEvent]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT shopper, sku, kind, at, source FROM shopper_events ORDER BY at"
            ).fetchall()
        return (ShopperEvent(*r) for r in rows)

    def add_feedback(self, feedback: Feedback) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO shopper_feedback(shopper, conversation, turn_at, reaction, skus, question, at) "
                "VALUES(?, ?, ?, ?, ?, ?, ?)",
                (
                    feedback.shopper,
                    feedback.conversation,
                    feedback.turn_at,
                    feedback.reaction,
                    json.dumps(list(feedback.skus)),
                    feedback.question,
                    feedback.at or time.time(),
                ),
            )

    def feedback_since(self, at: float) -> list[Feedback]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT reaction, conversation, turn_at, skus, question, shopper, at FROM shopper_feedback "
                "WHERE at >= ? ORDER BY at",
                (at,),
            ).fetchall()
        return [Feedback(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5], r[6]) for r in rows]

    def add_request(self, request: ShopRequest) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO shop_requests(kind, text, language, sku, at) VALUES(?, ?, ?, ?, ?)",
                (request.kind, request.text, request.language, request.sku, request.at or time.time()),
            )

    def requests_since(self, at: float) -> list[ShopRequest]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT kind, text, language, at, sku FROM shop_requests WHERE at >= ? ORDER BY at", (at,)
            ).fetchall()
        return [ShopRequest(*r) for r in rows]

    def erase(self, shopper: str) -> Erased:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            counts = [
                self._conn.execute(f"DELETE FROM {table} WHERE shopper = ?", (shopper,)).rowcount
                for table in ("shopper_profiles", "shopper_events", "shopper_feedback")
            ]
            self._conn.execute("COMMIT")
        return Erased(*counts)

    def purge_older_than(self, seconds: float, *, dry_run: bool = False) -> Erased:
        cutoff = time.time() - seconds
        verb = "SELECT COUNT(*)" if dry_run else "DELETE"
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            cursors = [
                self._conn.execute(f"{verb} FROM {table} WHERE {column} < ?", (cutoff,))
                for table, column in AGED_TABLES
            ]
            counts = [int(c.fetchone()[0]) if dry_run else c.rowcount for c in cursors]
            self._conn.execute("ROLLBACK" if dry_run else "COMMIT")
        # A request names nobody: it is counted with the feedback it sits beside in the report.
        return Erased(profiles=counts[0], feedback=counts[1] + counts[2])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def preferences_json(profile: ShopperProfile) -> str:
    """A profile's preferences as stored (one JSON text per shopper, in every store)."""
    return json.dumps([asdict(p) for p in profile.preferences], ensure_ascii=False, separators=(",", ":"))


def read_profile(shopper: str, payload: str, updated_at: float) -> ShopperProfile:
    try:
        prefs = [Preference(**p) for p in json.loads(payload)]
    except (ValueError, TypeError):
        # A row we cannot read must not break the conversation: the shopper starts afresh.
        return ShopperProfile(shopper=shopper)
    return ShopperProfile(shopper=shopper, preferences=prefs, updated_at=float(updated_at))


def profile_json(profile: ShopperProfile) -> dict[str, Any]:
    return {"shopper": profile.shopper, "preferences": [asdict(p) for p in profile.preferences]}
