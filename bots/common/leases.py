"""Two-step delivery for the adapters: lease an update, answer it, mark it delivered.

While a turn runs its lease is renewed; if the replica dies mid-turn the lease lapses, and any replica's
take-over loop hands the stored update back to its adapter, which answers it as if it had just arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from assistant.state.claims import DELIVERY_LEASE_S, DeliveryClaims

log = logging.getLogger("shopguide.delivery")

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
        self._renewers: dict[str, asyncio.Task[None]] = {}

    def take(self, delivery_id: str, payload: str) -> bool:
        """Lease the delivery (False: another replica answers it, or it was answered) and keep it alive."""
        if not self.seen.lease(delivery_id, payload):
            return False
        self._renewers[delivery_id] = asyncio.create_task(self._keep(delivery_id))
        return True

    async def _keep(self, delivery_id: str) -> None:
        pause = getattr(self.seen, "lease_s", DELIVERY_LEASE_S) / 3
        while True:
            await asyncio.sleep(pause)
            if not self.seen.renew(delivery_id):
                log.warning("delivery lease_lost delivery_id=%s (another replica took it over)", delivery_id)
                return

    async def done(self, delivery_id: str) -> None:
        """The answer is out: stop renewing and record it, retrying while the store restarts."""
        renewer = self._renewers.pop(delivery_id, None)
        if renewer is not None:
            renewer.cancel()
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
                self.taken_over += 1
                log.warning("delivery taken_over delivery_id=%s", delivery_id)
                resubmit(delivery_id, payload)

    def stop(self) -> None:
        for renewer in self._renewers.values():
            renewer.cancel()
        self._renewers.clear()


async def cancel_task(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
