"""``shopguide kb doctor``: check a data directory and say exactly what to do; ``--repair`` where safe.

Checks the folder permissions, the Chroma index, the live-release pointer, every release folder
(manifest, snapshot files, updates log, collections) and leftovers of interrupted builds. Repairs
never delete what they cannot rebuild: a damaged index is moved aside, the live release is rebuilt
from its own saved snapshot (products, live updates, passages, reviews), and only when that snapshot
is gone too does it fall back to the newest readable kept release.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .durable import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, read_log, write_lines
from .embedding import MultilingualUSE
from .errors import KnowledgeError
from .loaders import LoadedKnowledge
from .models import Product
from .release_files import UPDATES_FILE, parse_lines, read_snapshot
from .release_models import carry_models
from .store import POINTER_FILE, RELEASES_DIR, STAGING_PREFIX, KnowledgeStore, forget_embedded_client, make_client

Level = Literal["ok", "warn", "error"]
CHROMA_DIR = "chroma"
DAMAGED_SUFFIX = ".damaged-"
REJECTED_UPDATES_FILE = "updates.rejected.jsonl"
# Group and other permission bits: none may be set on anything in the data directory.
OPEN_BITS = stat.S_IRWXG | stat.S_IRWXO
REPAIRED_BY = "doctor:repair"
# The SQLite stores beside the knowledge base (conversation memory, handoff tickets, Slack event ids).
SQLITE_STORES = ("memory.sqlite3", "handoff.sqlite3", "slack.sqlite3")
CHROMA_DB_FILE = "chroma.sqlite3"
SQLITE_SIDE_FILES = ("-wal", "-shm")


@dataclass
class Finding:
    level: Level
    subject: str
    message: str
    fix: str = ""
    repaired: bool = False

    def line(self) -> str:
        mark = {"ok": "ok   ", "warn": "warn ", "error": "ERROR"}[self.level]
        text = f"{mark} {self.subject}: {self.message}"
        if self.repaired:
            return text + " -> repaired"
        return text + (f"\n      fix: {self.fix}" if self.fix else "")


@dataclass
class DoctorReport:
    data_dir: Path
    findings: list[Finding] = field(default_factory=list)

    def add(self, level: Level, subject: str, message: str, fix: str = "", *, repaired: bool = False) -> Finding:
        finding = Finding(level, subject, message, fix, repaired)
        self.findings.append(finding)
        return finding

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.level != "ok" and not f.repaired]

    @property
    def healthy(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f.line() for f in self.findings]
        if self.healthy:
            out.append("the data directory is healthy")
        else:
            out.append(f"{len(self.problems)} problem(s); run `shopguide kb doctor --repair` for the ones marked fix")
        return out


StoreOpener = Callable[[Path], KnowledgeStore]


def _check_permissions(data_dir: Path, report: DoctorReport, repair: bool) -> None:
    """Data dir, releases and every file shopguide writes: owner-only (Chroma's own files sit in a 0700 dir)."""
    open_paths: list[Path] = []
    candidates = [data_dir, data_dir / RELEASES_DIR, data_dir / CHROMA_DIR]
    candidates += [p for p in data_dir.iterdir() if p.is_file()]
    releases = data_dir / RELEASES_DIR
    if releases.is_dir():
        for folder in releases.iterdir():
            candidates.append(folder)
            if folder.is_dir():
                candidates += [p for p in folder.iterdir() if p.is_file()]
    for path in candidates:
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mode & OPEN_BITS:
                open_paths.append(path)
    if not open_paths:
        report.add("ok", "permissions", "owner-only (0700 folders, 0600 files)")
        return
    shown = ", ".join(p.relative_to(data_dir).as_posix() or "." for p in open_paths[:5])
    finding = report.add(
        "warn",
        "permissions",
        f"{len(open_paths)} path(s) readable by other users ({shown})",
        fix=f"run `shopguide kb doctor --repair` (or chmod -R go-rwx {data_dir})",
    )
    if repair:
        for path in open_paths:
            with contextlib.suppress(FileNotFoundError):
                path.chmod(PRIVATE_DIR_MODE if path.is_dir() else PRIVATE_FILE_MODE)
        finding.repaired = True


def _check_updates_log(folder: Path, report: DoctorReport, repair: bool) -> None:
    """A torn last record (crash mid-append) or records that do not validate (older versions accepted them)."""
    path = folder / UPDATES_FILE
    if not path.exists():
        return
    contents = read_log(path)
    good: list[str] = []
    bad: list[str] = []
    for line in contents.lines:
        try:
            parse_lines(path, [line], Product)
            good.append(line)
        except KnowledgeError:
            bad.append(line)
    subject = f"release {folder.name} updates log"
    if not bad and not contents.torn_tail:
        return
    parts = []
    if contents.torn_tail:
        parts.append(f"an interrupted write left a partial last record ({len(contents.torn_tail)} chars, ignored)")
    if bad:
        parts.append(f"{len(bad)} record(s) that do not validate (e.g. a price that is not a finite number)")
    finding = report.add(
        "error" if bad else "warn",
        subject,
        "; ".join(parts),
        fix=f"run `shopguide kb doctor --repair` (keeps {len(good)} good records, moves the rest to "
        f"{REJECTED_UPDATES_FILE})",
    )
    if repair:
        rejected = folder / REJECTED_UPDATES_FILE
        if bad or contents.torn_tail:
            old = read_log(rejected).lines if rejected.exists() else []
            tail = [contents.torn_tail] if contents.torn_tail else []
            lines = [x.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for x in [*old, *bad, *tail]]
            write_lines(rejected, lines)
        tmp = folder / f".{UPDATES_FILE}.repair"
        write_lines(tmp, good)
        os.replace(tmp, path)
        finding.repaired = True


def sqlite_problem(path: Path) -> str | None:
    """SQLite's own page-level check, read-only; None when the file is sound."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    verdict = "; ".join(str(r[0]) for r in rows[:3])
    return None if verdict == "ok" else verdict


def _damaged_name(path: Path) -> Path:
    return path.with_name(f"{path.name}{DAMAGED_SUFFIX}{time.strftime('%Y%m%d-%H%M%S')}")


def _check_sqlite_stores(data_dir: Path, report: DoctorReport, repair: bool) -> None:
    for name in SQLITE_STORES:
        path = data_dir / name
        if not path.exists():
            continue
        problem = sqlite_problem(path)
        if problem is None:
            report.add("ok", name, "sound")
            continue
        finding = report.add(
            "error",
            name,
            f"damaged ({problem})",
            fix="run `shopguide kb doctor --repair` (moves it aside; a fresh, empty one is created at the next start)",
        )
        if repair:
            target = _damaged_name(path)
            path.rename(target)
            for suffix in SQLITE_SIDE_FILES:
                side = path.with_name(path.name + suffix)
                if side.exists():
                    side.rename(target.with_name(target.name + suffix))
            finding.message += f"; kept as {target.name}"
            finding.repaired = True


def _move_index_aside(data_dir: Path) -> Path:
    target = _damaged_name(data_dir / CHROMA_DIR)
    (data_dir / CHROMA_DIR).rename(target)
    forget_embedded_client(data_dir / CHROMA_DIR)
    return target


def _restore(store: KnowledgeStore, release_id: str, *, rebuild_only: bool) -> str | None:
    """Serve ``release_id`` again: as it is if it opens, else rebuilt from its snapshot; None if neither."""
    if not rebuild_only:
        with contextlib.suppress(KnowledgeError):
            store.activate(release_id)
            return f"serving {release_id} again"
    try:
        return f"rebuilt as {_rebuild_from_snapshot(store, release_id)} from the snapshot of {release_id}"
    except KnowledgeError:
        return None


def _rebuild_from_snapshot(store: KnowledgeStore, release_id: str) -> str:
    """A new release with exactly what ``release_id`` served (snapshot plus live updates), made live."""
    folder = store.data_dir / RELEASES_DIR / release_id
    manifest = store.manifest(release_id)
    snapshot = read_snapshot(folder, manifest.files)
    merged = {p.sku: p for p in snapshot.products}
    merged.update({p.sku: p for p in snapshot.updates})
    loaded = LoadedKnowledge(
        products=list(merged.values()),
        docs=list(snapshot.docs),
        reviews=list(snapshot.reviews),
        sources={s.path: s.sha256 for s in manifest.sources},
    )
    new_id = store.build_release(loaded, created_by=REPAIRED_BY)
    # The rebuilt release serves the trained models the damaged one did (they are not in its snapshot).
    carry_models(store.registry, manifest, new_id)
    store.activate(new_id)
    return new_id


def diagnose(
    data_dir: Path,
    *,
    repair: bool = False,
    embed_threads: int = 1,
    keep_releases: int = 3,
) -> DoctorReport:
    """Check (and with ``repair`` fix) an embedded-mode data directory."""
    report = DoctorReport(data_dir)
    if not data_dir.exists():
        report.add("ok", "data directory", f"{data_dir} does not exist yet; the first start creates it")
        return report
    _check_permissions(data_dir, report, repair)
    _check_sqlite_stores(data_dir, report, repair)
    client = None
    index_reset = False
    try:
        chroma_db = data_dir / CHROMA_DIR / CHROMA_DB_FILE
        problem = sqlite_problem(chroma_db) if chroma_db.exists() else None
        if problem is not None:
            raise KnowledgeError(f"{chroma_db} is damaged ({problem})")
        client = make_client("embedded", data_dir / CHROMA_DIR)
        report.add("ok", "index", "Chroma opens")
    except KnowledgeError as exc:
        finding = report.add(
            "error",
            "index",
            f"Chroma cannot open it: {exc.message}",
            fix="run `shopguide kb doctor --repair` (moves it aside, rebuilds the live release from its snapshot)",
        )
        if repair:
            moved = _move_index_aside(data_dir)
            client = make_client("embedded", data_dir / CHROMA_DIR)
            index_reset = True
            finding.repaired = True
            report.add("ok", "index", f"damaged index moved to {moved.name}; a fresh one was created")
    if client is None:
        return report
    store = KnowledgeStore(client, MultilingualUSE(threads=embed_threads), data_dir, keep_releases=keep_releases)
    releases_dir = data_dir / RELEASES_DIR
    folders = list(releases_dir.iterdir()) if releases_dir.is_dir() else []
    leftovers = [p.name for p in folders if p.name.startswith(STAGING_PREFIX)]
    if leftovers:
        finding = report.add(
            "warn",
            "releases",
            f"{len(leftovers)} unfinished build(s) left by an interrupted reload",
            fix="run `shopguide kb doctor --repair` (or any `kb reload`, which removes them first)",
        )
        if repair:
            store.collect_garbage()
            finding.repaired = True
    for release_id in store.release_ids():
        _check_updates_log(releases_dir / release_id, report, repair)
    _check_live(store, report, repair, index_reset=index_reset)
    return report


def _check_live(store: KnowledgeStore, report: DoctorReport, repair: bool, *, index_reset: bool) -> None:
    pointer = store.data_dir / POINTER_FILE
    if not pointer.exists():
        report.add("ok", "live release", "none yet: the first start builds one from the catalog folder")
        return
    store.open_live()
    if store.has_live and not index_reset:
        live = store.live
        report.add("ok", "live release", f"{live.release_id}: {len(live.products)} products, {len(live.docs)} passages")
        _check_kept(store, report, repair)
        return
    damage = store.damage
    finding = report.add(
        "error",
        "live release",
        damage.message if damage is not None else "its index was lost with the damaged Chroma store",
        fix="run `shopguide kb doctor --repair` (rebuilds it from its saved snapshot), or "
        "`shopguide kb reload PATH` to build a new release from your catalog",
    )
    if not repair:
        return
    wanted = store.pointer_release_id()
    known = store.release_ids()
    # The release the pointer names first, then the rollback targets, then any other, newest first
    # (a damaged pointer leaves no history: the newest finished release is then the best guess).
    candidates = list(dict.fromkeys([*([wanted] if wanted else []), *store.history(), *reversed(known)]))
    skipped: list[str] = []
    for release_id in [r for r in candidates if r in known]:
        how = _restore(store, release_id, rebuild_only=index_reset)
        if how is None:
            skipped.append(release_id)
            continue
        finding.repaired = True
        note = f" ({', '.join(skipped)} could not be restored)" if skipped else ""
        report.add("ok", "live release", f"{how}{note}", repaired=True)
        _forget_unreadable(store, report)
        return
    with contextlib.suppress(FileNotFoundError):
        pointer.unlink()  # nothing readable is left: the next start builds from the catalog folder
    finding.fix = "no release could be rebuilt; run `shopguide kb reload PATH` (or start: it builds from the catalog)"


def _unreadable_kept(store: KnowledgeStore) -> list[tuple[str, KnowledgeError]]:
    """Kept (not live) releases that cannot be opened, each with the reason."""
    live_id = store.live.release_id
    broken: list[tuple[str, KnowledgeError]] = []
    for release_id in store.release_ids():
        if release_id == live_id:
            continue
        try:
            with store.lease(release_id):
                pass
        except KnowledgeError as exc:
            broken.append((release_id, exc))
    return broken


def _check_kept(store: KnowledgeStore, report: DoctorReport, repair: bool) -> None:
    """Rollback targets and other kept releases must be readable too, or rollback would fail later."""
    for release_id, exc in _unreadable_kept(store):
        finding = report.add(
            "warn",
            f"release {release_id}",
            f"kept but unreadable ({exc.message})",
            fix="run `shopguide kb doctor --repair` (drops it; it cannot be rolled back to)",
        )
        if repair:
            store.drop_release(release_id)
            finding.repaired = True


def _forget_unreadable(store: KnowledgeStore, report: DoctorReport) -> None:
    for release_id, _ in _unreadable_kept(store):
        store.drop_release(release_id)
        report.add("warn", f"release {release_id}", "unreadable after the repair; dropped", repaired=True)
