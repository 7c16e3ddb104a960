"""A loopback fake of the Telegram Bot API for driving the real python-telegram-bot in tests and benches.

It speaks the real wire format (form-encoded or JSON requests, ``{"ok": ..., "result": ...}`` answers),
queues real-shaped updates for ``getUpdates`` (honouring ``offset`` and long-poll ``timeout``), records
every call, keeps what each chat would show (sent, edited, deleted messages), and enforces the limits
Telegram enforces (4,096-character texts, 1,024-character captions, 64-byte callback data, valid HTML,
"message is not modified"). Faults can be scheduled: 429 with ``retry_after``, 400 "can't parse
entities", 409 Conflict.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .telegram_wire import (
    BOT_ID,
    BOT_USERNAME,
    LONG_POLL_CAP_S,
    MAX_CALLBACK_DATA,
    MAX_CAPTION,
    MAX_TEXT,
    UPDATE_ID_SPACE,
    WRITE_METHODS,
    Call,
    Fault,
    ShownMessage,
    TelegramApiError,
    parse_html,
    utf16_len,
)

__all__ = ["BOT_USERNAME", "WRITE_METHODS", "FakeBotApi", "ShownMessage", "parse_html", "utf16_len"]


class FakeBotApi:
    """Start with ``await fake.start()``; give PTB ``base_url=fake.base_url``."""

    def __init__(self, *, bot_id: int = BOT_ID, username: str = BOT_USERNAME) -> None:
        self.bot_id = bot_id
        self.username = username
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.messages: dict[int, dict[int, ShownMessage]] = {}
        self.chat_types: dict[int, str] = {}
        self.webhook_url = ""
        self.webhook_secret = ""
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        # Like Telegram's, update ids never restart: a new fake (a rerun of a bench on the same data dir)
        # must not hand out ids the bot already claimed as answered (it would drop them as redeliveries).
        self._update_ids = itertools.count(int(time.time() * 1000) % UPDATE_ID_SPACE)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._new_update = asyncio.Condition()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._fetched_up_to = 0
        self.delivered_at: dict[int, float] = {}  # update_id -> when getUpdates first handed it out

    # ---- server lifecycle ----------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("POST", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        async with self._new_update:
            self._new_update.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # ---- faults ----------------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        *,
        parameters: dict[str, Any] | None = None,
        when: Callable[[dict[str, Any]], bool] | None = None,
        times: int = 1,
    ) -> None:
        self.faults.append(Fault(method, status, description, parameters, when, times))

    def flood(self, method: str, retry_after: int, *, when: Callable[[dict[str, Any]], bool] | None = None) -> None:
        self.fail_next(
            method,
            429,
            f"Too Many Requests: retry after {retry_after}",
            parameters={"retry_after": retry_after},
            when=when,
        )

    def conflict(self, times: int = 1000) -> None:
        self.fail_next(
            "getUpdates",
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            times=times,
        )

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and (fault.when is None or fault.when(params)):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    # ---- updates (what users do) -----------------------------------------------------------------
    async def push(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **update}
        async with self._new_update:
            self.updates.append(update)
            self._new_update.notify_all()
        return update

    def user(self, user_id: int, *, language: str = "en", name: str = "Ann") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": name, "language_code": language}

    def chat(self, chat_id: int, kind: str = "private", *, forum: bool = False) -> dict[str, Any]:
        self.chat_types[chat_id] = kind
        if kind == "private":
            return {"id": chat_id, "type": "private", "first_name": "Ann"}
        chat: dict[str, Any] = {"id": chat_id, "type": kind, "title": "Shoppers"}
        if forum:
            chat["is_forum"] = True
        return chat

    def message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        kind: str = "private",
        language: str = "en",
        thread_id: int | None = None,
        reply_to: ShownMessage | None = None,
    ) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, kind, forum=thread_id is not None),
            "from": self.user(user_id, language=language),
            "text": text,
        }
        entities = []
        for match in re.finditer(r"(?<!\S)/[a-z_]+(?:@\w+)?", text):
            if match.start() == 0:
                entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(match.group())})
        for match in re.finditer(r"@\w+", text):
            if not (entities and match.start() < entities[0]["length"]):
                offset = utf16_len(text[: match.start()])
                entities.append({"type": "mention", "offset": offset, "length": utf16_len(match.group())})
        if entities:
            msg["entities"] = entities
        if thread_id is not None:
            msg["message_thread_id"] = thread_id
            msg["is_topic_message"] = True
        if reply_to is not None:
            msg["reply_to_message"] = {
                "message_id": reply_to.message_id,
                "date": int(time.time()),
                "chat": msg["chat"],
                "from": {"id": self.bot_id, "is_bot": True, "first_name": "shopguide", "username": self.username},
                "text": reply_to.text,
            }
        self.messages.setdefault(chat_id, {})[msg["message_id"]] = ShownMessage(
            chat_id, msg["message_id"], text=text, raw=text, from_bot=False, thread_id=thread_id
        )
        return msg

    async def send_text(self, chat_id: int, user_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        """A user sends a text message; returns the update."""
        return await self.push({"message": self.message(chat_id, user_id, text, **kwargs)})

    async def press(self, pressed: ShownMessage, data: str, user_id: int, *, language: str = "en") -> dict[str, Any]:
        """A user presses the inline button with ``callback_data == data`` under a bot message."""
        kind = self.chat_types.get(pressed.chat_id, "private")
        message: dict[str, Any] = {
            "message_id": pressed.message_id,
            "date": int(time.time()),
            "chat": self.chat(pressed.chat_id, kind, forum=pressed.thread_id is not None),
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "shopguide", "username": self.username},
            "text": pressed.text,
        }
        if pressed.thread_id is not None:
            message["message_thread_id"] = pressed.thread_id
            message["is_topic_message"] = True
        return await self.push(
            {
                "callback_query": {
                    "id": str(next(self._callback_ids)),
                    "from": self.user(user_id, language=language),
                    "chat_instance": f"ci{pressed.chat_id}",
                    "message": message,
                    "data": data,
                }
            }
        )

    # ---- what users see --------------------------------------------------------------------------
    def shown(self, chat_id: int, *, thread_id: int | None = None) -> list[ShownMessage]:
        """Bot messages still visible in a chat (or one forum topic), oldest first."""
        return [
            m
            for m in self.messages.get(chat_id, {}).values()
            if m.from_bot and not m.deleted and (thread_id is None or m.thread_id == thread_id)
        ]

    def texts(self, chat_id: int, **kwargs: Any) -> list[str]:
        return [m.text for m in self.shown(chat_id, **kwargs)]

    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))
        ]

    def calls_to_chat(self, chat_id: int) -> list[Call]:
        return [c for c in self.calls if str(c.params.get("chat_id")) == str(chat_id)]

    async def wait_for(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(wait(), within)

    async def wait_until_quiet(self, seconds: float = 0.3, within: float = 30.0) -> None:
        """Wait until no call arrived for ``seconds`` (the bot finished what it was doing)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            count = self._bot_calls()
            await asyncio.sleep(seconds)
            if self._bot_calls() == count and not self._pending_updates():
                return
        raise TimeoutError("the bot kept calling the API")

    def _bot_calls(self) -> int:
        return sum(1 for c in self.calls if c.method != "getUpdates")

    def _pending_updates(self) -> bool:
        """Updates queued but not yet fetched by the bot."""
        return bool(self.updates) and self._fetched_up_to < self.updates[-1]["update_id"]

    # ---- the API -------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        try:
            if request.content_type == "application/json":
                params = await request.json()
            elif request.can_read_body:
                form = await request.post()
                params = {k: v for k, v in form.items() if isinstance(v, str)}
        except ConnectionResetError:  # the client went away (shutdown mid long poll)
            return web.Response(status=499)
        params.update({k: v for k, v in request.query.items()})
        self.calls.append(Call(method, params, time.monotonic()))
        try:
            fault = self._take_fault(method, params)
            if fault is not None:
                raise TelegramApiError(fault.status, fault.description, fault.parameters)
            handler = getattr(self, "_api_" + re.sub(r"(?<!^)([A-Z])", r"_\1", method).lower(), None)
            if handler is None:
                raise TelegramApiError(404, "Not Found: method not found")
            result = await handler(params)
        except TelegramApiError as exc:
            body: dict[str, Any] = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            await self._notify()
            return web.json_response(body, status=exc.status)
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "shopguide",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_user()

    async def _api_delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self.updates.clear()
        return True

    async def _api_set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = str(params.get("url", ""))
        self.webhook_secret = str(params.get("secret_token", ""))
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self.updates.clear()
        return True

    async def _api_get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise TelegramApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        # Confirmed updates are forgotten, as Telegram does.
        self.updates = [u for u in self.updates if u["update_id"] >= offset]

        async with self._new_update:
            if not self.updates and timeout > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait(), min(timeout, LONG_POLL_CAP_S))
        batch = [u for u in self.updates if u["update_id"] >= offset][:limit]
        now = time.monotonic()
        for update in batch:
            self.delivered_at.setdefault(update["update_id"], now)
        if batch:
            self._fetched_up_to = max(self._fetched_up_to, batch[-1]["update_id"])
        return batch

    async def _api_set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if isinstance(commands, str):
            commands = json.loads(commands)
        scope = params.get("scope", "")
        scope_key = scope if isinstance(scope, str) else json.dumps(scope, sort_keys=True)
        self.commands[(scope_key, str(params.get("language_code", "")))] = commands
        return True

    async def _api_send_chat_action(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_answer_callback_query(self, params: dict[str, Any]) -> bool:
        return True

    def _check_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and len(data.encode()) > MAX_CALLBACK_DATA:
                    raise TelegramApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if data is None and not button.get("url"):
                    raise TelegramApiError(400, "Bad Request: can't parse inline keyboard button")
        return dict(markup)

    def _visible(self, raw: str, parse_mode: str | None, limit: int, what: str) -> str:
        visible = raw
        if parse_mode == "HTML":
            visible, error = parse_html(raw)
            if error:
                raise TelegramApiError(400, f"Bad Request: {error}")
        if not visible.strip():
            raise TelegramApiError(400, f"Bad Request: {what} must be non-empty")
        if utf16_len(visible) > limit:
            raise TelegramApiError(400, f"Bad Request: {what} is too long")
        return visible

    def _chat_id(self, params: dict[str, Any]) -> int:
        try:
            return int(params["chat_id"])
        except (KeyError, ValueError) as exc:
            raise TelegramApiError(400, "Bad Request: chat not found") from exc

    def _message_json(self, shown: ShownMessage, *, caption: bool = False) -> dict[str, Any]:
        kind = self.chat_types.get(shown.chat_id, "private")
        body: dict[str, Any] = {
            "message_id": shown.message_id,
            "date": int(time.time()),
            "chat": {"id": shown.chat_id, "type": kind, **({"first_name": "Ann"} if kind == "private" else {})},
            "from": self._bot_user(),
        }
        if kind != "private":
            body["chat"]["title"] = "Shoppers"
        if caption:
            body["caption"] = shown.text
            body["photo"] = [{"file_id": "ph1", "file_unique_id": "u1", "width": 320, "height": 320}]
        else:
            body["text"] = shown.text
        if shown.thread_id is not None:
            body["message_thread_id"] = shown.thread_id
            body["is_topic_message"] = True
        if shown.reply_markup:
            body["reply_markup"] = shown.reply_markup
        return body

    def _new_message(self, params: dict[str, Any], raw: str, limit: int, what: str) -> ShownMessage:
        chat_id = self._chat_id(params)
        parse_mode = params.get("parse_mode") or None
        visible = self._visible(raw, parse_mode, limit, what)
        markup = self._check_markup(params)
        thread = params.get("message_thread_id")
        reply_to = None
        if params.get("reply_parameters"):
            reply = params["reply_parameters"]
            reply = json.loads(reply) if isinstance(reply, str) else reply
            reply_to = int(reply["message_id"])
        shown = ShownMessage(
            chat_id,
            next(self._message_ids),
            text=visible,
            raw=raw,
            parse_mode=parse_mode,
            reply_markup=markup,
            thread_id=int(thread) if thread else None,
            reply_to=reply_to,
            sent_at=time.monotonic(),
        )
        self.messages.setdefault(chat_id, {})[shown.message_id] = shown
        return shown

    def _existing(self, params: dict[str, Any]) -> ShownMessage:
        chat_id = self._chat_id(params)
        message = self.messages.get(chat_id, {}).get(int(params.get("message_id", 0)))
        if message is None or message.deleted:
            raise TelegramApiError(400, "Bad Request: message to edit not found")
        return message

    async def _api_send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        shown = self._new_message(params, str(params.get("text", "")), MAX_TEXT, "message text")
        return self._message_json(shown)

    async def _api_send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        photo = str(params.get("photo", ""))
        if not photo.startswith(("http://", "https://")):
            raise TelegramApiError(400, "Bad Request: wrong remote file identifier specified")
        shown = self._new_message(params, str(params.get("caption", "")), MAX_CAPTION, "message caption")
        shown.photo = photo
        return self._message_json(shown, caption=True)

    async def _api_edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(params)
        raw = str(params.get("text", ""))
        parse_mode = params.get("parse_mode") or None
        visible = self._visible(raw, parse_mode, MAX_TEXT, "message text")
        markup = self._check_markup(params)
        if visible == message.text and markup == message.reply_markup:
            raise TelegramApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message",
            )
        message.text, message.raw, message.parse_mode, message.reply_markup = visible, raw, parse_mode, markup
        message.edits.append(time.monotonic())
        return self._message_json(message)

    async def _api_edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(params)
        message.reply_markup = self._check_markup(params)
        message.edits.append(time.monotonic())
        return self._message_json(message)

    async def _api_delete_message(self, params: dict[str, Any]) -> bool:
        message = self._existing(params)
        message.deleted = True
        return True
