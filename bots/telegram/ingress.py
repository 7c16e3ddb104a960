"""An update's place in its chat's turn order is taken before Telegram is told the update arrived, so the
chat's next message, acknowledged after this one, queues behind it on whichever replica receives it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import Update

from assistant.state.coordination import TurnOrder


class ReservingUpdateQueue(asyncio.Queue[object]):
    """PTB's webhook handler answers Telegram's POST only once ``put`` returns (the poller puts here too)."""

    def __init__(self, reserve: Callable[[object], Awaitable[None]]) -> None:
        super().__init__()
        self._reserve = reserve

    async def put(self, item: object) -> None:
        await self._reserve(item)
        await super().put(item)


class TurnReservations:
    """Places taken at ingress (kept in update_id order) and not yet given back. ``token_of(update_id)`` names
    the turn exactly as the adapter's ``queue.turn`` does, so the turn runs in the reserved place."""

    def __init__(self, queue: TurnOrder, token_of: Callable[[int], str]) -> None:
        self.queue = queue
        self.token_of = token_of
        self._held: set[str] = set()

    async def reserve(self, item: object) -> None:
        if isinstance(item, Update) and (chat := item.effective_chat) is not None:
            token = self.token_of(item.update_id)
            if await self.queue.reserve(chat.id, token, item.update_id):
                self._held.add(token)

    async def give_back(self, update: Update) -> None:
        """The handlers are done: a place no turn used (not for us, rate limited, a duplicate) is freed; a
        turn's own place went when it ended (giving it back again is harmless)."""
        token = self.token_of(update.update_id)
        if token in self._held:
            self._held.discard(token)
            if (chat := update.effective_chat) is not None:
                await self.queue.unreserve(chat.id, token)
