"""Any OpenAI-compatible chat server (vLLM, llama.cpp server, Ollama, ``shopguide serve llm``) over HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Sequence

import httpx

from ..errors import GenerationFailed, ModelUnavailable
from ..ports import ChatMessage

CONNECT_TIMEOUT_S = 3.0
SSE_DATA = "data:"


class OpenAIGenerator:
    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout_s: float = 60.0) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S),
        )
        self._model = model

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float
    ) -> AsyncGenerator[str, None]:
        body = {
            "model": self._model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": True,
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        try:
            async with self._client.stream("POST", "/chat/completions", json=body) as response:
                if response.status_code >= httpx.codes.BAD_REQUEST:
                    detail = (await response.aread()).decode(errors="replace")[:200]
                    raise GenerationFailed(f"LLM server answered {response.status_code}: {detail}")
                async for line in response.aiter_lines():
                    if not line.startswith(SSE_DATA):
                        continue
                    payload = line[len(SSE_DATA) :].strip()
                    if payload == "[DONE]":
                        break
                    choices = json.loads(payload).get("choices") or []
                    if choices:
                        content = (choices[0].get("delta") or {}).get("content")
                        if content:
                            yield str(content)
        except httpx.ConnectError as exc:
            raise ModelUnavailable(
                f"LLM server unreachable: {exc}", hint="start it with `shopguide serve llm`"
            ) from exc
        except httpx.HTTPError as exc:
            raise GenerationFailed(f"LLM request failed: {exc}") from exc

    async def aclose(self) -> None:
        await self._client.aclose()
