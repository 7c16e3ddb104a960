"""The scripted demo conversation: what a shop owner sees before connecting a bot.

The lines live in ``demo_script.json`` beside this module; ``shopguide demo`` plays them through the real
core over the bundled demo catalog, and ``scripts/record_demo.py`` sends the same lines to the Telegram and
Slack fakes to picture how each platform renders them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from assistant.conversation import ConversationState
from assistant.types import IncomingMessage, Language, Reply

DEMO_SCRIPT = Path(__file__).with_name("demo_script.json")
DEMO_LANGUAGES: tuple[Language, ...] = ("en", "zh")


@dataclass(frozen=True)
class DemoLine:
    text: str
    shows: str  # what the line demonstrates: cards, clarifying question, comparison, policy answer, handoff


def load_script(path: Path = DEMO_SCRIPT) -> dict[Language, list[DemoLine]]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {lang: [DemoLine(**line) for line in raw[lang]] for lang in DEMO_LANGUAGES}


@dataclass
class RecordingDesk:
    """A staff desk that only keeps the tickets opened (the terminal has no staff to hand over to)."""

    opened: list[tuple[str, str]] = field(default_factory=list)  # (conversation key, reason)

    async def open(self, message: IncomingMessage, state: ConversationState, reason: str) -> None:
        self.opened.append((message.conversation_key, reason))

    async def relay_from_shopper(self, message: IncomingMessage, state: ConversationState) -> None:
        return None


@dataclass(frozen=True)
class DemoTurn:
    line: DemoLine
    reply: Reply
    handed_off: bool


class Answers(Protocol):
    async def ask(self, message: IncomingMessage) -> Reply: ...


async def play(
    assistant: Answers, desk: RecordingDesk, language: Language, user: str, script: dict[Language, list[DemoLine]]
) -> AsyncIterator[DemoTurn]:
    """Each scripted line of ``language`` through the core as one conversation of ``user``."""
    for line in script[language]:
        opened = len(desk.opened)
        message = IncomingMessage(platform="cli", chat_id=f"demo-{language}", user_id=user, text=line.text)
        reply = await assistant.ask(message)
        yield DemoTurn(line, reply, handed_off=len(desk.opened) > opened)
