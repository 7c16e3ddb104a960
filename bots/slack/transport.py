"""How Slack reaches the bot: the HTTP Events API (signature checked on the raw body) or Socket Mode.

Both are served from the ingress thread (``bots.slack.ingress``), so an ack never waits behind core work.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest

from assistant.errors import ConfigError

from .ingress import IngressThread, WorkDispatcher

log = logging.getLogger("shopguide.slack")

EVENTS_PATH = "/slack/events"
# "Verifying requests from Slack": refuse a request timestamp more than five minutes from local time.
SIGNATURE_MAX_AGE_S = 5 * 60


class SlackTransport:
    """Serves one bolt app over HTTP or Socket Mode; turns go to ``work`` (the loop that runs the core)."""

    def __init__(self, app: AsyncApp, signing_secret: str, work: WorkDispatcher) -> None:
        self.app = app
        self.work = work
        self.http_port = 0
        self._signing_secret = signing_secret.encode()
        self._ingress = IngressThread()
        self._runner: web.AppRunner | None = None
        self._socket: Any = None

    def web_app(self) -> web.Application:
        """The HTTP endpoint (events, commands and actions on one path), verified by the signing secret.

        The signature is checked on the raw body before anything parses it (bolt parses first, so a
        malformed unsigned body cost a 500 and an ERROR traceback): unsigned 401, unparsable 400.
        """
        application = web.Application()
        application.router.add_post(EVENTS_PATH, self._http_request)
        return application

    def _signed(self, raw: bytes, timestamp: str, signature: str) -> bool:
        """Slack's v0 signature over the raw bytes with a fresh timestamp; missing or garbled headers fail.

        Computed on bytes (slack-sdk's verifier decodes the body first, and a non-UTF-8 body made it raise).
        """
        if not self._signing_secret or not timestamp.isdigit() or not signature:
            return False
        if abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE_S:
            return False
        base = b"v0:" + timestamp.encode() + b":" + raw
        expected = "v0=" + hmac.new(self._signing_secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)

    async def _http_request(self, request: web.Request) -> web.Response:
        raw = await request.read()
        headers = request.headers
        if not self._signed(raw, headers.get("X-Slack-Request-Timestamp", ""), headers.get("X-Slack-Signature", "")):
            log.info("slack request refused status=401 reason=bad_signature bytes=%d", len(raw))
            return web.Response(status=401, text="invalid signature")
        try:
            body = raw.decode("utf-8")
            bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=dict(headers))
            valid = isinstance(bolt_request.body, dict)
        # Untrusted input at the edge: bad JSON (a ValueError), or JSON that is not an object, which bolt's
        # context extraction trips over (AttributeError, TypeError, KeyError).
        except (ValueError, AttributeError, TypeError, KeyError) as exc:
            log.info("slack request refused status=400 reason=%s bytes=%d", type(exc).__name__, len(raw))
            return web.Response(status=400, text="malformed body")
        if not valid:
            log.info("slack request refused status=400 reason=not_an_object bytes=%d", len(raw))
            return web.Response(status=400, text="malformed body")
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    def redispatch(self, body: str) -> None:
        """An event another replica leased and died answering: through bolt again, as if just received (the
        lease middleware decides which replica answers it). It was verified when it arrived; it is signed
        again here because bolt verifies every HTTP request."""
        headers: dict[str, str | Sequence[str]] = {"content-type": "application/json"}
        if self._signing_secret:
            timestamp = str(int(time.time()))
            base = b"v0:" + timestamp.encode() + b":" + body.encode()
            signature = "v0=" + hmac.new(self._signing_secret, base, hashlib.sha256).hexdigest()
            headers |= {"x-slack-request-timestamp": timestamp, "x-slack-signature": signature}
        request = AsyncBoltRequest(body=body, headers=headers)
        asyncio.run_coroutine_threadsafe(self.app.async_dispatch(request), self._ingress.loop)

    async def start_http(self, host: str, port: int) -> None:
        """Serve on ``host:port`` from the ingress thread (port 0 picks a free one, see ``http_port``)."""
        if not self._signing_secret:
            # Without it anyone who can reach the port could post fake events as any user.
            raise ConfigError("HTTP mode needs the Slack signing secret", hint="set SHOPGUIDE_SLACK_SIGNING_SECRET")
        self.work.bind(asyncio.get_running_loop())
        self._ingress.start()
        self._runner = await self._ingress.call(self._serve_http(host, port))

    async def _serve_http(self, host: str, port: int) -> web.AppRunner:
        runner = web.AppRunner(self.web_app())
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self.http_port = int(sockets[0].getsockname()[1]) if sockets else port
        return runner

    async def start_socket_mode(self, app_token: str) -> None:
        """Connect over Socket Mode (no public endpoint); Slack's envelopes are acked from the ingress thread."""
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        self.work.bind(asyncio.get_running_loop())
        self._ingress.start()

        async def connect() -> AsyncSocketModeHandler:
            handler = AsyncSocketModeHandler(self.app, app_token)
            await handler.connect_async()  # type: ignore[no-untyped-call]
            return handler

        self._socket = await self._ingress.call(connect())

    async def aclose(self) -> None:
        if self._runner is not None:
            await self._ingress.call(self._runner.cleanup())
            self._runner = None
        if self._socket is not None:
            await self._ingress.call(self._socket.close_async())
            self._socket = None
        self._ingress.stop()
