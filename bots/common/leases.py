"""Two-step delivery for the adapters: lease an update, answer it, mark it delivered.

While a turn runs its lease is renewed; if the replica dies mid-turn the lease lapses, and any replica's
take-over loop hands the stored update back to its adapter, which answers it as if it had just arrived.
Leases are renewed from a thread of their own: a busy event loop (a burst of turns) is slow, not dead, and
must not lose its leases to another replica, which would then answer the same update a second time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar

from assistant.state.claims import DELIVERY_LEASE_S, DeliveryClaims
from assistant.state.shared_texts import SharedTexts

log = logging.getLogger("shopguide.delivery")

# The delivery (a leased platform event) whose turn is running in this task: what it posts is recorded under
# this id, so a replica that takes the delivery over after this one died can remove its half-written answer.
CURRENT_DELIVERY: ContextVar[str | None] = ContextVar("current_delivery", default=None)

# How often a replica looks for deliveries whose replica died mid-turn, and how many it takes per look.
TAKE_OVER_EVERY_S = 2.0
TAKE_OVER_BATCH = 50
# Marking a delivery done is retried this long (a database restart) before the lease is left to lapse.
DELIVERED_RETRY_S = 30.0
DELIVERED_RETRY_PAUSE_S = 1.0


class LeasedDeliveries:
    """The lease side of a ``DeliveryClaims`` store for one adapter process."""

    def __init__(self, seen: DeliveryClaims, *, take_over_every_s: float = TAKE_OVER_EVERY_S) -> None:
        self.seen = seen
        self.take_over_every_s = take_over_every_s
        self.taken_over = 0
        self.lost = 0
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._renewer: threading.Thread | None = None

    def take(self, delivery_id: str, payload: str) -> bool:
        """Lease the delivery (False: another replica answers it, or it was answered) and keep it alive."""
        if not self.seen.lease(delivery_id, payload):
            return False
        with self._lock:
            self._held.add(delivery_id)
            if self._renewer is None:
                self._stopped.clear()
                self._renewer = threading.Thread(target=self._renew_held, name="lease-renewer", daemon=True)
                self._renewer.start()
        return True

    def holds(self, delivery_id: str) -> bool:
        with self._lock:
            return delivery_id in self._held

    def _renew_held(self) -> None:
        pause = getattr(self.seen, "lease_s", DELIVERY_LEASE_S) / 3
        while not self._stopped.wait(pause):
            with self._lock:
                held = list(self._held)
            if not held:
                continue
            try:
                lost = self.seen.renew(held)  # one round trip for all: hundreds are held under load
            except Exception as exc:  # the store is restarting; the leases outlive a short outage
                log.warning("delivery renew_failed leases=%d error=%s", len(held), type(exc).__name__)
                continue
            for delivery_id in lost:
                self.lost += 1
                log.warning("delivery lease_lost delivery_id=%s (another replica took it over)", delivery_id)
            with self._lock:
                self._held -= lost

    async def done(self, delivery_id: str) -> None:
        """The answer is out: stop renewing and record it, retrying while the store restarts."""
        with self._lock:
            self._held.discard(delivery_id)
        deadline = time.monotonic() + DELIVERED_RETRY_S
        while True:
            try:
                self.seen.delivered(delivery_id)
                return
            except Exception as exc:  # any store's outage: the answer is out, keep trying to say so
                if time.monotonic() > deadline:
                    log.error("delivery unrecorded delivery_id=%s error=%s", delivery_id, type(exc).__name__)
                    return
                await asyncio.sleep(DELIVERED_RETRY_PAUSE_S)

    async def take_over_lapsed(self, prefix: str, resubmit: Callable[[str, str], None]) -> None:
        """Forever: hand each lapsed, undelivered delivery under ``prefix`` to ``resubmit(id, payload)``.
        Several replicas may hand over the same one; the lease step lets exactly one of them answer it."""
        while True:
            await asyncio.sleep(self.take_over_every_s)
            try:
                lapsed = self.seen.expired(prefix, TAKE_OVER_BATCH)
            except Exception as exc:  # the store is restarting; look again next round
                log.warning("delivery take_over_failed error=%s", type(exc).__name__)
                continue
            for delivery_id, payload in lapsed:
                if self.holds(delivery_id):
                    continue  # ours and still being answered (the renewal is a moment late)
                self.taken_over += 1
                log.warning("delivery taken_over delivery_id=%s", delivery_id)
                resubmit(delivery_id, payload)

    def stop(self) -> None:
        """Stop renewing (shutdown; a test's stand-in for a replica's death)."""
        self._stopped.set()
        with self._lock:
            renewer, self._renewer = self._renewer, None
            self._held.clear()
        if renewer is not None:
            renewer.join()


async def cancel_task(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def posting_recorder(posted: SharedTexts | None, delivery_id: str | None) -> Callable[[str], None] | None:
    """With replicas, ``record(ref)`` keeps the platform ids of the messages a turn has posted so far under its
    delivery id, so the replica that takes the delivery over after this one died can delete them (None: one
    machine, or no delivery)."""
    if posted is None or delivery_id is None:
        return None
    sent: list[str] = []

    def record(ref: str) -> None:
        sent.append(ref)
        posted.put(delivery_id, json.dumps(sent))  # a Redis outage costs only this clean-up

    return record


def posted_refs(posted: SharedTexts | None, delivery_id: str) -> list[str]:
    """What ``posting_recorder`` kept for a delivery (empty: nothing, or no shared store)."""
    raw = posted.get(delivery_id) if posted is not None else None
    return [str(ref) for ref in json.loads(raw)] if raw else []
