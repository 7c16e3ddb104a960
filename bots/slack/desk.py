"""The staff desk in Slack: each handoff ticket is a thread in the support channel (``StaffDesk`` port)."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from assistant.config import Settings
from assistant.handoff import HandoffTicket, TicketBrief

from .blocks import Block, escape, header, resolve_button, split_text
from .client import make_client
from .limits import SECTION_TEXT_MAX

_PLATFORM_NAMES = {"telegram": "Telegram", "slack": "Slack", "cli": "terminal"}
_REASONS = {
    "asked_for_human": "the shopper asked for a human",
    "handoff_without_ticket": "conversation was handed off but its ticket was missing",
}


def desk_ref(channel: str, thread_ts: str) -> str:
    return f"{channel}:{thread_ts}"


class SlackStaffDesk:
    def __init__(self, client: AsyncWebClient, channel: str) -> None:
        self.client = client
        self.channel = channel

    async def open_ticket(self, brief: TicketBrief) -> str:
        platform = _PLATFORM_NAMES.get(brief.platform, brief.platform)
        reason = _REASONS.get(brief.reason, brief.reason.replace("_", " "))
        blocks: list[Block] = [
            header(f"Handoff from {platform} · ticket {brief.ticket_id}"),
            _section(f"*Reason:* {escape(reason)} · *language:* {brief.language}"),
            _section(f"*Shopper asked:*\n>{escape(brief.question)}"),
        ]
        if brief.transcript:
            lines = [f"*{'Shopper' if t.role == 'user' else 'Bot'}:* {escape(t.text)}" for t in brief.transcript]
            for part in split_text("\n".join(lines), SECTION_TEXT_MAX - 40):
                blocks.append(_section("*Recent conversation (PII redacted):*\n" + part))
        if brief.products:
            blocks.append(_section("*Products discussed:*\n" + "\n".join(f"• {escape(p)}" for p in brief.products)))
        if brief.evidence:
            blocks.append(_section("*Evidence the bot used:*\n" + "\n".join(f"• {escape(e)}" for e in brief.evidence)))
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": "Reply in this thread to answer the shopper; resolve hands them back."}
                ],
            }
        )
        blocks.append(resolve_button(brief.ticket_id))
        response = await self.client.chat_postMessage(
            channel=self.channel,
            text=f"Handoff from {platform} (ticket {brief.ticket_id}): {escape(brief.question)}",
            blocks=blocks,
            unfurl_links=False,
        )
        return desk_ref(str(response["channel"] or self.channel), str(response["ts"]))

    async def post_shopper_message(self, ticket: HandoffTicket, text: str) -> None:
        channel, ts = _split_ref(ticket)
        await self.client.chat_postMessage(channel=channel, thread_ts=ts, text=f"*Shopper:* {escape(text)}")

    async def post_notice(self, ticket: HandoffTicket, text: str) -> None:
        channel, ts = _split_ref(ticket)
        await self.client.chat_postMessage(channel=channel, thread_ts=ts, text=f"_{escape(text)}_")


def _split_ref(ticket: HandoffTicket) -> tuple[str, str]:
    assert ticket.desk_ref is not None
    channel, _, ts = ticket.desk_ref.partition(":")
    return channel, ts


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_TEXT_MAX]}}


def desk_from_settings(settings: Settings, client: AsyncWebClient | None = None) -> SlackStaffDesk | None:
    """For other processes (the Telegram adapter) that open tickets: None when Slack is not configured."""
    if not settings.slack_bot_token.get_secret_value() or not settings.slack_support_channel:
        return None
    return SlackStaffDesk(client or make_client(settings), settings.slack_support_channel)


def staff_edit_in_a_thread(event: dict[str, Any], support_channel: str) -> bool:
    """A person edited a thread reply in the support channel (not a bot's streaming edit or an unfurl)."""
    message = event.get("message") or {}
    return (
        event.get("channel") == support_channel
        and bool(message.get("edited"))
        and not message.get("bot_id")
        and bool(message.get("thread_ts"))
        and message.get("thread_ts") != message.get("ts")
    )
