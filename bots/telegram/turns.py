"""What one Telegram turn carries: the chat queue, the turn's costs, and an admin command as understood."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Bot, Message, MessageEntity, User
from telegram.constants import ChatType

from assistant.types import Language

from .sender import ChatTarget, TelegramSender

GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)


def pseudonym(value: int | str) -> str:
    """Stable short id for logs: user and chat ids are personal data and never logged raw."""
    return hashlib.sha256(f"tg:{value}".encode()).hexdigest()[:10]


def language_hint(user: User | None) -> Language | None:
    code = (user.language_code or "").lower() if user else ""
    if code.startswith("zh"):
        return "zh"
    if code.startswith("en"):
        return "en"
    return None


@dataclass
class TurnStats:
    """What one answered turn cost the adapter; the bench reads these."""

    request_id: str
    received_at: float
    chat_id: int = 0
    first_visible_at: float | None = None
    first_text_at: float | None = None
    done_at: float = 0.0
    core_s: float = 0.0  # time spent waiting for the core's events
    core_first_s: float | None = None  # of which: waiting for the first event (understanding, retrieval)
    core_before_first_write_s: float | None = None  # core time spent before the first message went out
    writes: int = 0


@dataclass
class AdminRequest:
    """An admin command as the adapter understood it (what ``kb.TelegramKbCommands`` needs to act and report)."""

    command: str
    args: list[str]
    actor: str
    language: Language
    say: Callable[[str], Awaitable[None]]
    target: ChatTarget
    sender: TelegramSender


KbHandler = Callable[[AdminRequest], Awaitable[None]]


def addressed_text(message: Message, bot: Bot) -> str | None:
    """In groups: the text with our mention removed if the message is for us, else None."""
    text = message.text or ""
    if message.chat.type not in GROUP_TYPES:
        return text
    reply = message.reply_to_message
    addressed = reply is not None and reply.from_user is not None and reply.from_user.id == bot.id
    mention = f"@{bot.username}".lower() if bot.username else None
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if (entity.type == MessageEntity.MENTION and mention and value.lower() == mention) or (
            entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot.id
        ):
            addressed = True
            text = text.replace(value, " ")
    return " ".join(text.split()) if addressed else None
