"""Where the live-release pointer and its rollback history are kept: the port, and the file kept in the data
directory (one machine; the default). Several replicas keep it in Postgres instead (``assistant.state``), and are
told of a switch at once rather than finding it on their next poll.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, cast

from .durable import private_dir, write_text_atomic
from .errors import KnowledgeStoreCorrupt
from .release_files import REPAIR_HINT

__all__ = ["FilePointerStore", "PointerStore", "validate_pointer"]


class PointerStore(Protocol):
    """The live release, its revision (bumped by live updates) and the releases live before it, newest first."""

    def exists(self) -> bool: ...

    def read(self) -> dict[str, Any]:
        """``{"release_id", "history", "revision", "activated_at"}``; ``KnowledgeStoreCorrupt`` when unreadable."""
        ...

    def write(self, release_id: str, history: list[str], revision: int) -> int:
        """Persist atomically; returns the new stamp (what ``stamp`` will answer until the next write)."""
        ...

    def stamp(self) -> int | None:
        """Changes with every write, by any process (None: no pointer yet). Cheap: it is polled."""
        ...

    def watch(self, on_change: Callable[[], None]) -> bool:
        """Call ``on_change`` (from another thread) when another process writes; False: no notifications here,
        the caller keeps polling ``stamp``."""
        ...

    def close(self) -> None: ...


def validate_pointer(data: Any, where: str) -> dict[str, Any]:
    try:
        str(data["release_id"])
        int(data.get("revision", 0))
        [str(r) for r in data.get("history", [])]
        return cast(dict[str, Any], data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KnowledgeStoreCorrupt(f"release pointer {where} is unreadable", hint=REPAIR_HINT) from exc


class FilePointerStore:
    """``live_release.json`` in the data directory: replaced by an atomic, fsynced rename, stamped by its
    modification time."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise KnowledgeStoreCorrupt(f"release pointer {self.path} is unreadable", hint=REPAIR_HINT) from exc
        return validate_pointer(data, str(self.path))

    def write(self, release_id: str, history: list[str], revision: int) -> int:
        private_dir(self.path.parent)
        payload = {"release_id": release_id, "history": history, "revision": revision, "activated_at": time.time()}
        # Atomic and durable: readers see the old or the new pointer, and a power cut keeps one of them.
        write_text_atomic(self.path, json.dumps(payload))
        return self.path.stat().st_mtime_ns

    def stamp(self) -> int | None:
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def watch(self, on_change: Callable[[], None]) -> bool:
        return False  # a file tells no one: serving processes poll its stamp

    def close(self) -> None:
        return None
