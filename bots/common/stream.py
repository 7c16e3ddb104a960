"""One coalescing stream for every chat surface: the answer so far, written at most once per interval.

Every write carries the whole current text, so a write that is delayed or repeated after a rate limit
can neither lose nor duplicate text. The stream decides when to write and what changed; a
``MessageSurface`` (one per platform) decides how text becomes messages and writes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from assistant.errors import RateLimited

log = logging.getLogger("shopguide.bots.stream")

STREAMING_CURSOR = " …"  # shown while more text is coming; the final write removes it

P = TypeVar("P")  # one rendered message, as the surface writes it (compared to skip unchanged writes)
H = TypeVar("H")  # a written message's handle (a message id, a timestamp)


class MessageSurface(Protocol[P, H]):
    """Where a streamed answer is shown: how text becomes messages, and the three writes."""

    def render(self, text: str, *, cursor: str, final: bool) -> list[P]:
        """The messages ``text`` takes now; ``cursor`` (empty when final) ends the last one."""
        ...

    async def post(self, part: P) -> H:
        """A new message; returns its handle."""
        ...

    async def edit(self, handle: H, part: P) -> H:
        """Rewrite a message; returns its handle (a new one if the message had to be posted again)."""
        ...

    async def retract(self, handle: H) -> None:
        """Remove a message the text no longer needs (the core replaced a long text with a shorter one)."""
        ...


@dataclass
class _Written(Generic[P, H]):
    handle: H
    part: P


class CoalescingStream(Generic[P, H]):
    """``append``/``replace`` as the core speaks, ``finish`` for the final text; writes run in one task."""

    def __init__(
        self,
        surface: MessageSurface[P, H],
        *,
        interval_s: float,
        before_first_send: Callable[[], Awaitable[None]] | None = None,
        on_first_send: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        request_id: str = "-",
    ) -> None:
        self.surface = surface
        self.interval_s = interval_s
        self.before_first_send = before_first_send
        self.on_first_send = on_first_send
        self.clock = clock
        self.request_id = request_id
        self.text = ""
        self.writes = 0
        self.first_visible_at: float | None = None
        self._written: list[_Written[P, H]] = []
        self._last_write = 0.0
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None

    # ---- what the core says ------------------------------------------------------------------
    def append(self, delta: str) -> None:
        if delta:
            self.text += delta
            self._poke()

    def replace(self, text: str) -> None:
        self.text = text
        self._poke()

    async def finish(self, text: str | None = None) -> None:
        """The final text (the core's reply text wins over what was streamed), written without the cursor."""
        if text is not None:
            self.text = text
        self._closing = True
        self._poke()
        assert self._task is not None
        await self._task

    async def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def redraw(self) -> None:
        """Something the surface renders beside the text changed (cards arrived): write again if it shows."""
        self._poke()

    @property
    def started(self) -> bool:
        return bool(self._written)

    @property
    def handles(self) -> list[H]:
        """The handles of the messages the text now takes, in order."""
        return [written.handle for written in self._written]

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
            if self._written:
                await self._pace()
            final = self._closing
            try:
                await self._sync(final)
            except RateLimited as exc:
                if final:
                    raise
                # Back-pressure on a streaming write (the surface had no free slot, or the platform said
                # "slow down"): skipped, and the next write carries the whole text.
                log.debug("stream write skipped request_id=%s retry_after=%.1f", self.request_id, exc.retry_after)
            except Exception as exc:
                if final:
                    raise
                # A failed intermediate write is not fatal: the next write carries the whole text.
                log.warning("stream write failed request_id=%s error=%s", self.request_id, exc)
            if final:
                return

    async def _sync(self, final: bool) -> None:
        text = self.text if final else self.text.rstrip()
        parts = self.surface.render(text, cursor="" if final else STREAMING_CURSOR, final=final)
        for index, part in enumerate(parts):
            if index < len(self._written):
                written = self._written[index]
                if written.part == part:
                    continue
                if index > 0 or self.writes:
                    await self._pace()
                self._written[index] = _Written(await self.surface.edit(written.handle, part), part)
            else:
                if self._written:
                    await self._pace()
                self._written.append(_Written(await self.surface.post(part), part))
                if self.first_visible_at is None:
                    self.first_visible_at = self.clock()
                    if self.on_first_send is not None:
                        self.on_first_send()
            self._last_write = self.clock()
            self.writes += 1
        while len(self._written) > len(parts):
            await self.surface.retract(self._written.pop().handle)

    async def _pace(self) -> None:
        delay = self._last_write + self.interval_s - self.clock()
        if delay > 0:
            await asyncio.sleep(delay)
