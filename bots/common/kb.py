"""The knowledge-base verbs chat admins run (status, reload, diff, rollback, cancel), with throttled reload
progress (counts and an ETA).

``KnowledgeAdmin`` checks the allowlist and writes the audit log; here the verbs run off the event loop,
their arguments are parsed once, and a reload's progress (reported from its worker thread) reaches the
adapter on the loop, at most one line per stage and interval. Adapters only word and show the results.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from assistant.admin import AdminActor, ProgressEvent, ReleaseAdmin
from knowledge.releases import ReleaseDiff
from knowledge.reload import ReloadOutcome

KB_ACTIONS = ("status", "reload", "diff", "rollback", "cancel")
# Flags a chat admin may add to a reload (the terminal's ``shopguide kb reload`` has the same options).
KB_FLAGS = {"--force": "force", "--skip-invalid": "skip_invalid"}
# A reload reports every indexed batch; a chat gets the first and last line of each stage and at most one
# line per this many seconds in between (Slack's and Telegram's one-write-a-second budgets, with room).
PROGRESS_INTERVAL_S = 2.0

ProgressSink = Callable[[ProgressEvent], Awaitable[None]]


@dataclass(frozen=True)
class KbArgs:
    """``/kb_reload --force catalog.csv`` as words: positional arguments and the known flags."""

    positional: list[str] = field(default_factory=list)
    force: bool = False
    skip_invalid: bool = False

    @classmethod
    def parse(cls, args: Sequence[str]) -> KbArgs:
        flags = {KB_FLAGS[a]: True for a in args if a in KB_FLAGS}
        return cls([a for a in args if not a.startswith("--")], **flags)

    @property
    def sources(self) -> list[str] | None:
        """Catalog paths to load or compare; None means the configured catalog (or the release history)."""
        return self.positional or None

    @property
    def release(self) -> str | None:
        """The release a rollback targets; None means the previous one."""
        return self.positional[0] if self.positional else None


class ProgressThrottle:
    """Decides which progress events are shown: a stage's first and last, at most one per interval between."""

    def __init__(self, interval_s: float = PROGRESS_INTERVAL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval_s = interval_s
        self.clock = clock
        self._last: dict[str, float] = {}

    def due(self, event: ProgressEvent) -> bool:
        now = self.clock()
        last = self._last.get(event.stage)
        if last is None or now - last >= self.interval_s or event.done == event.total:
            self._last[event.stage] = now
            return True
        return False


class KbVerbs:
    """The four verbs on a ``KnowledgeAdmin``, each off the event loop (a reload embeds a whole catalog)."""

    def __init__(self, admin: ReleaseAdmin, *, progress_interval_s: float = PROGRESS_INTERVAL_S) -> None:
        self.admin = admin
        self.progress_interval_s = progress_interval_s
        self._running: set[threading.Event] = set()  # one per reload in progress: set it to cancel that reload

    def cancel(self) -> bool:
        """Cancel the reloads in progress (they stop within one indexed batch, before their switch);
        False when none is running. Callers check the admin allowlist first."""
        for running in self._running:
            running.set()
        return bool(self._running)

    async def status(self, actor: AdminActor) -> list[str]:
        status = await asyncio.to_thread(self.admin.status, actor)
        return status.lines()

    async def diff(self, actor: AdminActor, args: KbArgs) -> ReleaseDiff:
        return await asyncio.to_thread(self.admin.diff, actor, args.sources)

    async def rollback(self, actor: AdminActor, args: KbArgs) -> str:
        return await asyncio.to_thread(self.admin.rollback, actor, args.release)

    async def reload(self, actor: AdminActor, args: KbArgs, progress: ProgressSink | None = None) -> ReloadOutcome:
        """Reload, handing due progress events to ``progress`` in order on this loop.

        A progress write that fails is dropped: a lost progress line must not fail the reload. ``cancel()``
        stops it with ``ReloadCancelled``, the live release untouched.
        """
        cancel = threading.Event()
        self._running.add(cancel)
        try:
            return await self._reload(actor, args, progress, cancel)
        except asyncio.CancelledError:
            cancel.set()  # the adapter is shutting down: its worker thread stops too, before any switch
            raise
        finally:
            self._running.discard(cancel)

    async def _reload(
        self, actor: AdminActor, args: KbArgs, progress: ProgressSink | None, cancel: threading.Event
    ) -> ReloadOutcome:
        if progress is None:
            return await self.admin.areload(
                actor, args.sources, force=args.force, skip_invalid=args.skip_invalid, cancel=cancel
            )
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[ProgressEvent | None] = asyncio.Queue()
        throttle = ProgressThrottle(self.progress_interval_s)

        def relay(event: ProgressEvent) -> None:  # runs in the reload's worker thread
            if throttle.due(event):
                loop.call_soon_threadsafe(events.put_nowait, event)

        async def show() -> None:
            while (event := await events.get()) is not None:
                with contextlib.suppress(Exception):
                    await progress(event)

        shower = asyncio.create_task(show())
        try:
            return await self.admin.areload(
                actor, args.sources, relay, force=args.force, skip_invalid=args.skip_invalid, cancel=cancel
            )
        finally:
            events.put_nowait(None)
            await shower
