"""Shopper channels the Slack process can deliver staff replies through (``ShopperChannel`` ports)."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot

from bots.telegram.render import split_text

from .blocks import escape


class SlackShopperChannel:
    """A Slack user who was handed off: staff replies go back into their thread."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def send(self, chat_id: str, thread_id: str | None, text: str) -> None:
        await self.client.chat_postMessage(channel=chat_id, thread_ts=thread_id, text=escape(text))


class TelegramSendChannel:
    """Sends staff replies to a Telegram chat through the Bot API (only ``sendMessage``; no polling).

    The Telegram adapter process owns updates; this lets the Slack process relay without it.
    """

    platform = "telegram"

    def __init__(self, token: str, *, base_url: str = "https://api.telegram.org/bot") -> None:
        self.bot = Bot(token, base_url=base_url)
        self._ready = False

    async def send(self, chat_id: str, thread_id: str | None, text: str) -> None:
        if not self._ready:
            await self.bot.initialize()
            self._ready = True
        # thread_id is a forum topic id on Telegram; ordinary private chats have none.
        topic = int(thread_id) if thread_id and thread_id.isdigit() else None
        target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        # Plain text (no parse mode): staff wording arrives as typed, split at Telegram's 4096 characters.
        for part in split_text(text):
            await self.bot.send_message(chat_id=target, text=part, message_thread_id=topic)

    async def aclose(self) -> None:
        if self._ready:
            await self.bot.shutdown()
