"""Durable, private files in the data directory: atomic replace, fsynced appends, owner-only modes.

Everything shopguide writes under its data directory (conversations, transcripts, releases, logs) is
private to the user running it, whatever the umask: modes are set explicitly after creation. A file
is either replaced whole (temp file, fsync, rename, fsync of the folder) or appended one fsynced
record at a time; a reader tolerates a torn last record, which is what a crash mid-append leaves.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import StorageCorrupt

MEMORY_DB = ":memory:"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
NEWLINE = b"\n"
# Bytes read backwards at a time when looking for the last complete record of a log.
TAIL_CHUNK = 64 * 1024


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) owner-only; an existing folder is tightened too."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        with contextlib.suppress(OSError):  # created by another process in between: still ours to tighten
            folder.chmod(PRIVATE_DIR_MODE)
    # A folder someone else owns (a mounted volume) cannot be tightened by us; `kb doctor` reports it.
    with contextlib.suppress(PermissionError):
        path.chmod(PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists with mode 0600 before anything (SQLite, a log handler) opens it."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        with contextlib.suppress(PermissionError):  # another owner's file: `kb doctor` reports it
            os.fchmod(fd, PRIVATE_FILE_MODE)  # the umask may have cleared bits; an old file may be 0644
    finally:
        os.close(fd)
    return path


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Exclusive lock on ``path`` across processes (a hidden sidecar file), for append versus rewrite.

    A rewrite (purge) reads, filters and renames; an append in between would go to the replaced file
    and be lost. Both take this lock, so neither sees the other half-done.
    """
    private_dir(path.parent)
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def fsync_dir(path: Path) -> None:
    """Persist a rename or a new file in ``path``: without it a power cut can forget the entry."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: readers see the old or the new file, never a part of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"))


def write_lines(path: Path, lines: Iterable[str]) -> None:
    """A new file of text lines, fsynced and private (for files inside a staging folder renamed later)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        with os.fdopen(os.dup(fd), "w", encoding="utf-8") as handle:
            for line in lines:
                handle.write(line + "\n")
            handle.flush()
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a file another library wrote (numpy's ``savez``) and make it private."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        os.fsync(fd)
    finally:
        os.close(fd)


def _complete_length(fd: int, size: int) -> int:
    """Length of the file up to and including its last newline (0 when it has none)."""
    end = size
    while end > 0:
        start = max(0, end - TAIL_CHUNK)
        chunk = os.pread(fd, end - start, start)
        index = chunk.rfind(NEWLINE)
        if index >= 0:
            return start + index + 1
        end = start
    return 0


def append_record(path: Path, line: str) -> int:
    """Append one record (a line, or several) and fsync; returns the bytes of a torn tail dropped first.

    A crash mid-append leaves a last line without its newline. That record was never acknowledged, and
    appending after it would glue the next record onto it, so it is cut off before writing.
    """
    data = (line if line.endswith("\n") else line + "\n").encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        size = os.fstat(fd).st_size
        keep = _complete_length(fd, size) if size else 0
        if keep != size:
            os.ftruncate(fd, keep)
        os.lseek(fd, keep, os.SEEK_SET)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    return size - keep


@dataclass(frozen=True)
class LogContents:
    """The complete lines of an append-only log, and the torn last record if a crash left one."""

    lines: list[str]
    torn_tail: str = ""


def read_log(path: Path) -> LogContents:
    """Read an append-only log. Bytes that are not UTF-8 survive as lone surrogates, so a strict
    ``encode`` by the caller names the damaged line instead of this read failing for the whole file."""
    if not path.exists():
        return LogContents([])
    text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    complete, _, tail = text.rpartition("\n")
    lines = [line for line in complete.split("\n") if line.strip()]
    return LogContents(lines, tail if tail.strip() else "")


def open_private_sqlite(path: Path | str, schema: str) -> sqlite3.Connection:
    """A WAL-mode SQLite connection shared across threads, on a 0600 file, with ``schema`` applied.

    A damaged file raises ``StorageCorrupt`` naming the repair instead of a bare ``sqlite3`` error.
    SQLite creates its ``-wal`` and ``-shm`` files with the database file's mode, so they stay private.
    """
    if str(path) != MEMORY_DB:
        private_file(Path(path))
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(schema)
    except sqlite3.DatabaseError as exc:
        raise StorageCorrupt(
            f"{path} is damaged: {exc}",
            hint="run `shopguide kb doctor --repair`: it moves the damaged file aside and a fresh one is created",
        ) from exc
    return conn
