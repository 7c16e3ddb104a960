"""A Telegram update taken over from a replica that died mid-turn: delete the half-written answer it had posted
(cards, a streamed text ending in "…") before answering it again. The posts are recorded by
``bots.common.leases.posting_recorder`` as the turn writes them."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError

from assistant.state.shared_texts import SharedTexts
from bots.common.leases import posted_refs

from .sender import ChatTarget, TelegramSender

log = logging.getLogger("shopguide.telegram")

# A dead turn's messages are removable for as long as Telegram lets a bot delete its messages (48 hours).
POSTED_TTL_S = 48 * 3600


async def remove_dead_turns_messages(
    sender: TelegramSender, posted: SharedTexts | None, delivery_id: str, update: Update
) -> None:
    """Delete what the dead turn of ``update`` had posted, so the shopper sees one answer: the one about to come."""
    chat = update.effective_chat
    refs = posted_refs(posted, delivery_id)
    if chat is None or not refs:
        return
    target = ChatTarget(chat_id=chat.id, request_id=f"tg-{update.update_id}")
    for ref in refs:
        with contextlib.suppress(TelegramError):  # already gone, or too old to delete: nothing to undo
            await sender.delete(target, int(ref))
    log.info("telegram take_over removed=%d update_id=%s", len(refs), update.update_id)
