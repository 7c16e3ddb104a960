"""Folding the core's reply events (cards, text deltas, done) into what a surface shows.

Every surface that streams (Telegram edits, Slack updates, the terminal) and every caller that only
wants the final ``Reply`` reads ``ReplyEvent``s the same way; this is that one reading.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from assistant.types import CardsReady, Language, ProductCard, Reply, ReplyDone, ReplyEvent, TextDelta


@dataclass
class ReplyFold:
    """The reply so far: text (deltas appended), the cards, and the final ``Reply``."""

    text: str = ""
    cards: list[ProductCard] = field(default_factory=list)
    language: Language = "en"
    reply: Reply | None = None

    def apply(self, event: ReplyEvent) -> None:
        if isinstance(event, CardsReady):
            self.cards, self.language = list(event.cards), event.language
        elif isinstance(event, TextDelta):
            self.text += event.text
        elif isinstance(event, ReplyDone):
            self.reply = event.reply


class IncompleteReply(RuntimeError):
    """The core's event stream ended without ``ReplyDone`` (a bug in the core, never a user error)."""


async def fold_events(events: AsyncIterator[ReplyEvent]) -> Reply:
    """The final ``Reply`` of a stream of events (the core's last event carries it)."""
    fold = ReplyFold()
    async for event in events:
        fold.apply(event)
    if fold.reply is None:
        raise IncompleteReply("the reply stream ended without ReplyDone")
    return fold.reply


async def replay(reply: Reply) -> AsyncIterator[ReplyEvent]:
    """A finished reply as an event stream (for surfaces that render only through events)."""
    yield ReplyDone(reply)


async def prepend(first: ReplyEvent, rest: AsyncIterator[ReplyEvent]) -> AsyncIterator[ReplyEvent]:
    """``first``, then the rest of a stream already started (to hand a stream over mid-way)."""
    yield first
    async for event in rest:
        yield event
