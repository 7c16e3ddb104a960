"""Slack ``kb`` commands on top of the core's ``KnowledgeAdmin`` (allowlist and audit log live there)."""

from __future__ import annotations

import asyncio
import contextlib
import time

from assistant.admin import AdminActor, KnowledgeAdmin, ProgressEvent
from assistant.app import Assistant
from assistant.config import Settings

from .commands import Progress

# Reload reports every indexed batch; a thread gets a line per stage and at most one per interval.
PROGRESS_INTERVAL_S = 2.0


class AdminKbOperations:
    def __init__(self, admin: KnowledgeAdmin) -> None:
        self.admin = admin

    @classmethod
    def create(cls, settings: Settings, assistant: Assistant) -> AdminKbOperations:
        return cls(KnowledgeAdmin(assistant.knowledge, settings, on_switch=assistant.on_release_switched))

    async def run(self, action: str, args: list[str], actor: str, progress: Progress) -> str:
        who = AdminActor.parse(actor)
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
