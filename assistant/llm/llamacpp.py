"""llama.cpp in-process through the prebuilt ``xllamacpp`` wheel.

``Server.handle_chat_completions`` blocks and streams through a callback, so it runs in a worker
thread and hands chunks to the event loop; a fixed system prompt lets llama.cpp reuse its KV cache.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncGenerator, Sequence
from pathlib import Path
from typing import Any

from ..errors import GenerationFailed, ModelUnavailable
from ..ports import ChatMessage

QUIET = -1  # llama.cpp log verbosity: nothing on stderr
# A cancelled generation stops at its next token; this bounds a prefill still running at close.
CLOSE_JOIN_TIMEOUT_S = 30.0
_DONE = object()


def chunk_text(raw: Any) -> str | None:
    """The content delta of one OpenAI-style stream chunk, or None."""
    data = json.loads(raw) if isinstance(raw, str) else raw
    if "error" in data:
        raise GenerationFailed(f"llama.cpp error: {data['error']}")
    choices = data.get("choices") or []
    if not choices:
        return None
    delta = choices[0].get("delta") or choices[0].get("message") or {}
    content = delta.get("content")
    return str(content) if content else None


def model_name(model_path: Path) -> str:
    """``.../qwen2.5-coder-0.5b-instruct-q4.gguf`` -> ``qwen2.5-coder-0.5b-instruct-q4``."""
    return model_path.name.removesuffix(".gguf") or model_path.name


class LlamaCppGenerator:
    """The default backend. Thread-safe: llama.cpp queues requests across ``parallel`` slots."""

    name = "llamacpp"

    def __init__(
        self, model_path: Path, *, threads: int, context: int, parallel: int = 1, port: int = 0, host: str = "127.0.0.1"
    ) -> None:
        import xllamacpp as xlc

        if not model_path.is_file():
            raise ModelUnavailable(f"model file not found: {model_path}", hint="check SHOPGUIDE_MODEL_PATH")
        params = xlc.CommonParams()
        params.model.path = str(model_path)
        # The HTTP API names the model in every answer and in /v1/models: a name, never the file's path.
        self.model_name = model_name(model_path)
        params.model_alias = {self.model_name}
        params.n_ctx = context * parallel
        params.n_parallel = parallel
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.warmup = False
        params.verbosity = QUIET
        params.port = port
        params.hostnames = [host]
        try:
            self._server: Any = xlc.Server(params)
        except Exception as exc:
            raise ModelUnavailable(f"llama.cpp could not load {model_path.name}: {exc}") from exc
        self.model_path = model_path
        self._closed = threading.Event()
        self._workers: set[threading.Thread] = set()
        self._workers_lock = threading.Lock()

    @property
    def listening_address(self) -> str:
        return str(self._server.listening_address)

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float
    ) -> AsyncGenerator[str, None]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        request = json.dumps(
            {
                "messages": [{"role": m.role, "content": m.content} for m in messages],
                "stream": True,
                "max_tokens": max_tokens,
                "temperature": temperature,
                "cache_prompt": True,
            }
        )

        # Set when the consumer stops listening (timeout, disconnect): the callback then returns True,
        # which makes llama.cpp stop generating instead of burning the CPU for nobody.
        cancelled = threading.Event()

        def deliver(item: object) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the event loop is gone: nobody is listening any more
                cancelled.set()

        def on_chunk(raw: Any) -> bool:
            deliver(raw)
            return cancelled.is_set() or self._closed.is_set()

        server = self._server
        if server is None or self._closed.is_set():
            raise ModelUnavailable("the llama.cpp generator is closed")

        def run() -> None:
            try:
                server.handle_chat_completions(request, on_chunk)
            except Exception as exc:  # surfaced to the awaiting coroutine
                deliver(exc)
            finally:
                deliver(_DONE)
                with self._workers_lock:
                    self._workers.discard(threading.current_thread())

        # Not a daemon: a daemon thread inside llama.cpp when the interpreter shuts down is unwound by
        # pthread_exit through C++ code and aborts the process ("FATAL: exception not rethrown").
        worker = threading.Thread(target=run, name="llamacpp-generate")
        with self._workers_lock:
            self._workers.add(worker)
        worker.start()
        try:
            while True:
                item = await queue.get()
                if item is _DONE:
                    break
                if isinstance(item, Exception):
                    raise GenerationFailed(f"llama.cpp generation failed: {item}") from item
                text = chunk_text(item)
                if text:
                    yield text
        finally:
            cancelled.set()

    def complete_raw(self, request: dict[str, Any]) -> list[Any]:
        """Blocking OpenAI-style call (used by the HTTP server and benchmarks)."""
        out: list[Any] = []
        self._server.handle_chat_completions(json.dumps(request), out.append)
        return out

    async def aclose(self) -> None:
        """Stop every generation at its next token, wait for the workers, then free the model, all before
        the caller goes on (to interpreter shutdown, typically)."""
        self._closed.set()
        await asyncio.to_thread(self._join_workers)
        self._server = None

    def _join_workers(self) -> None:
        with self._workers_lock:
            workers = list(self._workers)
        for worker in workers:
            worker.join(CLOSE_JOIN_TIMEOUT_S)

    @property
    def running_generations(self) -> int:
        """Worker threads still inside llama.cpp (zero after ``aclose``)."""
        with self._workers_lock:
            return sum(w.is_alive() for w in self._workers)
