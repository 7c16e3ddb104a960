"""A loopback fake of the Slack Web API (and slash-command ``response_url``s) for the real slack-sdk client.

It speaks the wire format slack-sdk sends (form or JSON bodies on ``POST /api/<method>``), keeps the
messages a channel would show, records every call, and can answer ``ratelimited`` with HTTP 429 and
``Retry-After`` like Slack does.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"


@dataclass
class ApiCall:
    method: str
    args: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class FakeMessage:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    streaming: bool = False
    edits: int = 0


class FakeSlackApi:
    def __init__(self, *, native_streaming: bool = False, usergroups: dict[str, list[str]] | None = None) -> None:
        self.native_streaming = native_streaming
        self.usergroups = usergroups or {}
        self.calls: list[ApiCall] = []
        self.messages: dict[str, FakeMessage] = {}
        self.responses: list[dict[str, Any]] = []  # bodies posted to response_url
        self._rate_limits: dict[str, list[float]] = {}
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.changed = asyncio.Event()
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_acks: list[dict[str, Any]] = []

    # ---- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack-sdk sends some read methods as GET
        app.router.add_post("/response/{rid}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, rid: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{rid}"

    # ---- test controls ------------------------------------------------------------------------
    def rate_limit(self, method: str, *, times: int = 1, retry_after: float = 1) -> None:
        """The next ``times`` calls of ``method`` get HTTP 429 ``ratelimited`` with ``Retry-After``."""
        self._rate_limits.setdefault(method, []).extend([retry_after] * times)

    def calls_of(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    def thread(self, channel: str, thread_ts: str) -> list[FakeMessage]:
        return sorted(
            (m for m in self.messages.values() if m.channel == channel and m.thread_ts == thread_ts),
            key=lambda m: float(m.ts),
        )

    def channel_roots(self, channel: str) -> list[FakeMessage]:
        return [m for m in self.messages.values() if m.channel == channel and m.thread_ts is None]

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("fake Slack: condition not met in time")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.2))

    # ---- Socket Mode ----------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        self.changed.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.socket_acks.append({**json.loads(message.data), "at": time.monotonic()})
                self.changed.set()
        return ws

    async def push_envelope(self, envelope: dict[str, Any]) -> float:
        """Send an envelope to the connected app, as Slack does; returns the send time."""
        sent = time.monotonic()
        await self.sockets[-1].send_json(envelope)
        return sent

    # ---- wire format --------------------------------------------------------------------------
    async def _args(self, request: web.Request) -> dict[str, Any]:
        if request.method == "GET":
            args: dict[str, Any] = dict(request.query)
        elif request.content_type == "application/json":
            data = await request.json()
            args = dict(data) if isinstance(data, dict) else {}
        else:
            args = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        if request.method != "GET":
            # slack-sdk sends some methods' arguments (chat.delete) as query parameters of the POST, as Slack allows.
            args = dict(request.query) | args
        for key in ("blocks", "chunks"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    def _new_ts(self) -> str:
        n = next(self._ts)
        return f"{1_700_000_000 + n}.{n:06d}"

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append({"rid": request.match_info["rid"], **body})
        self.changed.set()
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        queue = self._rate_limits.get(method)
        if queue:
            retry_after = queue.pop(0)
            self.calls.append(ApiCall(method, args, time.monotonic(), status=429))
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(int(retry_after))}
            )
        self.calls.append(ApiCall(method, args, time.monotonic()))
        try:
            result = self._handle(method, args)
        finally:
            self.changed.set()
        return web.json_response(result)

    def _handle(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "team_id": TEAM_ID, "user": "shopguide"}
        if method == "chat.postMessage":
            channel = str(args["channel"])
            ts = self._new_ts()
            message = FakeMessage(channel, ts, str(args.get("text", "")), list(args.get("blocks") or []))
            message.thread_ts = args.get("thread_ts") or None
            self.messages[ts] = message
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": message.text, "ts": ts}}
        if method == "chat.update":
            message = self.messages.get(str(args["ts"]))
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            message.text = str(args.get("text", message.text))
            if "blocks" in args:
                message.blocks = list(args.get("blocks") or [])
            message.edits += 1
            return {"ok": True, "channel": message.channel, "ts": message.ts}
        if method == "chat.delete":
            message = self.messages.pop(str(args["ts"]), None)
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            return {"ok": True, "channel": message.channel, "ts": message.ts}
        if method in ("chat.startStream", "chat.appendStream", "chat.stopStream"):
            return self._stream(method, args)
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "usergroups.users.list":
            return {"ok": True, "users": self.usergroups.get(str(args.get("usergroup")), [])}
        return {"ok": False, "error": "unknown_method"}

    def _stream(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if not self.native_streaming:
            return {"ok": False, "error": "unknown_method"}
        if method == "chat.startStream":
            ts = self._new_ts()
            message = FakeMessage(str(args["channel"]), ts, str(args.get("markdown_text", "")), streaming=True)
            message.thread_ts = str(args["thread_ts"])
            self.messages[ts] = message
            return {"ok": True, "channel": message.channel, "ts": ts}
        message = self.messages[str(args["ts"])]
        if not message.streaming:
            return {"ok": False, "error": "message_not_in_streaming_state"}
        text = str(args.get("markdown_text") or "")
        for chunk in args.get("chunks") or []:
            if chunk.get("type") == "markdown_text":
                text += str(chunk.get("text", ""))
        message.text += text
        if method == "chat.stopStream":
            message.streaming = False
            message.blocks = list(args.get("blocks") or [])
        return {"ok": True, "channel": message.channel, "ts": message.ts}


class FakeTelegramApi:
    """Just enough of the Bot API for relaying staff replies: ``getMe`` and ``sendMessage``."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.sent: list[dict[str, Any]] = []
        self.sent_at: list[float] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.changed = asyncio.Event()

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._method)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{self.port}/bot"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        if request.content_type == "application/json":
            args = await request.json()
        else:
            args = dict(await request.post())
        if method == "getMe":
            return web.json_response(
                {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "shopguide", "username": "sg_bot"}}
            )
        if method == "sendMessage":
            self.sent.append(dict(args))
            self.sent_at.append(time.monotonic())
            self.changed.set()
            chat_id = int(args["chat_id"])
            return web.json_response(
                {
                    "ok": True,
                    "result": {
                        "message_id": len(self.sent),
                        "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"},
                        "text": args.get("text", ""),
                    },
                }
            )
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
