"""Exactly-once replies: Slack redelivers events it thinks failed and slack-bolt does not deduplicate them.

An event is answered in two steps, as Telegram updates are (``bots.common.leases``): at ingress its id is
leased, with the event itself, and the lease is renewed while the turn runs; once the turn is done the event
is marked delivered. Redeliveries meanwhile are acked and dropped before any listener runs. If the replica
dies mid-turn the lease lapses and any replica's take-over loop dispatches the stored event again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.response import BoltResponse

from bots.common.dedupe import DeliveryClaims, SeenIds
from bots.common.leases import CURRENT_DELIVERY, LeasedDeliveries, cancel_task

log = logging.getLogger("shopguide.slack.dedupe")

# Slack's event ids share the store every adapter uses; the name stays for existing callers.
SeenEvents = SeenIds
# Leased event ids are named apart from other adapters' deliveries, so each take-over loop finds its own.
EVENT_PREFIX = "slack:event:"


def event_delivery_id(body: object) -> str | None:
    """The delivery id of an Events API callback (commands and actions carry none: they are acked by us)."""
    if not isinstance(body, dict) or body.get("type") != "event_callback":
        return None
    event_id = body.get("event_id")
    return EVENT_PREFIX + event_id if isinstance(event_id, str) and event_id else None


class EventDedupeMiddleware(AsyncMiddleware):
    """Global bolt middleware: leases each event, and acks a redelivered one with 200 and stops it there."""

    def __init__(self, seen: DeliveryClaims, leases: LeasedDeliveries | None = None) -> None:
        self.seen = seen
        self.leases = leases or LeasedDeliveries(seen)
        self.dropped = 0
        self._take_over: asyncio.Task[None] | None = None
        # Events of dead replicas handed back by the take-over loop; their turn first removes what the dead
        # turn had posted (``on_take_over``), then answers.
        self.taken_over: set[str] = set()
        self.on_take_over: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None
        # Called with each newly leased event before bolt acks it (the bot takes its place in its thread's turn
        # order there), and with each event when it needs nothing more (a place no turn used is given back).
        self.on_leased: Callable[[dict[str, Any]], Awaitable[None]] | None = None
        self.on_finished: Callable[[dict[str, Any]], Awaitable[None]] | None = None

    def start_take_over(self, redispatch: Callable[[str], None]) -> None:
        """On the loop that runs turns: events of dead replicas go to ``redispatch(event body)``."""

        def resubmit(delivery_id: str, payload: str) -> None:
            self.taken_over.add(delivery_id)
            redispatch(payload)

        self._take_over = asyncio.create_task(self.leases.take_over_lapsed(EVENT_PREFIX, resubmit))

    async def stop(self) -> None:
        await cancel_task(self._take_over)
        self.leases.stop()

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        delivery_id = event_delivery_id(req.body)
        if delivery_id is not None and not self.leases.take(delivery_id, json.dumps(req.body)):
            self.dropped += 1
            retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
            log.info("slack event duplicate_dropped event_id=%s retry_num=%s", req.body.get("event_id"), retry)
            return BoltResponse(status=200, body="")
        if delivery_id is not None and self.on_leased is not None:
            await self.on_leased(req.body)
        return await next()

    async def delivered(self, body: dict[str, Any]) -> None:
        """The event needs nothing more (answered, or not for us): stop renewing and record it."""
        if (delivery_id := event_delivery_id(body)) is not None:
            if self.on_finished is not None:
                await self.on_finished(body)
            await self.leases.done(delivery_id)

    async def then_delivered(self, body: dict[str, Any], turn: Awaitable[None]) -> None:
        """Run the event's turn, then mark it delivered. A turn cancelled at shutdown is not: its lease
        lapses and another replica answers it."""
        delivery_id = event_delivery_id(body)
        if delivery_id is not None and delivery_id in self.taken_over:
            self.taken_over.discard(delivery_id)
            if self.on_take_over is not None:
                await self.on_take_over(delivery_id, body)
        current = CURRENT_DELIVERY.set(delivery_id)
        try:
            await turn
        except Exception:
            await self.delivered(body)
            raise
        finally:
            CURRENT_DELIVERY.reset(current)
        await self.delivered(body)
