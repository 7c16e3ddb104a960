"""Every write to Telegram goes through here: paced per chat (``FlowControl``), a 429 turned into
``RateLimited`` and waited out for that chat only, HTML rejected by Telegram resent as plain text,
"not modified" treated as success.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError, TimedOut

from assistant.errors import RateLimited
from assistant.operations import record_rate_limit_wait

from .flow import FlowControl
from .render import Part

log = logging.getLogger("shopguide.telegram.sender")

MAX_FLOOD_RETRIES = 5  # after this many 429s in a row for one write, give up on that write
MAX_TIMEOUT_RETRIES = 2  # only for idempotent writes (edits, deletes)


@dataclass
class ChatTarget:
    """Where a turn's messages go: chat, forum topic, and (in groups) the message we answer."""

    chat_id: int
    thread_id: int | None = None
    is_group: bool = False
    reply_to: int | None = None
    request_id: str = "-"
    sent_ids: list[int] = field(default_factory=list)
    # Told of each message the turn posts (the adapter records them with the turn's lease, so a replica that
    # takes over a dead replica's turn can remove its half-written answer).
    on_sent: Callable[[str], None] | None = None

    def sent(self, message_id: int) -> None:
        self.sent_ids.append(message_id)
        if self.on_sent is not None:
            self.on_sent(str(message_id))

    def take_reply_to(self) -> ReplyParameters | None:
        """Only the first message of an answer quotes the question."""
        if self.reply_to is None:
            return None
        params = ReplyParameters(message_id=self.reply_to, allow_sending_without_reply=True)
        self.reply_to = None
        return params


def retry_after_seconds(exc: RetryAfter) -> float:
    value: Any = exc.retry_after
    seconds = value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)
    record_rate_limit_wait("telegram", seconds)
    return seconds


def _is_parse_error(exc: BadRequest) -> bool:
    return "can't parse entities" in exc.message.lower() or "can't find end tag" in exc.message.lower()


def _is_not_modified(exc: BadRequest) -> bool:
    return "message is not modified" in exc.message.lower()


class TelegramSender:
    def __init__(self, bot: Bot, flow: FlowControl) -> None:
        self.bot = bot
        self.flow = flow

    @property
    def flood_waits(self) -> int:
        """429s waited out (for benches and logs)."""
        return self.flow.rate_limited

    async def _paced(self, target: ChatTarget, call: Any, *, idempotent: bool) -> Any:
        async def attempt() -> Any:
            try:
                return await call()
            except RetryAfter as exc:
                # Telegram's back-pressure enters the error tree here; the pacer holds this chat and retries.
                raise RateLimited("Telegram flood control for this chat", retry_after_seconds(exc)) from exc

        timeouts = 0
        while True:
            try:
                return await self.flow.write(
                    target.chat_id,
                    attempt,
                    is_group=target.is_group,
                    max_retries=MAX_FLOOD_RETRIES,
                    request_id=target.request_id,
                )
            except TimedOut:
                timeouts += 1
                # A timed-out send may still have been delivered: repeating it could show it twice.
                if not idempotent or timeouts > MAX_TIMEOUT_RETRIES:
                    raise

    async def send_text(self, target: ChatTarget, part: Part, markup: InlineKeyboardMarkup | None = None) -> Message:
        reply = target.take_reply_to()

        async def send(html: bool) -> Message:
            return await self.bot.send_message(
                chat_id=target.chat_id,
                text=part.html if html else part.plain,
                parse_mode=ParseMode.HTML if html else None,
                message_thread_id=target.thread_id,
                reply_parameters=reply,
                reply_markup=markup,
                disable_notification=False,
            )

        message: Message = await self._with_plain_fallback(target, send)
        target.sent(message.message_id)
        return message

    async def edit_text(
        self, target: ChatTarget, message_id: int, part: Part, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        async def edit(html: bool) -> object:
            return await self.bot.edit_message_text(
                chat_id=target.chat_id,
                message_id=message_id,
                text=part.html if html else part.plain,
                parse_mode=ParseMode.HTML if html else None,
                reply_markup=markup,
            )

        try:
            await self._with_plain_fallback(target, edit, idempotent=True)
        except BadRequest as exc:
            if not _is_not_modified(exc):
                raise

    async def send_photo(
        self, target: ChatTarget, photo_url: str, caption: Part, markup: InlineKeyboardMarkup | None
    ) -> Message:
        reply = target.take_reply_to()

        async def send(html: bool) -> Message:
            return await self.bot.send_photo(
                chat_id=target.chat_id,
                photo=photo_url,
                caption=caption.html if html else caption.plain,
                parse_mode=ParseMode.HTML if html else None,
                message_thread_id=target.thread_id,
                reply_parameters=reply,
                reply_markup=markup,
            )

        message: Message = await self._with_plain_fallback(target, send)
        target.sent(message.message_id)
        return message

    async def delete(self, target: ChatTarget, message_id: int) -> None:
        async def delete() -> object:
            return await self.bot.delete_message(chat_id=target.chat_id, message_id=message_id)

        try:
            await self._paced(target, delete, idempotent=True)
        except BadRequest as exc:
            log.info("telegram delete failed request_id=%s error=%s", target.request_id, exc.message)

    async def typing(self, target: ChatTarget) -> None:
        # Chat actions are not messages; they are not paced, and losing one is harmless.
        try:
            await self.bot.send_chat_action(
                chat_id=target.chat_id, action=ChatAction.TYPING, message_thread_id=target.thread_id
            )
        except TelegramError as exc:
            log.debug("typing action failed request_id=%s error=%s", target.request_id, exc)

    async def _with_plain_fallback(self, target: ChatTarget, call: Any, *, idempotent: bool = False) -> Any:
        try:
            return await self._paced(target, lambda: call(True), idempotent=idempotent)
        except BadRequest as exc:
            if not _is_parse_error(exc):
                raise
            log.warning("telegram rejected html request_id=%s error=%s; sending plain text", target.request_id, exc)
            return await self._paced(target, lambda: call(False), idempotent=idempotent)


class TypingIndicator:
    """Shows "typing…" from the start of a turn until the first text is visible, refreshed before it fades."""

    def __init__(self, sender: TelegramSender, target: ChatTarget, refresh_s: float, delay_s: float = 0.0) -> None:
        self.sender = sender
        self.target = target
        self.refresh_s = refresh_s
        self.delay_s = delay_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        while True:
            await self.sender.typing(self.target)
            await asyncio.sleep(self.refresh_s)

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
