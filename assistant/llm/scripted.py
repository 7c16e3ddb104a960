"""A real, deterministic ``Generator`` for adapter tests and benchmarks: it streams a fixed or echoed text.

It exercises the whole pipeline (streaming, fact check, safety) without model latency; it is not a
mock of the model, it is a different, trivially small model.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence

from ..errors import GenerationFailed
from ..ports import ChatMessage

DEFAULT_CHUNK_CHARS = 8


class ScriptedGenerator:
    name = "scripted"

    def __init__(
        self,
        text: str | None = None,
        *,
        chunk_chars: int = DEFAULT_CHUNK_CHARS,
        delay_s: float = 0.0,
        fail: bool = False,
    ) -> None:
        self.text = text
        self.chunk_chars = chunk_chars
        self.delay_s = delay_s
        self.fail = fail
        self.calls: list[list[ChatMessage]] = []

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float
    ) -> AsyncGenerator[str, None]:
        self.calls.append(list(messages))
        if self.fail:
            raise GenerationFailed("scripted generator set to fail")
        text = self.text if self.text is not None else _first_fact_line(messages)
        for start in range(0, len(text), self.chunk_chars):
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            yield text[start : start + self.chunk_chars]

    async def aclose(self) -> None:
        return None


def _first_fact_line(messages: Sequence[ChatMessage]) -> str:
    """Without a script, answer with the first fact line of the prompt (always grounded)."""
    for line in messages[-1].content.splitlines():
        if line.startswith("- "):
            return line[2:]
    return messages[-1].content[:80]
