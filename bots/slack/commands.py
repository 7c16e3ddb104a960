"""``/shopguide`` sub-commands (also usable as ``@shopguide <command>``): parsing, admin checks, staff tools."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from assistant.admin import AdminActor, AuditTrail
from assistant.errors import ShopguideError
from assistant.staff import TONES, CopyWriter, ReviewSummariser, Tone
from assistant.types import Language
from bots.common.kb import KB_ACTIONS

log = logging.getLogger("shopguide.slack.commands")

COMMANDS = ("ask", "copy", "reviews", "kb", "help", "resolve", "profile", "forget", "digest")
# Commands that are only ever the whole message: "forget it, show me tents" is a question, not an erasure.
BARE_COMMANDS = ("profile", "forget", "digest")
Progress = Callable[[str], Awaitable[None]]

HELP_TEXT = """*shopguide* for staff — use `/shopguide <command>` or mention me with the same words:
• `ask <question>` — ask about products or policies (or just mention me with the question)
• `copy <SKU> [zh|en] [friendly|premium|playful|professional]` — description, ad line and social post
• `reviews <SKU> [zh|en]` — pros, cons and sentiment split of the product's reviews
• `kb status|reload|diff|rollback|cancel [release]` — knowledge base (admins only)
• `resolve [ticket]` — in a handoff thread: hand the shopper back to the bot
• `profile` — what shopguide keeps about you (shown in a DM); `forget` — erase it
• `digest` — post this week's shopper feedback digest here (admins only)
• `help` — this text"""


@dataclass(frozen=True)
class Command:
    name: str
    args: list[str] = field(default_factory=list)
    rest: str = ""


def parse_command(text: str) -> Command | None:
    """A known sub-command, or None when the text is a plain question for the assistant."""
    stripped = text.strip()
    words = stripped.split()
    if not words:
        return Command("help")
    head = words[0].lower()
    if head not in COMMANDS or (head in BARE_COMMANDS and len(words) > 1):
        return None
    return Command(head, words[1:], stripped[len(words[0]) :].strip())


def parse_copy_args(args: list[str]) -> tuple[str, Language, Tone]:
    if not args:
        raise ShopguideError("copy needs a SKU", hint="/shopguide copy SG-RUN-0001 en friendly")
    sku = args[0].upper()
    language: Language = "en"
    tone: Tone = "friendly"
    for arg in args[1:]:
        value = arg.lower().removeprefix("--").split("=")[-1]
        if value in ("zh", "en"):
            language = "zh" if value == "zh" else "en"
        elif value in TONES:
            tone = next(t for t in TONES if t == value)
        elif arg.lower().startswith(("--lang", "--tone", "lang", "tone")):
            continue
        else:
            raise ShopguideError(f"unknown copy option {arg!r}", hint="language zh|en, tone " + "|".join(TONES))
    return sku, language, tone


class KbOperations(Protocol):
    """Knowledge-base admin operations (status, reload, diff, rollback); ``progress`` posts into the thread.

    Implementations audit-log their own runs; ``StaffCommands`` logs the refusals that never reach them.
    """

    async def run(self, action: str, args: list[str], actor: str, progress: Progress) -> str: ...


class StaffCommands:
    """Runs copy, reviews and kb; returns the text to post. Admin checks happen in the caller."""

    def __init__(
        self,
        copywriter: CopyWriter,
        summariser: ReviewSummariser,
        audit: AuditTrail,
        kb: KbOperations | None = None,
    ) -> None:
        self.copywriter = copywriter
        self.summariser = summariser
        self.audit = audit
        self.kb = kb

    async def copy(self, args: list[str]) -> str:
        sku, language, tone = parse_copy_args(args)
        result = await self.copywriter.write(sku, language, tone)
        return result.render()

    def reviews(self, args: list[str]) -> str:
        if not args:
            raise ShopguideError("reviews needs a SKU", hint="/shopguide reviews SG-RUN-0001")
        language: Language = "zh" if any(a.lower() == "zh" for a in args[1:]) else "en"
        return self.summariser.summarise(args[0].upper(), language).render()

    async def run_kb(self, args: list[str], actor: str, allowed: bool, progress: Progress) -> str:
        action = args[0].lower() if args else "status"
        if action not in KB_ACTIONS:
            return f"Unknown kb action `{action}`. Use one of: {', '.join(KB_ACTIONS)}."
        if not allowed:
            self.audit.record(AdminActor.parse(actor), action, "denied", detail="not a Slack admin")
            log.warning("slack kb denied actor=%s action=%s", actor, action)
            return "Sorry, `kb` commands are for shopguide admins only."
        if self.kb is None:
            self.audit.record(AdminActor.parse(actor), action, "unavailable")
            return "Knowledge-base administration is not available in this deployment."
        try:
            return await self.kb.run(action, args[1:], actor, progress)
        except ShopguideError as exc:
            # KbOperations audits its own runs (KnowledgeAdmin writes ok/denied/error lines).
            return f"kb {action} failed [{exc.code}]: {exc.message}"
