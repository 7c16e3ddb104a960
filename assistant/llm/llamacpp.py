"""llama.cpp in-process through the prebuilt ``xllamacpp`` wheel.

``Server.handle_chat_completions`` blocks and streams through a callback, so it runs in a worker
thread and hands chunks to the event loop; a fixed system prompt lets llama.cpp reuse its KV cache.

Each system prompt (one per intent) gets its own slot when generations run one at a time: the intents share
their opening rules, so llama.cpp's own choice (the idle slot with the longest common prefix) kept reusing one
slot and prefilled each intent's task line again, and a first question of an intent paid its whole system
prompt (~160 tokens, about 1.3 s on 2 cores). ``prime`` fills the slots in the background at start.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncGenerator, Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import GenerationFailed, ModelUnavailable
from ..ports import ChatMessage

log = logging.getLogger("shopguide.llm")

QUIET = -1  # llama.cpp log verbosity: nothing on stderr
PRIME_MAX_TOKENS = 1  # priming prefills the system prompt; one token is the least a completion may ask for
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
        self,
        model_path: Path,
        *,
        threads: int,
        context: int,
        parallel: int = 1,
        port: int = 0,
        host: str = "127.0.0.1",
        pin_slots: bool = False,
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
        # system prompt -> its slot, while there are slots to give (pinning makes two generations with the same
        # system prompt wait for each other, so it is only asked for when generations run one at a time)
        self._pin_slots = pin_slots
        self._parallel = parallel
        self._slots: dict[str, int] = {}
        self._slots_lock = threading.Lock()
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
        request = json.dumps(self._request(messages, max_tokens=max_tokens, temperature=temperature, stream=True))

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

        self._start_worker(run, "llamacpp-generate")
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

    def _request(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float, stream: bool
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": stream,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "cache_prompt": True,
        }
        slot = self._slot_for(messages)
        if slot is not None:
            request["id_slot"] = slot
        return request

    def _slot_for(self, messages: Sequence[ChatMessage]) -> int | None:
        if not self._pin_slots or not messages or messages[0].role != "system":
            return None
        system = messages[0].content
        with self._slots_lock:
            slot = self._slots.get(system)
            if slot is None and len(self._slots) < self._parallel:
                slot = self._slots[system] = len(self._slots)
            return slot

    def prime(self, system_prompts: Sequence[str], *, wait: bool = False) -> None:
        """Prefill each system prompt into its slot, in a worker thread (``wait``: before returning), so the
        first question of each kind prefills only its own facts."""
        requests = [
            self._request(
                [ChatMessage("system", system), ChatMessage("user", "")],
                max_tokens=PRIME_MAX_TOKENS,
                temperature=0.0,
                stream=False,
            )
            for system in system_prompts
        ]
        requests = [r for r in requests if "id_slot" in r]
        if not requests or self._server is None:
            return

        server = self._server

        def run() -> None:
            try:
                for request in requests:
                    if self._closed.is_set():
                        break
                    server.handle_chat_completions(json.dumps(request), lambda _chunk: self._closed.is_set())
            except Exception as exc:  # a failed prime costs only the cache it would have filled
                log.warning("llama.cpp priming failed: %s", exc)

        worker = self._start_worker(run, "llamacpp-prime")
        if wait:
            worker.join()

    def _start_worker(self, target: Callable[[], None], name: str) -> threading.Thread:
        """Run ``target`` in a worker thread that ``aclose`` waits for."""

        def run() -> None:
            try:
                target()
            finally:
                with self._workers_lock:
                    self._workers.discard(threading.current_thread())

        # Not a daemon: a daemon thread inside llama.cpp when the interpreter shuts down is unwound by
        # pthread_exit through C++ code and aborts the process ("FATAL: exception not rethrown").
        worker = threading.Thread(target=run, name=name)
        with self._workers_lock:
            self._workers.add(worker)
        worker.start()
        return worker

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
