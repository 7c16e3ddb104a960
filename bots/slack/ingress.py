"""The Slack-facing side on its own thread and event loop, so an ack never waits behind core work.

The core does synchronous CPU work between awaits (safety classifier, embeddings, fact check); on one
loop, fifty concurrent events would ack only after each other's work. Here the ingress loop verifies,
deduplicates and acks, and hands each turn to the work loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

log = logging.getLogger("shopguide.slack.ingress")

T = TypeVar("T")
STOP_TIMEOUT_S = 5.0


class IngressThread:
    def __init__(self, name: str = "slack-ingress") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()
        self.loop.close()

    def start(self) -> None:
        self._thread.start()

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the ingress loop and await its result from the caller's loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def stop(self) -> None:
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(STOP_TIMEOUT_S)


class WorkDispatcher:
    """Runs turns on the work loop, at most ``limit`` at once; queued turns cost nothing until started.

    The bound keeps a burst of events from starting fifty turns' CPU work (safety, retrieval) at once,
    which would starve the ingress thread of the GIL; turns mostly wait for the model anyway.
    """

    def __init__(self, limit: int = 4) -> None:
        self.limit = limit
        self.loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._pending: set[Future[None] | asyncio.Task[None]] = set()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    async def _bounded(self, coro: Coroutine[Any, Any, None]) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)  # created on the work loop, used only there
        async with self._slots:
            await coro

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        loop = self.loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or loop is running:
            task = asyncio.ensure_future(self._bounded(coro))
            self._pending.add(task)
            task.add_done_callback(self._done)
            return
        future = asyncio.run_coroutine_threadsafe(self._bounded(coro), loop)
        self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None] | asyncio.Task[None]) -> None:
        self._pending.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.error("slack turn crashed error=%s", type(future.exception()).__name__)

    @property
    def in_flight(self) -> int:
        """Turns running or queued."""
        return len(self._pending)
