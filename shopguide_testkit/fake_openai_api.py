"""A loopback OpenAI-compatible chat server: ``POST /v1/chat/completions`` streamed as server-sent events in
the wire format llama.cpp's server and vLLM send, with a fixed time per token.

It stands in for the model tier when the bot tier is measured (``bench/bench_scale.py``) and lets the tests
drive the real ``openai`` client through refusals and outages. It answers with the first fact line of the
prompt (``- ...``), so answers stay grounded and pass the fact check.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

# Characters per streamed chunk: about one token of a small model.
CHUNK_CHARS = 4


@dataclass
class Refusal:
    status: int
    message: str
    times: int


class FakeOpenAIApi:
    """Start with ``await server.start()``; point ``openai`` at ``server.base_url``."""

    def __init__(self, *, token_delay_s: float = 0.0, model: str = "shopguide", port: int = 0) -> None:
        self.token_delay_s = token_delay_s
        self.model = model
        self.port = port
        self.requests = 0
        self.completions = 0
        self.abandoned = 0
        self.streaming = 0
        self.most_streaming = 0  # the most answers streamed at once: how much the clients let run in parallel
        self.refusals: list[Refusal] = []
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._complete)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/health", self._health)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def refuse_next(self, status: int, message: str, *, times: int = 1) -> None:
        """The next ``times`` requests get ``status`` with an OpenAI-style error body."""
        self.refusals.append(Refusal(status, message, times))

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": self.model, "object": "model"}]})

    async def _complete(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        if self.refusals:
            refusal = self.refusals[0]
            refusal.times -= 1
            if refusal.times <= 0:
                self.refusals.pop(0)
            error = {"error": {"message": refusal.message, "type": "server_error", "code": refusal.status}}
            return web.json_response(error, status=refusal.status)
        body = await request.json()
        text = answer_for(body.get("messages") or [])
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        created = int(time.time())
        self.streaming += 1
        self.most_streaming = max(self.most_streaming, self.streaming)
        try:
            for start in range(0, len(text), CHUNK_CHARS):
                if self.token_delay_s:
                    await asyncio.sleep(self.token_delay_s)
                delta = {"content": text[start : start + CHUNK_CHARS]}
                await response.write(_event(self._chunk(created, delta, None)))
            await response.write(_event(self._chunk(created, {}, "stop")))
            await response.write(b"data: [DONE]\n\n")
            await response.write_eof()
        except ConnectionError:  # the client went away mid-answer (a replica killed, a turn abandoned)
            self.abandoned += 1
            return response
        finally:
            self.streaming -= 1
        self.completions += 1
        return response

    def _chunk(self, created: int, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{self.requests}",
            "object": "chat.completion.chunk",
            "created": created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }


def _event(payload: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()


def answer_for(messages: list[dict[str, Any]]) -> str:
    """The first fact line of the last message (what the shop's facts say), else its opening words."""
    content = str(messages[-1].get("content", "")) if messages else ""
    for line in content.splitlines():
        if line.startswith("- "):
            return line[2:]
    return content[:80] or "OK."
