"""Any OpenAI-compatible chat server (vLLM, llama.cpp server, Ollama, ``shopguide serve llm``) through the
official ``openai`` client: it parses the stream, retries connection errors, 408/409/429 and 5xx with backoff
before the first token, and raises typed errors, which enter the ``ShopguideError`` tree here."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Any

import openai

from ..errors import GenerationFailed, ModelUnavailable
from ..ports import ChatMessage

CONNECT_TIMEOUT_S = 3.0
# Retries happen before anything streams (the request failed or was refused), so a retry never repeats text;
# two keep a turn within the answer timeout while a model replica restarts behind the proxy.
MAX_RETRIES = 2
# Servers without authentication still get a key: the client refuses to start without one.
NO_KEY = "unused"


class OpenAIGenerator:
    name = "openai"

    def __init__(
        self, base_url: str, model: str, api_key: str = "", timeout_s: float = 60.0, max_retries: int = MAX_RETRIES
    ) -> None:
        self._client = openai.AsyncOpenAI(
            base_url=base_url.rstrip("/"),
            api_key=api_key or NO_KEY,
            timeout=openai.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S),
            max_retries=max_retries,
        )
        self._model = model

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float
    ) -> AsyncGenerator[str, None]:
        chat: list[Any] = [{"role": m.role, "content": m.content} for m in messages]
        try:
            stream = await self._client.chat.completions.create(
                model=self._model, messages=chat, stream=True, max_tokens=max_tokens, temperature=temperature
            )
            async with stream:
                async for chunk in stream:
                    content = chunk.choices[0].delta.content if chunk.choices else None
                    if content:
                        yield content
        except openai.APITimeoutError as exc:
            raise GenerationFailed("LLM request timed out") from exc
        except openai.APIConnectionError as exc:
            raise ModelUnavailable(
                f"LLM server unreachable: {exc.message}", hint="start it with `shopguide serve llm`"
            ) from exc
        except openai.APIStatusError as exc:
            raise GenerationFailed(f"LLM server answered {exc.status_code}: {str(exc.message)[:200]}") from exc
        except openai.OpenAIError as exc:  # a malformed stream and the like
            raise GenerationFailed(f"LLM request failed: {type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        await self._client.close()
