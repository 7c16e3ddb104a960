"""What several Slack replicas share about a turn: its place in its thread's turn order (taken before bolt acks)
and the messages it has posted (so a replica that takes a dead one's event over can delete them first)."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from assistant.state.coordination import TurnOrder
from assistant.state.shared_texts import SharedTexts
from bots.common.leases import posted_refs

from .dedupe import event_delivery_id

log = logging.getLogger("shopguide.slack")

SLACK_TS_SCALE = 1_000_000  # a Slack ts is seconds with six decimals
POSTED_TTL_S = 24 * 3600  # a dead turn's messages are looked up for a day (a lease lapses within seconds)


class ThreadReplicas:
    """Turn order per thread and posted messages per event, for one Slack bot process. ``ingress_order`` and
    ``turn_order`` are two clients of the same order: the ingress and the turns run on two event loops."""

    def __init__(
        self,
        client: AsyncWebClient,
        turn_order: TurnOrder,
        ingress_order: TurnOrder,
        posted: SharedTexts | None,
    ) -> None:
        self.client = client
        self.turn_order = turn_order
        self.ingress_order = ingress_order
        self.posted = posted
        self._held: set[str] = set()  # places reserved at ingress and not given back yet

    async def reserve_place(self, body: dict[str, Any]) -> None:
        """A message takes its place in its thread's turn order now, in the order Slack stamped it (a new message
        starts a thread of its own: its replies, sent soon after to another replica, queue behind it)."""
        event = body.get("event") or {}
        delivery_id = event_delivery_id(body)
        ts = event.get("ts")
        if event.get("type") not in ("message", "app_mention") or event.get("bot_id") or not ts or not delivery_id:
            return
        thread = str(event.get("thread_ts") or ts)
        if await self.ingress_order.reserve(
            thread_key(str(event.get("channel", "")), thread), delivery_id, ts_order(str(ts))
        ):
            self._held.add(delivery_id)

    async def give_back_place(self, body: dict[str, Any]) -> None:
        """The event is done: a place no turn used (not a question for us) is freed; a turn's own place went
        when it ended (giving it back again is harmless). Only places this process reserved are given back."""
        event = body.get("event") or {}
        delivery_id, thread = event_delivery_id(body), event.get("thread_ts") or event.get("ts")
        if delivery_id is not None and thread and delivery_id in self._held:
            self._held.discard(delivery_id)
            await self.turn_order.unreserve(thread_key(str(event.get("channel", "")), str(thread)), delivery_id)

    async def aclose(self) -> None:
        for order in (self.turn_order, self.ingress_order):
            close = getattr(order, "aclose", None)
            if callable(close):
                with contextlib.suppress(Exception):  # its client belongs to a loop that may be gone already
                    await close()

    async def remove_dead_turns_messages(self, delivery_id: str, body: dict[str, Any]) -> None:
        """This event's turn died on another replica after posting part of its answer: delete that first, so the
        thread shows one answer, the one about to be written."""
        refs = posted_refs(self.posted, delivery_id)
        channel = str((body.get("event") or {}).get("channel", ""))
        if not refs or not channel:
            return
        for ts in refs:
            try:
                await self.client.chat_delete(channel=channel, ts=ts)
            except SlackApiError as exc:  # already gone: nothing to undo
                log.info("slack take_over delete_failed error=%s", error_code(exc))
        log.info("slack take_over removed=%d", len(refs))


def thread_key(channel: str, thread_ts: str) -> str:
    """A Slack thread's place in the turn order (the thread is the conversation)."""
    return f"slack:{channel}:{thread_ts}"


def ts_order(ts: str) -> int:
    """A message's Slack timestamp as an integer that sorts as the messages were written."""
    seconds, _, micros = ts.partition(".")
    return int(seconds) * SLACK_TS_SCALE + int((micros or "0").ljust(6, "0")[:6])


def error_code(exc: SlackApiError) -> str:
    data = getattr(exc.response, "data", None)
    return str(data.get("error")) if isinstance(data, dict) else f"http_{exc.response.status_code}"
