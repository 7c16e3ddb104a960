"""``ShopperChannel`` for Telegram: staff replies from the handoff desk reach the shopper's chat (and topic)."""

from __future__ import annotations

from telegram.error import BadRequest

from .render import render_parts
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
