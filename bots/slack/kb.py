"""Slack ``kb`` commands on top of the core's ``KnowledgeAdmin`` (allowlist and audit log live there)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from assistant.admin import AdminActor, KnowledgeAdmin, ProgressEvent
from assistant.app import Assistant
from assistant.config import Settings

from .commands import Progress

# Reload reports every indexed batch; a thread gets a line per stage and at most one per interval.
PROGRESS_INTERVAL_S = 2.0


class SlackKnowledgeAdmin(KnowledgeAdmin):
    """Also accepts members of the Slack admin user group, as verified by the adapter for this call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.verified: set[str] = set()

    def is_admin(self, actor: AdminActor) -> bool:
        return super().is_admin(actor) or actor.key in self.verified


class AdminKbOperations:
    def __init__(self, admin: KnowledgeAdmin) -> None:
        self.admin = admin

    @classmethod
    def create(cls, settings: Settings, assistant: Assistant) -> AdminKbOperations:
        return cls(SlackKnowledgeAdmin(assistant.knowledge, settings))

    async def run(self, action: str, args: list[str], actor: str, progress: Progress) -> str:
        """Called only after the adapter's admin check (allowlist or user group) passed for ``actor``."""
        who = AdminActor.parse(actor)
        if isinstance(self.admin, SlackKnowledgeAdmin):
            self.admin.verified.add(who.key)
        try:
            return await self._run(action, args, who, progress)
        finally:
            if isinstance(self.admin, SlackKnowledgeAdmin):
                self.admin.verified.discard(who.key)

    async def _run(self, action: str, args: list[str], who: AdminActor, progress: Progress) -> str:
        if action == "status":
            status = await asyncio.to_thread(self.admin.status, who)
            return "\n".join(status.lines())
        if action == "diff":
            diff = await asyncio.to_thread(self.admin.diff, who, args or None)
            return diff.summary()
        if action == "rollback":
            target = await asyncio.to_thread(self.admin.rollback, who, args[0] if args else None)
            return f"Rolled back: release {target} is live."
        return await self._reload(who, args, progress)

    async def _reload(self, who: AdminActor, args: list[str], progress: Progress) -> str:
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        last: dict[str, float] = {}

        def relay(event: ProgressEvent) -> None:  # runs in the reload's worker thread
            now = time.monotonic()
            first_of_stage = event.stage not in last
            if first_of_stage or now - last[event.stage] >= PROGRESS_INTERVAL_S or event.done == event.total:
                last[event.stage] = now
                loop.call_soon_threadsafe(lines.put_nowait, f"reload: {event.describe()}")

        async def poster() -> None:
            while (line := await lines.get()) is not None:
                with contextlib.suppress(Exception):  # a lost progress line must not fail the reload
                    await progress(line)

        task = asyncio.create_task(poster())
        try:
            outcome = await self.admin.areload(who, args or None, relay)
        finally:
            lines.put_nowait(None)
            await task
        return outcome.summary()
