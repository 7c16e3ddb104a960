"""``ShopperChannel``s for Telegram: staff replies from the handoff desk reach the shopper's chat (and topic)."""

from __future__ import annotations

from telegram import Bot
from telegram.error import BadRequest

from .render import render_parts, split_text
from .sender import ChatTarget, TelegramSender


class TelegramShopperChannel:
    """Implements ``assistant.handoff.ShopperChannel``; paced and 429-safe like every other write."""

    platform = "telegram"

    def __init__(self, sender: TelegramSender) -> None:
        self.sender = sender

    async def send(self, chat_id: str, thread_id: str | None, text: str) -> None:
        target = ChatTarget(
            chat_id=int(chat_id),
            thread_id=int(thread_id) if thread_id else None,
            is_group=int(chat_id) < 0,  # Telegram group and supergroup ids are negative
            request_id="handoff",
        )
        for part in render_parts(text):
            try:
                await self.sender.send_text(target, part)
            except BadRequest as exc:
                if "thread not found" not in exc.message.lower() or target.thread_id is None:
                    raise
                # The forum topic was closed or deleted: the shopper still gets the answer in the chat.
                target.thread_id = None
                await self.sender.send_text(target, part)


class TelegramSendChannel:
    """Sends staff replies to a Telegram chat through the Bot API (only ``sendMessage``; no polling).

    The Telegram adapter process owns updates; this lets another process (the Slack one, where staff
    answer) relay without it.
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
