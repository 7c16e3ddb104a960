"""Cross-process refresh: a serving process notices that another one (a CLI reload, an upsert, another replica)
moved the live-release pointer, and follows it in the background without holding up the query that noticed.

Two ways to notice, the same follow: polling the pointer's stamp on queries, at most once per interval (always
on; the only way for the pointer file), and a wake-up from the pointer store when it can tell (Postgres
LISTEN/NOTIFY), which follows at once even when no query comes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .errors import KnowledgeError
from .registry import ReleaseRegistry

# How often a serving process looks at the pointer for releases or updates made by another process.
REFRESH_INTERVAL_S = 1.0


class PointerWatch:
    """Follows the pointer when its stamp changes; ``follow`` runs in a thread, one at a time."""

    def __init__(self, registry: ReleaseRegistry, follow: Callable[[], None]) -> None:
        self.registry = registry
        self.follow = follow  # serve what the pointer names; takes the store's write lock itself
        self.stamp = 0  # the pointer this process last wrote or followed
        self._last_poll = 0.0
        self._lock = threading.Lock()
        self._following = False
        self._again = False  # a wake-up came while following: look once more after it

    def poll(self) -> None:
        now = time.monotonic()
        if now - self._last_poll < REFRESH_INTERVAL_S:
            return
        self._last_poll = now
        self._check()

    def wake(self) -> None:
        """Another process wrote the pointer (a notification): follow now, whatever the poll interval says."""
        self._check()

    def _check(self) -> None:
        # Read outside the lock: for a shared pointer it is a database round trip, and the caller may be a query.
        stamp = self.registry.pointer_stamp()
        with self._lock:
            if self._following:
                self._again = True
                return
            if stamp is None or stamp == self.stamp:
                return
            self._following = True
        threading.Thread(target=self._follow, args=(stamp,), daemon=True, name="kb-refresh").start()

    def _follow(self, stamp: int) -> None:
        try:
            self.follow()
            self.stamp = stamp
        except KnowledgeError:
            pass  # a half-written or pruned release: keep serving the current one, retry on the next poll
        finally:
            with self._lock:
                self._following = False
                again, self._again = self._again, False
            if again:
                self._check()
