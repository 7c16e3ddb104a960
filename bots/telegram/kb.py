"""Admin chat commands ``/kb_status /kb_reload /kb_diff /kb_rollback`` on top of ``KnowledgeAdmin``.

``KnowledgeAdmin`` checks the allowlist and writes the audit log; here we parse arguments, relay reload
progress by editing one message (throttled like any stream) and report the outcome in the admin's language.
"""

from __future__ import annotations

import asyncio
import logging

from assistant.admin import AdminActor, KnowledgeAdmin, ProgressEvent
from assistant.errors import PermissionDenied, ShopguideError
from assistant.types import Language

from .adapter import AdminRequest
from .limits import EDIT_INTERVAL_S
from .streamer import StreamedAnswer
from .texts import ui

log = logging.getLogger("shopguide.telegram.kb")

DIFF_LINES = 30  # a diff longer than this is summarised; the CLI shows everything
FLAGS = {"--force": "force", "--skip-invalid": "skip_invalid"}

_WORDS: dict[str, dict[Language, str]] = {
    "reloading": {"en": "Reloading the catalog…", "zh": "正在重新加载商品目录…"},
    "reloaded": {"en": "Reload finished: {summary}", "zh": "重新加载完成：{summary}"},
    "failed": {"en": "{action} failed [{code}]: {message}", "zh": "{action} 失败 [{code}]：{message}"},
    "rolled_back": {"en": "Rolled back: release {release} is live.", "zh": "已回滚：当前版本 {release}。"},
    "no_changes": {"en": "No differences.", "zh": "没有差异。"},
}


def _word(key: str, language: Language, **values: str) -> str:
    return _WORDS[key][language].format(**values)


class TelegramKbCommands:
    """Callable the adapter invokes for every ``/kb_*`` command (admins and everyone else alike)."""

    def __init__(self, admin: KnowledgeAdmin, *, interval_s: float = EDIT_INTERVAL_S) -> None:
        self.admin = admin
        self.interval_s = interval_s

    async def __call__(self, request: AdminRequest) -> None:
        actor = AdminActor.parse(request.actor)
        action = request.command.removeprefix("kb_")
        if not self.admin.is_admin(actor):
            # The refusal is audited like any other attempt on the knowledge base.
            self.admin.audit.record(actor, action, "denied", detail="telegram command")
            await request.say(ui("admin_only", request.language))
            return
        try:
            if action == "status":
                await request.say("\n".join(self.admin.status(actor).lines()))
            elif action == "reload":
                await self._reload(request, actor)
            elif action == "diff":
                sources = [a for a in request.args if not a.startswith("--")]
                diff = await asyncio.to_thread(self.admin.diff, actor, sources or None)
                await request.say(
                    "\n".join(diff.lines(DIFF_LINES)) if not diff.is_empty else _word("no_changes", request.language)
                )
            elif action == "rollback":
                release = next((a for a in request.args if not a.startswith("--")), None)
                target = await asyncio.to_thread(self.admin.rollback, actor, release)
                await request.say(_word("rolled_back", request.language, release=target))
        except PermissionDenied:
            await request.say(ui("admin_only", request.language))
        except ShopguideError as exc:
            log.warning("kb command failed action=%s code=%s", action, exc.code)
            text = _word("failed", request.language, action=f"kb {action}", code=exc.code, message=exc.message)
            await request.say(text + (f"\n{exc.hint}" if exc.hint else ""))

    async def _reload(self, request: AdminRequest, actor: AdminActor) -> None:
        flags = {FLAGS[a]: True for a in request.args if a in FLAGS}
        sources = [a for a in request.args if not a.startswith("--")]
        loop = asyncio.get_running_loop()
        heading = _word("reloading", request.language)
        progress = StreamedAnswer(request.sender, request.target, interval_s=self.interval_s)
        progress.replace(heading)
        steps: list[str] = []

        def on_progress(event: ProgressEvent) -> None:
            # Called from the reload's worker thread: hand the line over to the event loop.
            def show() -> None:
                if steps and event.stage == steps[-1].split(" ", 1)[0]:
                    steps[-1] = f"{event.stage} {event.describe()}"
                else:
                    steps.append(f"{event.stage} {event.describe()}")
                progress.replace("\n".join([heading, *("· " + s.split(" ", 1)[1] for s in steps)]))

            loop.call_soon_threadsafe(show)

        try:
            outcome = await self.admin.areload(actor, sources or None, on_progress, **flags)
        except ShopguideError as exc:
            await progress.finish(
                "\n".join(
                    [heading, _word("failed", request.language, action="kb reload", code=exc.code, message=exc.message)]
                )
            )
            return
        summary = _word("reloaded", request.language, summary=outcome.summary())
        await progress.finish("\n".join([heading, *("· " + s.split(" ", 1)[1] for s in steps), summary]))
