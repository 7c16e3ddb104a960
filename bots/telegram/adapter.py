"""The Telegram adapter: turns updates into ``IncomingMessage`` for the core and renders its replies.

Private chats: every message is for us. Groups: only mentions, replies to the bot and commands; one
conversation per (chat, user) and per forum topic. One answer in flight per chat; the next waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from assistant.app import Assistant
from assistant.config import Settings
from assistant.errors import ConfigError, PlatformUnreachable
from assistant.state.backends import leader_lock, open_delivery_claims, open_turn_order, shared_rate_limits
from assistant.state.coordination import TurnOrder
from assistant.types import (
    IncomingMessage,
    Language,
)
from bots.common.commands import CHAT_COMMANDS, ChatCommand, chat_command_reply, parse_chat_command
from bots.common.dedupe import DeliveryClaims
from bots.common.leases import LeasedDeliveries, cancel_task, posting_recorder
from bots.common.texts import phrase

from .channel import TelegramShopperChannel
from .delivery import TurnDelivery
from .flow import FlowControl, UserRateLimiter
from .ingress import ReservingUpdateQueue, TurnReservations
from .limits import EDIT_INTERVAL_S
from .logfilter import install_payload_filter
from .render import CALLBACK_SHARED_TTL_S, CallbackTexts
from .sender import ChatTarget, TelegramSender
from .takeover import POSTED_TTL_S, remove_dead_turns_messages
from .turns import GROUP_TYPES, AdminRequest, KbHandler, TurnStats, addressed_text, language_hint, pseudonym

log = logging.getLogger("shopguide.telegram")


PLATFORM = "telegram"
# PTB processes updates one at a time by default, which would make every chat wait for every other.
MAX_CONCURRENT_UPDATES = 512
# One HTTP connection per in-flight write; the default pool of 1 would serialise all chats.
CONNECTION_POOL_SIZE = 64
POOL_TIMEOUT_S = 30.0
ADMIN_COMMANDS = ("kb_status", "kb_reload", "kb_diff", "kb_rollback", "kb_cancel")
# Commands that must not wait for the chat's turn: a cancel would otherwise queue behind the reload it stops.
UNQUEUED_COMMANDS = frozenset({"kb_cancel"})
ALLOWED_UPDATES = ["message", "callback_query"]
# Runs before every handler group (PTB's default group is 0): redeliveries stop there.
DEDUPE_GROUP = -1
# Runs after the handlers: the update is marked delivered once its answer is out.
DELIVERED_GROUP = 1


@dataclass
class TelegramAdapter:
    """Build with an ``Assistant`` and ``Settings``; ``application`` is the python-telegram-bot app."""

    assistant: Assistant
    settings: Settings
    kb: KbHandler | None = None
    base_url: str | None = None
    edit_interval_s: float = EDIT_INTERVAL_S
    flow: FlowControl = field(default_factory=FlowControl)
    stats: list[TurnStats] = field(default_factory=list)
    keep_stats: bool = False
    conflict: asyncio.Event = field(default_factory=asyncio.Event)
    codec: CallbackTexts = field(default_factory=CallbackTexts)
    seen: DeliveryClaims | None = None
    redeliveries: int = 0
    application: Application[Any, Any, Any, Any, Any, Any] = field(init=False)
    sender: TelegramSender = field(init=False)
    delivery: TurnDelivery = field(init=False)

    def __post_init__(self) -> None:
        token = self.settings.telegram_token.get_secret_value()
        if not token:
            raise ConfigError(
                "no Telegram bot token configured",
                hint="create a bot with @BotFather and set SHOPGUIDE_TELEGRAM_TOKEN (environment or .env)",
            )
        # With Redis every replica keeps each chat's turns in one order, taken at ingress (``ingress.py``).
        from assistant.state.backends import shared_texts

        self.queue: TurnOrder = open_turn_order(self.settings)
        # With Redis a long button's payload is readable by every replica, not only the one that sent it.
        self.codec.shared = self.codec.shared or shared_texts(self.settings, "buttons", CALLBACK_SHARED_TTL_S)
        self.reservations = TurnReservations(self.queue, self._turn_token_of)
        builder = (
            Application.builder()
            .token(token)
            .base_url(self.base_url or self.settings.telegram_api_base_url)
            .concurrent_updates(MAX_CONCURRENT_UPDATES)
            .connection_pool_size(CONNECTION_POOL_SIZE)
            .pool_timeout(POOL_TIMEOUT_S)
            .update_queue(ReservingUpdateQueue(self.reservations.reserve))
        )
        self.application = builder.build()
        self.sender = TelegramSender(self.application.bot, self.flow)
        self.delivery = TurnDelivery(self.sender, self.codec, self.edit_interval_s)
        per_minute = self.settings.telegram_user_messages_per_minute
        # With Redis every replica counts the same messages.
        self.user_limiter = shared_rate_limits(self.settings, per_minute) or UserRateLimiter(per_minute)
        if self.seen is None:
            self.seen = open_delivery_claims(self.settings, self.settings.telegram_db)
        self.leases = LeasedDeliveries(self.seen)
        self.posted = shared_texts(self.settings, "posted", POSTED_TTL_S)  # each turn's posts, for a take-over
        self._taken_over: set[str] = set()
        self._take_over_task: asyncio.Task[None] | None = None
        install_payload_filter()
        self._register_handlers()

    def close(self) -> None:
        """Release the update-id store (call once the bot stopped)."""
        if self.seen is not None:
            self.seen.close()

    # ---- wiring --------------------------------------------------------------------------------
    def _register_handlers(self) -> None:
        app = self.application
        app.add_handler(TypeHandler(Update, self._drop_redelivered), group=DEDUPE_GROUP)
        app.add_handler(TypeHandler(Update, self._mark_delivered), group=DELIVERED_GROUP)
        new_messages = filters.UpdateType.MESSAGE
        for command in CHAT_COMMANDS:
            app.add_handler(CommandHandler(command, self._cmd_chat, filters=new_messages))
        for command in ADMIN_COMMANDS:
            app.add_handler(CommandHandler(command, self._cmd_admin, filters=new_messages))
        chats = filters.ChatType.PRIVATE | filters.ChatType.GROUPS
        app.add_handler(MessageHandler(new_messages & chats & filters.TEXT & ~filters.COMMAND, self._on_text))
        app.add_handler(
            MessageHandler(new_messages & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.COMMAND, self._on_other)
        )
        # After every known command: a private /typo gets a hint instead of silence.
        app.add_handler(MessageHandler(new_messages & filters.ChatType.PRIVATE & filters.COMMAND, self._cmd_chat))
        app.add_handler(CallbackQueryHandler(self._on_callback))
        app.add_error_handler(self._on_error)

    async def announce_commands(self) -> None:
        """Register the command menu per language, and the admin menu for each admin's private chat."""
        bot = self.application.bot

        def menu(language: Language, names: tuple[str, ...]) -> list[BotCommand]:
            return [BotCommand(name, phrase(f"cmd_{name}", language)) for name in names]

        await bot.set_my_commands(menu("en", CHAT_COMMANDS), scope=BotCommandScopeDefault())
        await bot.set_my_commands(menu("zh", CHAT_COMMANDS), scope=BotCommandScopeDefault(), language_code="zh")
        for admin in self.admin_user_ids():
            for language in ("en", "zh"):
                try:
                    await bot.set_my_commands(
                        menu(language, CHAT_COMMANDS + ADMIN_COMMANDS),
                        scope=BotCommandScopeChat(admin),
                        language_code=None if language == "en" else language,
                    )
                except BadRequest as exc:
                    # "chat not found" until the admin has opened a chat with the bot; harmless.
                    log.info("admin command menu not set admin=%s error=%s", pseudonym(admin), exc.message)

    def shopper_channel(self) -> TelegramShopperChannel:
        """For ``HandoffService.register_channel``: staff replies reach shoppers through this bot."""
        return TelegramShopperChannel(self.sender)

    def admin_user_ids(self) -> list[int]:
        ids = []
        for entry in self.settings.admin_ids:
            platform, _, user_id = entry.partition(":")
            if platform == PLATFORM and user_id.lstrip("-").isdigit():
                ids.append(int(user_id))
        return ids

    def polling_error(self, exc: TelegramError) -> None:
        """``start_polling`` error callback: a 409 means another instance polls this token."""
        if isinstance(exc, Conflict):
            if not self.conflict.is_set():
                log.error("telegram conflict: another instance is polling this bot token (409)")
            self.conflict.set()
        else:
            log.warning("telegram polling error error=%s", exc)

    @contextlib.asynccontextmanager
    async def polling(self, *, poll_timeout: float = 10.0) -> AsyncIterator[None]:
        """Run the bot with long polling for the duration of the block (the manual PTB lifecycle)."""
        app = self.application
        async with self._running():
            assert app.updater is not None
            # Telegram allows one getUpdates consumer per token: a second replica waits here instead of a 409.
            leader = leader_lock(self.settings, f"telegram-poll:{app.bot.id}")
            if leader is not None:
                await leader.acquire()
            try:
                with self._startup_errors():
                    await app.updater.start_polling(
                        timeout=int(poll_timeout),
                        error_callback=self.polling_error,
                        allowed_updates=ALLOWED_UPDATES,
                        drop_pending_updates=self.settings.telegram_drop_pending_updates,
                    )
                yield
            finally:
                if leader is not None:
                    if app.updater.running:  # stop consuming before another replica may start
                        await app.updater.stop()
                    await leader.release()

    @contextlib.asynccontextmanager
    async def webhook(self, *, url: str, listen: str, port: int, url_path: str, secret: str) -> AsyncIterator[None]:
        """Run the bot behind a webhook: Telegram (or a reverse proxy) POSTs updates to ``listen:port/url_path``.

        Every request must carry ``X-Telegram-Bot-Api-Secret-Token``; PTB refuses others with 403.
        """
        app = self.application
        async with self._running():
            assert app.updater is not None
            with self._startup_errors():
                await app.updater.start_webhook(
                    listen=listen,
                    port=port,
                    url_path=url_path,
                    webhook_url=url,
                    secret_token=secret,
                    allowed_updates=ALLOWED_UPDATES,
                    drop_pending_updates=self.settings.telegram_drop_pending_updates,
                )
            yield

    @contextlib.asynccontextmanager
    async def _running(self) -> AsyncIterator[None]:
        """Initialise and start the application, stop it (and its updater) when the block ends."""
        app = self.application
        with self._startup_errors():
            await app.initialize()
        try:
            with self._startup_errors():
                await self.announce_commands()
                await app.start()
            self._take_over_task = asyncio.create_task(
                self.leases.take_over_lapsed(self._delivery_id(""), self._resubmit)
            )
            try:
                yield
            finally:
                await cancel_task(self._take_over_task)
                self.leases.stop()
                if app.updater is not None and app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
        finally:
            await app.shutdown()

    @contextlib.contextmanager
    def _startup_errors(self) -> Iterator[None]:
        """Errors that stop the bot from starting enter the ``ShopguideError`` tree here, with a fix."""
        try:
            yield
        except InvalidToken as exc:
            raise ConfigError(
                "Telegram rejected the bot token",
                hint="check SHOPGUIDE_TELEGRAM_TOKEN against the token @BotFather gave you",
            ) from exc
        except NetworkError as exc:  # also TimedOut
            host = urlsplit(self.base_url or self.settings.telegram_api_base_url).netloc
            raise PlatformUnreachable(
                f"cannot reach the Telegram Bot API at {host} ({type(exc).__name__}: {self._clean(exc.message)})",
                hint="check the network connection or proxy (HTTPS_PROXY), or SHOPGUIDE_TELEGRAM_API_BASE_URL",
            ) from exc

    def _clean(self, text: str) -> str:
        """A library error message may quote a request URL, and Bot API URLs contain the token."""
        token = self.settings.telegram_token.get_secret_value()
        return text.replace(token, "<redacted>") if token else text

    # ---- turning updates into messages ---------------------------------------------------------
    def _is_admin(self, user: User | None) -> bool:
        return user is not None and f"{PLATFORM}:{user.id}" in self.settings.admin_ids

    def _incoming(self, chat: Chat, user: User, text: str, message: Message | None) -> IncomingMessage:
        thread = message.message_thread_id if message is not None and message.is_topic_message else None
        return IncomingMessage(
            platform=PLATFORM,
            chat_id=str(chat.id),
            user_id=str(user.id),
            text=text,
            language_hint=language_hint(user),
            thread_id=str(thread) if thread is not None else None,
            message_id=str(message.message_id) if message is not None else None,
            is_admin=self._is_admin(user),
            user_name=user.first_name,
        )

    def _target(self, chat: Chat, message: Message | None, update_id: int, *, quote: bool) -> ChatTarget:
        is_group = chat.type in GROUP_TYPES
        thread = message.message_thread_id if message is not None and message.is_topic_message else None
        return ChatTarget(
            chat_id=chat.id,
            thread_id=thread,
            is_group=is_group,
            # In a group the answer quotes the question so everyone sees whom it is for.
            reply_to=message.message_id if (is_group and quote and message is not None) else None,
            request_id=f"tg-{update_id}",
            on_sent=posting_recorder(self.posted, self._delivery_id(update_id)),
        )

    def _rate_ok(self, user: User, incoming: IncomingMessage) -> tuple[bool, str | None]:
        allowed, retry_in, tell = self.user_limiter.check(str(user.id))
        if allowed:
            return True, None
        log.info("user rate limited user=%s retry_in=%.0f", pseudonym(user.id), retry_in)
        if not tell:
            return False, None
        return False, phrase("rate_limited", self.assistant.language_of(incoming), seconds=max(1, round(retry_in)))

    # ---- handlers ------------------------------------------------------------------------------
    def _delivery_id(self, update_id: int | str) -> str:
        return f"{PLATFORM}:{self.application.bot.id}:{update_id}"

    async def _drop_redelivered(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Telegram redelivers a webhook update whose answer was slow: answer each ``update_id`` once.

        The claim is a lease kept alive while the update is answered and marked delivered after; if this
        replica dies mid-turn, another takes the update over once the lease lapses."""
        if not self.leases.take(self._delivery_id(update.update_id), update.to_json()):
            self.redeliveries += 1
            log.info("telegram update duplicate_dropped update_id=%s", update.update_id)
            await self.reservations.give_back(update)
            raise ApplicationHandlerStop
        if (delivery_id := self._delivery_id(update.update_id)) in self._taken_over:
            self._taken_over.discard(delivery_id)
            await remove_dead_turns_messages(self.sender, self.posted, delivery_id, update)

    async def _mark_delivered(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reservations.give_back(update)
        await self.leases.done(self._delivery_id(update.update_id))

    def _resubmit(self, delivery_id: str, payload: str) -> None:
        """A dead replica's update: through the handlers like a redelivery (the lease decides who answers)."""
        update = Update.de_json(json.loads(payload), self.application.bot)
        if update is not None:
            self._taken_over.add(delivery_id)
            self.application.create_task(self.application.process_update(update), update=update)

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or user.is_bot:
            return
        text = addressed_text(message, self.application.bot)
        if text is None:
            return
        await self._handle_user_text(update, message, user, text)

    async def _on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice in a private chat: the core answers an empty text with a hint."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or user.is_bot:
            return
        await self._handle_user_text(update, message, user, message.caption or "")

    async def _handle_user_text(self, update: Update, message: Message, user: User, text: str) -> None:
        received = time.perf_counter()
        incoming = self._incoming(message.chat, user, text, message)
        target = self._target(message.chat, message, update.update_id, quote=True)
        allowed, notice = self._rate_ok(user, incoming)
        if not allowed:
            if notice:
                await self._say(target, notice)
            return
        await self._answer(target, incoming, received)

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query: CallbackQuery | None = update.callback_query
        if query is None:
            return
        received = time.perf_counter()
        user = query.from_user
        text = self.codec.decode(query.data or "")
        language = language_hint(user) or self.settings.default_language
        message = query.message if isinstance(query.message, Message) else None
        if text is None or message is None:
            await self._answer_query(query, phrase("button_expired", language))
            return
        incoming = self._incoming(message.chat, user, text, message)
        allowed, notice = self._rate_ok(user, incoming)
        # Answer at once so the button stops spinning; the reply follows as messages.
        await self._answer_query(query, notice)
        if not allowed:
            return
        target = self._target(message.chat, message, update.update_id, quote=False)
        await self._answer(target, incoming, received)

    async def _answer_query(self, query: CallbackQuery, text: str | None) -> None:
        try:
            await query.answer(text=text)
        except TelegramError as exc:
            log.info("callback answer failed error=%s", exc)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram handler error error=%r", context.error, exc_info=context.error)

    # ---- commands ------------------------------------------------------------------------------
    def _command_context(self, update: Update) -> tuple[IncomingMessage, ChatTarget] | None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return None
        incoming = self._incoming(message.chat, user, message.text or "", message)
        return incoming, self._target(message.chat, message, update.update_id, quote=True)

    async def _cmd_chat(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start /help /reset /lang, and (in private chats) any command we do not know."""
        if (ctx := self._command_context(update)) is None:
            return
        incoming, target = ctx
        command = parse_chat_command(incoming.text) or ChatCommand("")
        async with self.queue.turn(target.chat_id, self._turn_token(target)):
            await self._say(target, chat_command_reply(self.assistant, incoming, command))

    async def _cmd_admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if (ctx := self._command_context(update)) is None:
            return
        incoming, target = ctx
        language = self.assistant.language_of(incoming)
        command = (incoming.text.split() or ["/"])[0].lstrip("/").split("@")[0]
        actor = f"{PLATFORM}:{incoming.user_id}"
        log.info(
            "admin command command=%s user=%s admin=%s request_id=%s",
            command,
            pseudonym(incoming.user_id),
            incoming.is_admin,
            target.request_id,
        )

        async def say(text: str) -> None:
            await self._say(target, text)

        unqueued = command in UNQUEUED_COMMANDS
        turn = contextlib.nullcontext() if unqueued else self.queue.turn(target.chat_id, self._turn_token(target))
        async with turn:
            if self.kb is not None:
                # The kb handler refuses non-admins itself, so refusals land in the audit log too.
                await self.kb(
                    AdminRequest(command, list(context.args or []), actor, language, say, target, self.sender)
                )
            elif not incoming.is_admin:
                await say(phrase("admin_only", language))
            else:
                await say(phrase("admin_unavailable", language))

    # ---- answering -----------------------------------------------------------------------------
    def _turn_token(self, target: ChatTarget) -> str:
        """Named after the update, so a turn taken over from a dead replica keeps its place in the chat."""
        return f"{PLATFORM}:{self.application.bot.id}:{target.request_id}"

    def _turn_token_of(self, update_id: int) -> str:
        return f"{PLATFORM}:{self.application.bot.id}:tg-{update_id}"  # as ``_target`` names the request

    async def _say(self, target: ChatTarget, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        await self.delivery.say(target, text, markup)

    async def _answer(self, target: ChatTarget, incoming: IncomingMessage, received: float) -> None:
        async with self.queue.turn(target.chat_id, self._turn_token(target)):
            stats = TurnStats(target.request_id, received, chat_id=target.chat_id)
            try:
                await self.delivery.run(self.assistant.respond(incoming), target, stats)
            except Exception:
                log.exception("turn failed request_id=%s", target.request_id)
                with contextlib.suppress(TelegramError):
                    await self._say(target, phrase("error", self.assistant.language_of(incoming)))
            stats.done_at = time.perf_counter()
            if self.keep_stats:
                self.stats.append(stats)
