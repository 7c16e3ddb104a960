"""Stream the core's reply events into a Slack thread within Slack's write limits.

Native chat streaming (``chat.startStream``/``appendStream``/``stopStream``) where the workspace has it,
else one message that is edited with ``chat.update`` at most once per interval per channel. The final
write always happens; intermediate writes are skipped when the channel's slot is taken.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from assistant.errors import RateLimited
from assistant.operations import record_rate_limit_wait
from assistant.types import Reply, ReplyDone, ReplyEvent, TextDelta, TextReset
from bots.common.events import ReplyFold, prepend, replay
from bots.common.pacing import Clock, WritePacer

from .blocks import SlackMessage, render_reply, render_streaming
from .limits import STREAM_MARKDOWN_MAX, WRITES_PER_CHANNEL_INTERVAL_S

log = logging.getLogger("shopguide.slack.stream")

StreamMode = Literal["auto", "native", "update"]
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


@dataclass
class StreamOutcome:
    reply: Reply | None
    message_ts: list[str] = field(default_factory=list)
    mode: str = "update"
    writes: int = 0


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

    # ---- throttled chat.update -----------------------------------------------------------------
    async def _deliver_update(
        self, events: AsyncIterator[ReplyEvent], target: StreamTarget, *, shown: str = "", ts: str | None = None
    ) -> StreamOutcome:
        outcome = StreamOutcome(reply=None, mode="update")
        fold = ReplyFold(text=shown)
        written = None if ts is None else shown
        async for event in events:
            fold.apply(event)
            if isinstance(event, ReplyDone):
                continue  # the last event: the generator finishes on its own
            visible = bool(fold.text.strip() or fold.cards)
            if visible and fold.text != written and self.pacer.try_acquire(target.channel):
                message = render_streaming(fold.text, fold.cards, fold.language)
                ts = await self._write_intermediate(target, ts, message, outcome)
                written = fold.text
        outcome.reply = fold.reply
        if outcome.reply is None:
            return outcome
        messages = render_reply(outcome.reply)
        if not outcome.reply.text and not outcome.reply.cards:
            return outcome  # handed-off conversations and silent turns post nothing
        for i, message in enumerate(messages):
            ts_i = await self._write_final(target, ts if i == 0 else None, message)
            outcome.writes += 1
            outcome.message_ts.append(ts_i)
        return outcome

    async def _write_intermediate(
        self, target: StreamTarget, ts: str | None, message: SlackMessage, outcome: StreamOutcome
    ) -> str | None:
        try:
            if ts is None:
                response = await self.client.chat_postMessage(
                    channel=target.channel, thread_ts=target.thread_ts, text=message.text, blocks=message.blocks
                )
                outcome.writes += 1
                return str(response["ts"])
            await self.client.chat_update(channel=target.channel, ts=ts, text=message.text, blocks=message.blocks)
            outcome.writes += 1
        except SlackApiError as exc:
            limited = rate_limited(exc)
            if limited is None:
                raise
            # Skipped: the final write carries the whole text anyway.
            self.pacer.hold(target.channel, limited.retry_after)
            log.info("slack write skipped channel=%s retry_after=%.1f", target.channel, limited.retry_after)
        return ts

    async def _write_final(self, target: StreamTarget, ts: str | None, message: SlackMessage) -> str:
        """Post (or update ``ts``) in the channel's next slot; a rate limit is waited out and the write repeated."""

        async def write() -> str:
            try:
                if ts is None:
                    response = await self.client.chat_postMessage(
                        channel=target.channel, thread_ts=target.thread_ts, text=message.text, blocks=message.blocks
                    )
                    return str(response["ts"])
                await self.client.chat_update(channel=target.channel, ts=ts, text=message.text, blocks=message.blocks)
                return ts
            except SlackApiError as exc:
                limited = rate_limited(exc)
                if limited is None:
                    raise
                raise limited from exc

        return await self.pacer.write(target.channel, write, max_retries=FINAL_WRITE_ATTEMPTS - 1)

    # ---- native streaming ----------------------------------------------------------------------
    async def _deliver_native(self, events: AsyncIterator[ReplyEvent], target: StreamTarget) -> StreamOutcome:
        outcome = StreamOutcome(reply=None, mode="native")
        stream_ts: str | None = None
        pending = ""
        streamed = ""
        reset = False
        iterator = events.__aiter__()
        async for event in iterator:
            if isinstance(event, TextDelta):
                pending += event.text
            elif isinstance(event, TextReset):
                reset, pending, streamed = True, event.text, event.text
                continue
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
                streamed, pending = pending, ""
            elif (
                stream_ts is not None
                and pending
                and not reset
                and self.pacer.try_acquire(target.channel)
                and await self._append(target, stream_ts, pending, outcome)
            ):
                streamed += pending
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
            markdown_text=(pending if not reset else "")[:STREAM_MARKDOWN_MAX] or None,
            blocks=tail_blocks or None,
        )
        outcome.writes += 1
        outcome.message_ts.append(stream_ts)
        if reset or len(messages) > 1:
            # The streamed words were replaced (fact check, safety) or are too long for one message:
            # rewrite the streamed message with the checked text as blocks.
            await self._write_final(
                target, stream_ts, messages[0] if len(messages) > 1 else _with(messages[0], tail_blocks)
            )
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
        return str(response["ts"])

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


def _with(message: SlackMessage, tail: list[dict[str, Any]]) -> SlackMessage:
    return SlackMessage(text=message.text, blocks=[b for b in message.blocks if b not in tail] + tail)
