"""Slack ``kb`` commands on the shared ``KbVerbs`` (allowlist and audit log live in ``KnowledgeAdmin``)."""

from __future__ import annotations

from typing import Any

from assistant.admin import AdminActor, KnowledgeAdmin, ProgressEvent, ReleaseAdmin
from assistant.app import Assistant
from assistant.config import Settings
from assistant.errors import ReloadCancelled
from bots.common.kb import PROGRESS_INTERVAL_S, KbArgs, KbVerbs
from bots.common.texts import phrase

from .commands import Progress


class SlackKnowledgeAdmin(KnowledgeAdmin):
    """Also accepts members of the Slack admin user group, as verified by the adapter for this call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.verified: set[str] = set()

    def is_admin(self, actor: AdminActor) -> bool:
        return super().is_admin(actor) or actor.key in self.verified


class AdminKbOperations:
    def __init__(self, admin: ReleaseAdmin) -> None:
        self.admin = admin
        # A thread gets a line per stage and at most one per interval.
        self.verbs = KbVerbs(admin, progress_interval_s=PROGRESS_INTERVAL_S)

    @classmethod
    def create(cls, settings: Settings, assistant: Assistant) -> AdminKbOperations:
        return cls(assistant.release_admin(SlackKnowledgeAdmin))

    async def run(self, action: str, args: list[str], actor: str, progress: Progress) -> str:
        """Called only after the adapter's admin check (allowlist or user group) passed for ``actor``."""
        who = AdminActor.parse(actor)
        if isinstance(self.admin, SlackKnowledgeAdmin):
            self.admin.verified.add(who.key)
        try:
            return await self._run(action, KbArgs.parse(args), who, progress)
        finally:
            if isinstance(self.admin, SlackKnowledgeAdmin):
                self.admin.verified.discard(who.key)

    async def _run(self, action: str, args: KbArgs, who: AdminActor, progress: Progress) -> str:
        if action == "status":
            return "\n".join(await self.verbs.status(who))
        if action == "diff":
            return (await self.verbs.diff(who, args)).summary()
        if action == "rollback":
            return f"Rolled back: release {await self.verbs.rollback(who, args)} is live."
        if action == "cancel":
            return phrase("kb_cancelling" if self.verbs.cancel() else "kb_nothing_to_cancel", "en")

        async def post(event: ProgressEvent) -> None:
            await progress(f"reload: {event.describe()}")

        try:
            return (await self.verbs.reload(who, args, post)).summary()
        except ReloadCancelled:
            return phrase("kb_cancelled", "en")
