"""Cross-process refresh: a serving process notices that another one (a CLI reload, an upsert) moved the
live-release pointer, and follows it in the background without holding up the query that noticed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .errors import KnowledgeError
from .registry import ReleaseRegistry

# How often a serving process looks at the pointer file for releases or updates made by another process.
REFRESH_INTERVAL_S = 1.0


class PointerWatch:
    """Polls the pointer file's stamp at most once per interval; a change runs ``follow`` in a thread."""

    def __init__(self, registry: ReleaseRegistry, follow: Callable[[], None]) -> None:
        self.registry = registry
        self.follow = follow  # serve what the pointer names; takes the store's write lock itself
        self.stamp = 0  # the pointer this process last wrote or followed
        self._last_poll = 0.0
        self._following = False

    def poll(self) -> None:
        now = time.monotonic()
        if now - self._last_poll < REFRESH_INTERVAL_S or self._following:
            return
        self._last_poll = now
        stamp = self.registry.pointer_stamp()
        if stamp is None or stamp == self.stamp:
            return
        self._following = True
        threading.Thread(target=self._follow, args=(stamp,), daemon=True, name="kb-refresh").start()

    def _follow(self, stamp: int) -> None:
        try:
            self.follow()
            self.stamp = stamp
        except KnowledgeError:
            pass  # a half-written or pruned release: keep serving the current one, retry next interval
        finally:
            self._following = False
