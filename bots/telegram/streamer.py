"""Streams one answer into Telegram by editing its message(s), at most one write per interval.

Chunks are coalesced: every write carries the whole current text, so a write that is delayed or
repeated after a 429 can neither lose nor duplicate text. Past 4,096 characters the answer continues
in a new message; complete parts are never touched again unless the core replaces the text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from .limits import EDIT_INTERVAL_S, MAX_MESSAGE_LENGTH
from .render import Part, render_parts
from .sender import ChatTarget, TelegramSender

log = logging.getLogger("shopguide.telegram.streamer")

STREAMING_CURSOR = " …"  # shown while more text is coming; the final edit removes it


@dataclass
class _SentPart:
    message_id: int
    part: Part
    markup: InlineKeyboardMarkup | None


class StreamedAnswer:
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
        self.sender = sender
        self.target = target
        self.interval_s = interval_s
        self.limit = limit
        self.before_first_send = before_first_send
        self.on_first_send = on_first_send
        self.clock = clock
        self.text = ""
        self.writes = 0
        self.first_visible_at: float | None = None
        self._sent: list[_SentPart] = []
        self._last_write = 0.0
        self._wake = asyncio.Event()
        self._closing = False
        self._final_markup: InlineKeyboardMarkup | None = None
        self._task: asyncio.Task[None] | None = None

    # ---- what the core says ------------------------------------------------------------------
    def append(self, delta: str) -> None:
        if delta:
            self.text += delta
            self._poke()

    def replace(self, text: str) -> None:
        self.text = text
        self._poke()

    async def finish(self, text: str | None = None, markup: InlineKeyboardMarkup | None = None) -> None:
        """Final text (the core's reply text wins) and the quick-reply keyboard under the last part."""
        if text is not None:
            self.text = text
        self._final_markup = markup
        self._closing = True
        self._poke()
        assert self._task is not None
        await self._task

    async def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await self._task

    @property
    def started(self) -> bool:
        return bool(self._sent)

    @property
    def closing(self) -> bool:
        return self._closing

    # ---- the writer --------------------------------------------------------------------------
    def _poke(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())
        self._wake.set()

    async def _run(self) -> None:
        if self.before_first_send is not None:
            await self.before_first_send()
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._sent:
                delay = self._last_write + self.interval_s - self.clock()
                if delay > 0:
                    await asyncio.sleep(delay)
            final = self._closing
            try:
                await self._sync(final)
            except TelegramError as exc:
                if final:
                    raise
                # A failed intermediate write is not fatal: the next write carries the whole text.
                log.warning("stream write failed request_id=%s error=%s", self.target.request_id, exc)
            if final:
                return

    async def _sync(self, final: bool) -> None:
        text = self.text if final else self.text.rstrip()
        parts = render_parts(text, self.limit - len(STREAMING_CURSOR))
        if not final and parts:
            last = parts[-1]
            parts[-1] = Part(last.html + STREAMING_CURSOR, last.plain + STREAMING_CURSOR)
        for index, part in enumerate(parts):
            markup = self._final_markup if final and index == len(parts) - 1 else None
            if index < len(self._sent):
                sent = self._sent[index]
                if sent.part == part and sent.markup == markup:
                    continue
                if index > 0 or self.writes:
                    await self._pace()
                try:
                    await self.sender.edit_text(self.target, sent.message_id, part, markup)
                    self._sent[index] = _SentPart(sent.message_id, part, markup)
                except BadRequest as exc:
                    if "message to edit not found" not in exc.message.lower():
                        raise
                    # The shopper deleted our message: the answer continues in a fresh one.
                    message = await self.sender.send_text(self.target, part, markup)
                    self._sent[index] = _SentPart(message.message_id, part, markup)
            else:
                if self._sent:
                    await self._pace()
                message = await self.sender.send_text(self.target, part, markup)
                self._sent.append(_SentPart(message.message_id, part, markup))
                if self.first_visible_at is None:
                    self.first_visible_at = self.clock()
                    if self.on_first_send is not None:
                        self.on_first_send()
            self._last_write = self.clock()
            self.writes += 1
        # The core replaced a long text with a shorter one: remove the parts that no longer exist.
        while len(self._sent) > len(parts):
            stale = self._sent.pop()
            await self.sender.delete(self.target, stale.message_id)

    async def _pace(self) -> None:
        delay = self._last_write + self.interval_s - self.clock()
        if delay > 0:
            await asyncio.sleep(delay)
