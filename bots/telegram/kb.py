"""Admin chat commands ``/kb_status /kb_reload /kb_diff /kb_rollback /kb_cancel`` on the shared ``KbVerbs``.

``KnowledgeAdmin`` checks the allowlist and writes the audit log; ``bots.common.kb`` runs the verbs and
throttles reload progress; here the progress becomes one message edited in place (a stream) and the
outcome is worded in the admin's language.
"""

from __future__ import annotations

import logging

from assistant.admin import AdminActor, ProgressEvent, ReleaseAdmin
from assistant.errors import PermissionDenied, ReloadCancelled, ShopguideError
from assistant.types import Language
from bots.common.kb import KbArgs, KbVerbs
from bots.common.texts import phrase

from .limits import EDIT_INTERVAL_S
from .streamer import StreamedAnswer
from .turns import AdminRequest

log = logging.getLogger("shopguide.telegram.kb")

DIFF_LINES = 30  # a diff longer than this is summarised; the CLI shows everything


def _failed(language: Language, action: str, exc: ShopguideError) -> str:
    return phrase("kb_failed", language, action=action, code=exc.code, message=exc.message)


class TelegramKbCommands:
    """Callable the adapter invokes for every ``/kb_*`` command (admins and everyone else alike)."""

    def __init__(self, admin: ReleaseAdmin, *, interval_s: float = EDIT_INTERVAL_S) -> None:
        self.admin = admin
        self.interval_s = interval_s
        # The stream coalesces edits itself; every stage line may reach it.
        self.verbs = KbVerbs(admin, progress_interval_s=0.0)

    async def __call__(self, request: AdminRequest) -> None:
        actor = AdminActor.parse(request.actor)
        action = request.command.removeprefix("kb_")
        language = request.language
        if not self.admin.is_admin(actor):
            # The refusal is audited like any other attempt on the knowledge base.
            self.admin.audit.record(actor, action, "denied", detail="telegram command")
            await request.say(phrase("admin_only", language))
            return
        args = KbArgs.parse(request.args)
        try:
            if action == "status":
                await request.say("\n".join(await self.verbs.status(actor)))
            elif action == "reload":
                await self._reload(request, actor, args)
            elif action == "diff":
                diff = await self.verbs.diff(actor, args)
                await request.say(
                    "\n".join(diff.lines(DIFF_LINES)) if not diff.is_empty else phrase("kb_no_changes", language)
                )
            elif action == "rollback":
                release = await self.verbs.rollback(actor, args)
                await request.say(phrase("kb_rolled_back", language, release=release))
            elif action == "cancel":
                await request.say(phrase("kb_cancelling" if self.verbs.cancel() else "kb_nothing_to_cancel", language))
        except PermissionDenied:
            await request.say(phrase("admin_only", language))
        except ShopguideError as exc:
            log.warning("kb command failed action=%s code=%s", action, exc.code)
            await request.say(_failed(language, f"kb {action}", exc) + (f"\n{exc.hint}" if exc.hint else ""))

    async def _reload(self, request: AdminRequest, actor: AdminActor, args: KbArgs) -> None:
        heading = phrase("kb_reloading", request.language)
        progress = StreamedAnswer(request.sender, request.target, interval_s=self.interval_s)
        progress.replace(heading)
        steps: list[tuple[str, str]] = []  # (stage, its latest line): a stage's line is updated in place

        def shown(*tail: str) -> str:
            return "\n".join([heading, *("· " + line for _, line in steps), *tail])

        async def show(event: ProgressEvent) -> None:
            line = (event.stage, event.describe())
            if steps and steps[-1][0] == event.stage:
                steps[-1] = line
            else:
                steps.append(line)
            progress.replace(shown())

        try:
            outcome = await self.verbs.reload(actor, args, show)
        except ReloadCancelled:
            await progress.finish(shown(phrase("kb_cancelled", request.language)))
            return
        except ShopguideError as exc:
            await progress.finish("\n".join([heading, _failed(request.language, "kb reload", exc)]))
            return
        await progress.finish(shown(phrase("kb_reloaded", request.language, summary=outcome.summary())))
