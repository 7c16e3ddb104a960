"""Where a Slack command's output goes: a thread (mentions, DMs, kb progress) or a slash command's response_url."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from .blocks import SlackMessage, text_message

log = logging.getLogger("shopguide.slack")


@dataclass
class ThreadSink:
    """Posts command output into a thread (mentions, DMs, kb progress)."""

    client: AsyncWebClient
    channel: str
    thread_ts: str | None

    async def post(self, messages: list[SlackMessage]) -> None:
        for message in messages:
            await self.client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread_ts, text=message.text, blocks=message.blocks
            )


@dataclass
class ResponseUrlSink:
    """Answers a slash command through its ``response_url`` (works in channels the bot is not in)."""

    respond: AsyncRespond
    in_channel: bool = True

    async def post(self, messages: list[SlackMessage]) -> None:
        for message in messages:
            await self.respond(
                text=message.text,
                blocks=message.blocks,
                response_type="in_channel" if self.in_channel else "ephemeral",
                replace_original=False,
            )


Sink = ThreadSink | ResponseUrlSink


async def safe_post(sink: Sink, text: str) -> None:
    try:
        await sink.post(text_message(text))
    except Exception as exc:  # the apology itself failed: nothing more to do but log
        log.warning("slack apology_failed error=%s", type(exc).__name__)
