"""The Slack ``ShopperChannel``: staff replies reach a Slack shopper who was handed off."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from .blocks import escape


class SlackShopperChannel:
    """A Slack user who was handed off: staff replies go back into their thread."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def send(self, chat_id: str, thread_id: str | None, text: str) -> None:
        await self.client.chat_postMessage(channel=chat_id, thread_ts=thread_id, text=escape(text))
