"""What a Telegram turn posts, recorded for replicas: if this replica dies mid-turn, the one that takes the update
over deletes the half-written answer (cards, a streamed text ending in "…") before answering it again."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable

from telegram import Update
from telegram.error import TelegramError

from assistant.state.shared_texts import SharedTexts

from .sender import ChatTarget, TelegramSender

log = logging.getLogger("shopguide.telegram")

# A dead turn's messages are removable for as long as Telegram lets a bot delete its messages (48 hours).
POSTED_TTL_S = 48 * 3600


def posting_recorder(posted: SharedTexts | None, delivery_id: str) -> Callable[[list[int]], None] | None:
    """Keeps the ids of the messages a turn has posted so far under its delivery id (None: one machine)."""
    if posted is None:
        return None

    def record(ids: list[int]) -> None:
        posted.put(delivery_id, json.dumps(ids))  # a Redis outage costs only this clean-up

    return record


async def remove_dead_turns_messages(
    sender: TelegramSender, posted: SharedTexts | None, delivery_id: str, update: Update
) -> None:
    """Delete what the dead turn of ``update`` had posted, so the shopper sees one answer: the one about to come."""
    chat = update.effective_chat
    raw = posted.get(delivery_id) if posted is not None else None
    if chat is None or not raw:
        return
    target = ChatTarget(chat_id=chat.id, request_id=f"tg-{update.update_id}")
    ids = json.loads(raw)
    for message_id in ids:
        with contextlib.suppress(TelegramError):  # already gone, or too old to delete: nothing to undo
            await sender.delete(target, int(message_id))
    log.info("telegram take_over removed=%d update_id=%s", len(ids), update.update_id)
