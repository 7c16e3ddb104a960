"""Exactly-once replies: Slack redelivers events it thinks failed and slack-bolt does not deduplicate them.

Each event id is claimed once in the shared ``SeenIds`` store (so a restart does not answer again);
redeliveries are acked and dropped before any listener runs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.response import BoltResponse

from bots.common.dedupe import DeliveryClaims, SeenIds

log = logging.getLogger("shopguide.slack.dedupe")

# Slack's event ids share the store every adapter uses; the name stays for existing callers.
SeenEvents = SeenIds


class EventDedupeMiddleware(AsyncMiddleware):
    """Global bolt middleware: acks a redelivered event with 200 and stops it there."""

    def __init__(self, seen: DeliveryClaims) -> None:
        self.seen = seen
        self.dropped = 0

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        body = req.body
        event_id = body.get("event_id") if isinstance(body, dict) and body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id and not self.seen.claim(event_id):
            self.dropped += 1
            retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
            log.info("slack event duplicate_dropped event_id=%s retry_num=%s", event_id, retry)
            return BoltResponse(status=200, body="")
        return await next()
