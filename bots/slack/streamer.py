"""Stream the core's reply events into a Slack thread within Slack's write limits.

Native chat streaming (``chat.startStream``/``appendStream``/``stopStream``) where the workspace has it,
else the shared ``CoalescingStream`` over a Slack surface: one message edited with ``chat.update`` at most
once per interval per channel. The final write always happens; a streaming write Slack pushes back on is
dropped (the next one carries the whole text).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from assistant.errors import RateLimited
from assistant.operations import record_rate_limit_wait
from assistant.types import CardsReady, Reply, ReplyDone, ReplyEvent, TextDelta
from bots.common.events import ReplyFold, prepend, replay
from bots.common.pacing import Clock, WritePacer
from bots.common.stream import CoalescingStream

from .blocks import SlackMessage, render_reply, render_streaming
from .limits import STREAM_MARKDOWN_MAX, WRITES_PER_CHANNEL_INTERVAL_S

log = logging.getLogger("shopguide.slack.stream")

StreamMode = Literal["auto", "native", "update"]
T = TypeVar("T")
FINAL_WRITE_ATTEMPTS = 4
DEFAULT_RETRY_AFTER_S = 1.0
# Errors meaning "this workspace or token cannot stream natively": fall back to chat.update for good.
NATIVE_UNSUPPORTED = frozenset(
    {
        "unknown_method",
        "not_allowed_token_type",
        "missing_scope",
        "feature_not_enabled",
        "not_supported",
        "invalid_auth",
    }
)


class ChannelPacer(WritePacer):
    """At most one write per ``interval_s`` per channel; ``Retry-After`` holds the channel's next slot back."""

    def __init__(self, interval_s: float = WRITES_PER_CHANNEL_INTERVAL_S, clock: Clock = time.monotonic) -> None:
        super().__init__(rate_per_s=1.0 / interval_s if interval_s > 0 else math.inf, burst=1, clock=clock)
        self.interval_s = interval_s


def rate_limited(exc: SlackApiError) -> RateLimited | None:
    """Slack's back-pressure (HTTP 429 or ``ratelimited``) as ``RateLimited``; None for any other error."""
    response = exc.response
    data = response.data if isinstance(response.data, dict) else {}
    if response.status_code != 429 and data.get("error") != "ratelimited":
        return None
    raw = (response.headers or {}).get("Retry-After") or (response.headers or {}).get("retry-after")
    try:
        seconds = float(raw) if raw is not None else DEFAULT_RETRY_AFTER_S
    except (TypeError, ValueError):
        seconds = DEFAULT_RETRY_AFTER_S
    record_rate_limit_wait("slack", seconds)
    return RateLimited("Slack asked to slow down writing to this channel", seconds)


@dataclass
class StreamTarget:
    channel: str
    thread_ts: str
    user_id: str
    team_id: str | None = None
    # Told of each message the turn posts (its ts): the bot records them with the event's lease, so a replica
    # that takes the event over after this one died can delete the half-written answer first.
    on_posted: Callable[[str], None] | None = None

    def posted(self, ts: str) -> str:
        if self.on_posted is not None:
            self.on_posted(ts)
        return ts


@dataclass
class StreamOutcome:
    reply: Reply | None
    message_ts: list[str] = field(default_factory=list)
    mode: str = "update"
    writes: int = 0


class SlackPart(NamedTuple):
    """One message as written: the streaming render, or the final one (always written, waited for)."""

    message: SlackMessage
    final: bool


class SlackSurface:
    """A thread as a ``MessageSurface``: message timestamps as handles, every write in the channel's slot.

    Streaming writes are skipped when the channel's slot is taken or Slack says "slow down" (the next
    write carries the whole text anyway); the final ones wait for the slot and try again.
    """

    def __init__(self, client: AsyncWebClient, pacer: ChannelPacer, target: StreamTarget, fold: ReplyFold) -> None:
        self.client = client
        self.pacer = pacer
        self.target = target
        self.fold = fold

    def render(self, text: str, *, cursor: str, final: bool) -> list[SlackPart]:
        # render_streaming draws its own cursor; the final messages come from the core's Reply.
        if final:
            return [SlackPart(message, True) for message in render_reply(self.fold.reply)] if self.fold.reply else []
        if not (text.strip() or self.fold.cards):
            return []
        return [SlackPart(render_streaming(text, self.fold.cards, self.fold.language), False)]

    async def post(self, part: SlackPart) -> str:
        async def call() -> str:
            response = await _mapped(
                self.client.chat_postMessage(
                    channel=self.target.channel,
                    thread_ts=self.target.thread_ts,
                    text=part.message.text,
                    blocks=part.message.blocks,
                )
            )
            return self.target.posted(str(response["ts"]))

        return await self._write(part, call)

    async def edit(self, handle: str, part: SlackPart) -> str:
        async def call() -> str:
            await _mapped(
                self.client.chat_update(
                    channel=self.target.channel, ts=handle, text=part.message.text, blocks=part.message.blocks
                )
            )
            return handle

        return await self._write(part, call)

    async def retract(self, handle: str) -> None:
        async def call() -> None:
            await _mapped(self.client.chat_delete(channel=self.target.channel, ts=handle))

        await self.pacer.write(self.target.channel, call, max_retries=FINAL_WRITE_ATTEMPTS - 1)

    async def _write(self, part: SlackPart, call: Callable[[], Awaitable[str]]) -> str:
        channel = self.target.channel
        if part.final:
            return await self.pacer.write(channel, call, max_retries=FINAL_WRITE_ATTEMPTS - 1)
        # A streaming write never waits for the channel's slot (other threads' final writes would queue
        # behind it): no free slot now means skipped, as does a 429.
        if not self.pacer.try_acquire(channel):
            raise RateLimited("channel slot taken", retry_after=0.0)
        try:
            return await call()
        except RateLimited as limited:
            self.pacer.hold(channel, limited.retry_after)
            log.info("slack write skipped channel=%s retry_after=%.1f", channel, limited.retry_after)
            raise


async def _mapped(call: Awaitable[T]) -> T:
    """Slack's back-pressure as ``RateLimited`` where it enters; any other Slack error as it is."""
    try:
        return await call
    except SlackApiError as exc:
        limited = rate_limited(exc)
        if limited is None:
            raise
        raise limited from exc


class SlackReplyStreamer:
    def __init__(self, client: AsyncWebClient, pacer: ChannelPacer, mode: StreamMode = "auto") -> None:
        self.client = client
        self.pacer = pacer
        self.mode = mode
        self.native_available = mode != "update"

    async def deliver(self, events: AsyncIterator[ReplyEvent], target: StreamTarget) -> StreamOutcome:
        if self.native_available:
            return await self._deliver_native(events, target)
        return await self._deliver_update(events, target)

    # ---- one message edited with chat.update: the shared coalescing stream ---------------------
    async def _deliver_update(self, events: AsyncIterator[ReplyEvent], target: StreamTarget) -> StreamOutcome:
        fold = ReplyFold()
        stream = CoalescingStream(SlackSurface(self.client, self.pacer, target, fold), interval_s=self.pacer.interval_s)
        try:
            async for event in events:
                fold.apply(event)
                if isinstance(event, TextDelta):
                    stream.append(event.text)
                elif isinstance(event, CardsReady):
                    stream.redraw()
        except BaseException:
            await stream.cancel()
            raise
        reply = fold.reply
        if reply is None or not (reply.text or reply.cards):
            # Handed-off conversations and silent turns post nothing.
            await stream.cancel()
            return StreamOutcome(reply=reply, mode="update", writes=stream.writes)
        await stream.finish(reply.text)
        return StreamOutcome(reply=reply, message_ts=stream.handles, mode="update", writes=stream.writes)

    async def _write_final(self, target: StreamTarget, ts: str | None, message: SlackMessage) -> str:
        """Post (or update ``ts``) in the channel's next slot; a rate limit is waited out and the write repeated."""
        surface = SlackSurface(self.client, self.pacer, target, ReplyFold())
        part = SlackPart(message, final=True)
        return await (surface.post(part) if ts is None else surface.edit(ts, part))

    # ---- native streaming ----------------------------------------------------------------------
    async def _deliver_native(self, events: AsyncIterator[ReplyEvent], target: StreamTarget) -> StreamOutcome:
        outcome = StreamOutcome(reply=None, mode="native")
        stream_ts: str | None = None
        pending = ""
        iterator = events.__aiter__()
        async for event in iterator:
            if isinstance(event, TextDelta):
                pending += event.text
            elif isinstance(event, ReplyDone):
                outcome.reply = event.reply
                continue
            else:
                continue
            if stream_ts is None and pending.strip():
                try:
                    await self.pacer.acquire(target.channel)
                    stream_ts = await self._start(target, pending)
                except SlackApiError as exc:
                    if self.mode == "auto" and exc.response.get("error") in NATIVE_UNSUPPORTED:
                        self.native_available = False
                        log.info(
                            "slack native streaming unavailable error=%s; using chat.update", exc.response.get("error")
                        )
                        rest = await self._deliver_update(prepend(TextDelta(pending), iterator), target)
                        rest.mode = "update"
                        return rest
                    raise
                outcome.writes += 1
                pending = ""
            elif (
                stream_ts is not None
                and pending
                and self.pacer.try_acquire(target.channel)
                and await self._append(target, stream_ts, pending, outcome)
            ):
                pending = ""
        reply = outcome.reply
        if reply is None:
            return outcome
        if stream_ts is None:
            # Nothing streamed (fixed answers, cards only): one ordinary Block Kit message.
            return await self._deliver_update(replay(reply), target)
        messages = render_reply(reply)
        tail_blocks = [b for b in messages[-1].blocks if b.get("type") != "section" or "fields" in b]
        await self.pacer.acquire(target.channel)
        await self.client.chat_stopStream(
            channel=target.channel,
            ts=stream_ts,
            markdown_text=pending[:STREAM_MARKDOWN_MAX] or None,
            blocks=tail_blocks or None,
        )
        outcome.writes += 1
        outcome.message_ts.append(stream_ts)
        if len(messages) > 1:
            # Too long for one message: the streamed message keeps the first part, the rest follow it.
            await self._write_final(target, stream_ts, messages[0])
            for message in messages[1:]:
                outcome.message_ts.append(await self._write_final(target, None, message))
        return outcome

    async def _start(self, target: StreamTarget, text: str) -> str:
        kwargs: dict[str, Any] = {}
        if target.team_id:
            kwargs["recipient_team_id"] = target.team_id
        response = await self.client.chat_startStream(
            channel=target.channel,
            thread_ts=target.thread_ts,
            markdown_text=text[:STREAM_MARKDOWN_MAX],
            recipient_user_id=target.user_id,
            **kwargs,
        )
        return target.posted(str(response["ts"]))

    async def _append(self, target: StreamTarget, ts: str, text: str, outcome: StreamOutcome) -> bool:
        """False when Slack pushed back: the text stays pending and goes out with the next write."""
        try:
            await self.client.chat_appendStream(channel=target.channel, ts=ts, markdown_text=text[:STREAM_MARKDOWN_MAX])
        except SlackApiError as exc:
            limited = rate_limited(exc)
            if limited is None:
                raise
            self.pacer.hold(target.channel, limited.retry_after)
            return False
        outcome.writes += 1
        return True
