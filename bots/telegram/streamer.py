"""Streams one answer into Telegram by editing its message(s): the shared ``CoalescingStream`` over a
Telegram surface. Past 4,096 characters the answer continues in a new message; complete parts are never
touched again unless the core replaces the text.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest

from bots.common.stream import STREAMING_CURSOR, CoalescingStream

from .limits import EDIT_INTERVAL_S, MAX_MESSAGE_LENGTH
from .render import Part, render_parts
from .sender import ChatTarget, TelegramSender

__all__ = ["STREAMING_CURSOR", "StreamedAnswer", "TelegramSurface"]


@dataclass(frozen=True)
class ShownPart:
    """One message as shown: its text in both renderings and the keyboard under it."""

    part: Part
    markup: InlineKeyboardMarkup | None = None


class TelegramSurface:
    """A chat (or forum topic) as a ``MessageSurface``: message ids as handles, every write paced."""

    def __init__(self, sender: TelegramSender, target: ChatTarget, limit: int = MAX_MESSAGE_LENGTH) -> None:
        self.sender = sender
        self.target = target
        self.limit = limit
        self.final_markup: InlineKeyboardMarkup | None = None

    def render(self, text: str, *, cursor: str, final: bool) -> list[ShownPart]:
        # Room for the cursor is kept in every part, so a part never re-splits when the cursor goes.
        parts = render_parts(text, self.limit - len(STREAMING_CURSOR))
        if cursor and parts:
            last = parts[-1]
            parts[-1] = Part(last.html + cursor, last.plain + cursor)
        shown = [ShownPart(p) for p in parts]
        if final and shown:
            shown[-1] = ShownPart(shown[-1].part, self.final_markup)  # quick replies under the last part
        return shown

    async def post(self, part: ShownPart) -> int:
        message = await self.sender.send_text(self.target, part.part, part.markup)
        return message.message_id

    async def edit(self, handle: int, part: ShownPart) -> int:
        try:
            await self.sender.edit_text(self.target, handle, part.part, part.markup)
        except BadRequest as exc:
            if "message to edit not found" not in exc.message.lower():
                raise
            # The shopper deleted our message: the answer continues in a fresh one.
            return await self.post(part)
        return handle

    async def retract(self, handle: int) -> None:
        await self.sender.delete(self.target, handle)


class StreamedAnswer(CoalescingStream[ShownPart, int]):
    """The Telegram stream: ``finish`` also takes the quick-reply keyboard for the last part."""

    def __init__(
        self,
        sender: TelegramSender,
        target: ChatTarget,
        *,
        interval_s: float = EDIT_INTERVAL_S,
        limit: int = MAX_MESSAGE_LENGTH,
        before_first_send: Callable[[], Awaitable[None]] | None = None,
        on_first_send: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.telegram = TelegramSurface(sender, target, limit)
        super().__init__(
            self.telegram,
            interval_s=interval_s,
            before_first_send=before_first_send,
            on_first_send=on_first_send,
            clock=clock,
            request_id=target.request_id,
        )

    async def finish(self, text: str | None = None, markup: InlineKeyboardMarkup | None = None) -> None:
        self.telegram.final_markup = markup
        await super().finish(text)
