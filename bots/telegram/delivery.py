"""One answered turn in a Telegram chat: "typing…", product cards, the streamed text and quick replies."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest

from assistant.types import (
    CardsReady,
    Choice,
    Language,
    ProductCard,
    Reply,
    ReplyDone,
    ReplyEvent,
    TextDelta,
)

from .limits import TYPING_DELAY_S, TYPING_REFRESH_S
from .render import CallbackTexts, Part, card_caption, card_keyboard, card_plain, choices_keyboard, render_parts
from .sender import ChatTarget, TelegramSender, TypingIndicator
from .streamer import StreamedAnswer
from .turns import TurnStats, pseudonym

log = logging.getLogger("shopguide.telegram")


class TurnDelivery:
    """Writes the core's reply events into one chat; every write goes through the paced sender."""

    def __init__(self, sender: TelegramSender, codec: CallbackTexts, edit_interval_s: float) -> None:
        self.sender = sender
        self.codec = codec
        self.edit_interval_s = edit_interval_s

    async def say(self, target: ChatTarget, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """A whole text at once (commands, notices), split at Telegram's limit; ``markup`` under the last part."""
        parts = render_parts(text)
        for index, part in enumerate(parts):
            await self.sender.send_text(target, part, markup if index == len(parts) - 1 else None)

    async def run(self, events: AsyncIterator[ReplyEvent], target: ChatTarget, stats: TurnStats) -> None:
        """Typing until text shows, cards as they come, the text streamed, quick replies under it."""
        typing = TypingIndicator(self.sender, target, TYPING_REFRESH_S, TYPING_DELAY_S)
        typing.start()
        cards_task: asyncio.Task[None] | None = None

        def first_text() -> None:
            typing.stop()
            now = time.perf_counter()
            stats.first_text_at = now
            stats.first_visible_at = stats.first_visible_at or now

        async def cards_first() -> None:
            if cards_task is not None:
                await cards_task
            if stats.core_before_first_write_s is None:
                stats.core_before_first_write_s = stats.core_s

        stream = StreamedAnswer(
            self.sender,
            target,
            interval_s=self.edit_interval_s,
            before_first_send=cards_first,
            on_first_send=first_text,
        )
        reply: Reply | None = None
        try:
            while True:
                waited = time.perf_counter()
                try:
                    event = await anext(events)
                except StopAsyncIteration:
                    break
                finally:
                    spent = time.perf_counter() - waited
                    stats.core_s += spent
                    if stats.core_first_s is None:
                        stats.core_first_s = spent
                if isinstance(event, CardsReady):
                    if event.cards and cards_task is None:
                        cards_task = asyncio.create_task(
                            self._send_cards(target, event.cards, event.language, stats, lambda: not stream.closing)
                        )
                elif isinstance(event, TextDelta):
                    stream.append(event.text)
                elif isinstance(event, ReplyDone):
                    reply = event.reply
        except BaseException:
            typing.stop()
            await stream.cancel()
            if cards_task is not None:
                cards_task.cancel()
            raise
        assert reply is not None
        if reply.handoff and not reply.text.strip():
            # A colleague is handling this shopper: the bot stays silent.
            typing.stop()
            await stream.cancel()
            return
        if reply.cards and cards_task is None:
            cards_task = asyncio.create_task(
                self._send_cards(target, reply.cards, reply.language, stats, lambda: False)
            )
        markup = choices_keyboard(reply.choices, self.codec)
        try:
            await stream.finish(reply.text if reply.text.strip() else None, markup)
        finally:
            typing.stop()
        if cards_task is not None:
            await cards_task
        if not stream.started and markup is not None:
            # Quick replies with no text (rare): they still need a message to hang under.
            await self.say(target, _choices_prompt(reply.choices, reply.language), markup)
        stats.writes = stream.writes
        log.info(
            "telegram turn request_id=%s chat=%s group=%s cards=%d writes=%d handoff=%s ms=%.0f",
            target.request_id,
            pseudonym(target.chat_id),
            target.is_group,
            len(reply.cards),
            stream.writes,
            reply.handoff,
            (time.perf_counter() - stats.received_at) * 1000,
        )

    async def _send_cards(
        self,
        target: ChatTarget,
        cards: list[ProductCard],
        language: Language,
        stats: TurnStats,
        still_writing: Callable[[], bool],
    ) -> None:
        if stats.core_before_first_write_s is None:
            stats.core_before_first_write_s = stats.core_s
        for index, card in enumerate(cards):
            others = cards[index + 1 :] + cards[:index]
            markup = card_keyboard(card, others, language, self.codec)
            caption = Part(card_caption(card, language), card_plain(card, language))
            if card.image_url.startswith(("https://", "http://")):
                try:
                    await self.sender.send_photo(target, card.image_url, caption, markup)
                except BadRequest as exc:
                    # Telegram could not fetch the picture: the card still matters more than the photo.
                    log.info("card photo refused request_id=%s error=%s", target.request_id, exc.message)
                    await self.sender.send_text(target, caption, markup)
            else:
                await self.sender.send_text(target, caption, markup)
            stats.first_visible_at = stats.first_visible_at or time.perf_counter()
        if still_writing():
            # Sending a message clears "typing…"; the answer text is still being written.
            await self.sender.typing(target)


def _choices_prompt(choices: list[Choice], language: Language) -> str:
    return "👇" if choices else ""
