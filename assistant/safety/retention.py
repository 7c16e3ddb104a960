"""Data retention: drop conversation memory, audit entries, resolved handoff tickets and rotated log files
older than the retention period (``shopguide privacy purge --older-than DAYS``).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.durable import locked, write_text_atomic
from knowledge.errors import StorageCorrupt

from ..config import Settings
from ..conversation import SQLiteConversationStore
from ..personal.profile import AGED_TABLES, Erased, ProfileStore, SQLiteProfileStore
from ..state.backends import shared_engine, uses_postgres

if TYPE_CHECKING:
    from ..state.postgres import PostgresConversationStore

    KeyedMemory = SQLiteConversationStore | PostgresConversationStore

__all__ = ["PurgeReport", "erase_shopper", "purge"]

SECONDS_PER_DAY = 86_400
_AUDIT_TIME_FIELDS = ("ts", "at", "time", "timestamp", "created_at")
LOG_FILE_GLOB = "shopguide.log.*"  # rotated backups; the live log file is never deleted


@dataclass
class PurgeReport:
    older_than_days: float
    conversations: int = 0
    audit_entries: int = 0
    handoff_tickets: int = 0
    log_files: int = 0
    # Profiles, feedback and unmet requests not updated within the period (assistant.personal); imported order
    # history is the shop's own record (the recommender's training data): erased per shopper, not by age.
    shopper_records: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, float | int | bool]:
        return dict(vars(self))


def _entry_time(entry: dict[str, object]) -> float | None:
    for name in _AUDIT_TIME_FIELDS:
        value = entry.get(name)
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            for parse in (datetime.fromisoformat, lambda v: datetime.strptime(v, "%Y-%m-%dT%H:%M:%S%z")):
                try:
                    return parse(value).timestamp()
                except ValueError:
                    continue
    return None


def _purge_audit(path: Path, cutoff: float, dry_run: bool) -> int:
    if not path.exists():
        return 0
    with locked(path):  # an admin command appending meanwhile must not be lost in the rewrite
        return _purge_audit_locked(path, cutoff, dry_run)


def _purge_audit_locked(path: Path, cutoff: float, dry_run: bool) -> int:
    kept: list[str] = []
    dropped = 0
    for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():  # damaged bytes: kept, not fatal
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            kept.append(line)
            continue
        at = _entry_time(entry) if isinstance(entry, dict) else None
        if at is not None and at < cutoff:
            dropped += 1
        else:
            kept.append(line)
    if dropped and not dry_run:
        write_text_atomic(path, "".join(f"{line}\n" for line in kept))  # private, fsynced, all or nothing
    return dropped


def _purge_tickets(path: Path, cutoff: float, dry_run: bool) -> int:
    if not path.exists():
        return 0
    conn = sqlite3.connect(str(path))
    try:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='handoff_tickets'").fetchone()
        if not exists:
            return 0
        where = "status = 'resolved' AND resolved_at IS NOT NULL AND resolved_at < ?"
        if dry_run:
            return int(conn.execute(f"SELECT COUNT(*) FROM handoff_tickets WHERE {where}", (cutoff,)).fetchone()[0])
        with conn:
            return conn.execute(f"DELETE FROM handoff_tickets WHERE {where}", (cutoff,)).rowcount
    finally:
        conn.close()


def _purge_conversations(path: Path, seconds: float, cutoff: float, dry_run: bool) -> int:
    if not path.exists():
        return 0
    if dry_run:
        conn = sqlite3.connect(str(path))
        try:
            return int(conn.execute("SELECT COUNT(*) FROM conversations WHERE updated_at < ?", (cutoff,)).fetchone()[0])
        except sqlite3.OperationalError:
            return 0
        finally:
            conn.close()
    store = SQLiteConversationStore(path)
    try:
        return store.purge_older_than(seconds)
    finally:
        store.close()


def _purge_shared(settings: Settings, report: PurgeReport, cutoff: float, dry_run: bool) -> None:
    """The same retention in the Postgres tables several replicas share (added to what the files held)."""
    from ..state.postgres import PostgresAuditTrail, PostgresConversationStore, PostgresTicketStore
    from ..state.profiles import PostgresProfileStore

    engine = shared_engine(settings)
    memory = PostgresConversationStore(engine)
    age = time.time() - cutoff
    report.conversations += memory.count_older_than(age) if dry_run else memory.purge_older_than(age)
    report.audit_entries += PostgresAuditTrail(engine).purge_before(cutoff, dry_run=dry_run)
    report.handoff_tickets += PostgresTicketStore(engine).purge_resolved_before(cutoff, dry_run=dry_run)
    erased = PostgresProfileStore(engine).purge_older_than(age, dry_run=dry_run)
    report.shopper_records += erased.profiles + erased.events + erased.feedback


def _purge_shoppers(path: Path, seconds: float, cutoff: float, dry_run: bool) -> int:
    if not path.exists():
        return 0
    if dry_run:
        conn = sqlite3.connect(str(path))
        try:
            counted = 0
            for table, column in AGED_TABLES:
                try:
                    counted += int(
                        conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} < ?", (cutoff,)).fetchone()[0]
                    )
                except sqlite3.OperationalError:  # a file from before this table existed
                    continue
            return counted
        finally:
            conn.close()
    store = SQLiteProfileStore(path)
    try:
        erased = store.purge_older_than(seconds)
    finally:
        store.close()
    return erased.profiles + erased.events + erased.feedback


def _shopper_stores(settings: Settings) -> list[tuple[ProfileStore, KeyedMemory]]:
    """Every place a shopper's records may be: the shared database when configured, and the memory file
    (which also holds what was kept before the switch to the database)."""
    stores: list[tuple[ProfileStore, KeyedMemory]] = []
    if not uses_postgres(settings) or settings.memory_db.exists():
        stores.append((SQLiteProfileStore(settings.memory_db), SQLiteConversationStore(settings.memory_db)))
    if uses_postgres(settings):
        from ..state.postgres import PostgresConversationStore
        from ..state.profiles import PostgresProfileStore

        engine = shared_engine(settings)
        stores.append((PostgresProfileStore(engine), PostgresConversationStore(engine)))
    return stores


def erase_shopper(settings: Settings, shopper: str) -> Erased:
    """Everything kept about one shopper (``platform:user_id``): profile, history, feedback, conversations."""
    platform, _, user = shopper.partition(":")
    total = Erased()
    for profiles, memory in _shopper_stores(settings):
        try:
            erased = profiles.erase(shopper)
            total = Erased(
                total.profiles + erased.profiles, total.events + erased.events, total.feedback + erased.feedback
            )
            stored = memory.keys()  # the store's own list of conversation keys (not a dict)
            for key in stored:
                parts = key.split(":")
                if parts[0] == platform and parts[-1] == user:
                    memory.reset(key)
        finally:
            profiles.close()
            memory.close()
    return total


def purge(
    settings: Settings, older_than_days: float, *, dry_run: bool = False, now: float | None = None
) -> PurgeReport:
    """Delete personal data older than ``older_than_days`` from every store shopguide keeps.

    A damaged store raises ``StorageCorrupt`` naming the repair, instead of a bare ``sqlite3`` error.
    """
    try:
        return _purge(settings, older_than_days, dry_run=dry_run, now=now)
    except sqlite3.DatabaseError as exc:
        raise StorageCorrupt(
            f"a store in {settings.data_dir} is damaged: {exc}",
            hint="run `shopguide kb doctor --repair`: it moves the damaged file aside and a fresh one is created",
        ) from exc


def _purge(settings: Settings, older_than_days: float, *, dry_run: bool, now: float | None) -> PurgeReport:
    seconds = older_than_days * SECONDS_PER_DAY
    cutoff = (now if now is not None else time.time()) - seconds
    report = PurgeReport(older_than_days=older_than_days, dry_run=dry_run)
    # The store measures age against the wall clock; pass the age that matches ``cutoff``.
    report.conversations = _purge_conversations(settings.memory_db, time.time() - cutoff, cutoff, dry_run)
    report.audit_entries = _purge_audit(settings.audit_log, cutoff, dry_run)
    report.shopper_records = _purge_shoppers(settings.memory_db, time.time() - cutoff, cutoff, dry_run)
    # Tickets (with their transcripts) live in the handoff store; older versions kept them beside memory.
    ticket_dbs = {settings.memory_db, settings.slack_db, settings.handoff_db}
    report.handoff_tickets = sum(_purge_tickets(path, cutoff, dry_run) for path in ticket_dbs)
    if uses_postgres(settings):
        _purge_shared(settings, report, cutoff, dry_run)
    if settings.data_dir.exists():
        for log_file in settings.data_dir.glob(LOG_FILE_GLOB):
            if log_file.stat().st_mtime < cutoff:
                report.log_files += 1
                if not dry_run:
                    log_file.unlink()
    return report
