"""One write pacer for every platform: per chat (or channel), per group and global budgets, and back-off.

Adapters map their platform's back-pressure (Telegram's ``RetryAfter``, Slack's HTTP 429) to
``RateLimited(retry_after)`` where the error enters; the pacer holds that one chat for ``retry_after``
and tries the same write again, so other chats keep getting answers while one waits.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from assistant.errors import RateLimited

log = logging.getLogger("shopguide.bots.pacing")

Clock = Callable[[], float]
T = TypeVar("T")
PaceKey = str | int  # a chat or channel id, as the platform spells it
# After this many RateLimited in a row for one write, the write gives up and RateLimited propagates.
MAX_RATE_LIMITED_RETRIES = 5
# Budgets of chats idle this long are forgotten once the pacer tracks too many chats.
IDLE_FORGET_S = 120.0


class PacedBucket:
    """A token bucket as a virtual schedule (GCRA): reserving is synchronous, so callers queue in order."""

    def __init__(self, rate_per_s: float, burst: int, clock: Clock = time.monotonic) -> None:
        self.interval = 1.0 / rate_per_s
        self.tolerance = (burst - 1) * self.interval
        self.clock = clock
        self._tat = 0.0  # theoretical arrival time of the next request

    def free_at(self) -> float:
        """The earliest time a write would be allowed (without booking it)."""
        return self._tat - self.tolerance

    def reserve(self, not_before: float = 0.0) -> float:
        """Book the next slot at or after ``not_before``; returns the monotonic time it may go."""
        now = max(self.clock(), not_before)
        tat = max(self._tat, now)
        allowed = max(now, tat - self.tolerance)
        self._tat = max(tat, allowed) + self.interval
        return allowed


@dataclass
class _Budget:
    bucket: PacedBucket
    group: PacedBucket | None
    held_until: float = 0.0
    last_used: float = field(default_factory=time.monotonic)


class WritePacer:
    """Decides when a write to a chat may go; ``hold`` (a ``RateLimited``) delays that chat only.

    ``rate_per_s`` and ``burst`` budget each chat; ``group_per_minute`` adds a budget for group chats;
    ``global_rate`` caps all writes together (booked only once the chat may go, so a held chat never
    books global capacity ahead and slows everyone else).
    """

    MAX_TRACKED = 50_000

    def __init__(
        self,
        *,
        rate_per_s: float,
        burst: int = 1,
        group_per_minute: int | None = None,
        global_rate: float | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.rate_per_s = rate_per_s
        self.burst = burst
        self.group_per_minute = group_per_minute
        self.clock = clock
        self.rate_limited = 0  # RateLimited answers waited out (for benches and logs)
        self._global = PacedBucket(global_rate, max(1, int(global_rate)), clock) if global_rate else None
        self._budgets: dict[PaceKey, _Budget] = {}

    def _budget(self, key: PaceKey, is_group: bool) -> _Budget:
        budget = self._budgets.get(key)
        if budget is None:
            if len(self._budgets) >= self.MAX_TRACKED:
                self._forget_idle()
            group = None
            if is_group and self.group_per_minute:
                group = PacedBucket(self.group_per_minute / 60.0, self.group_per_minute, self.clock)
            budget = _Budget(PacedBucket(self.rate_per_s, self.burst, self.clock), group)
            self._budgets[key] = budget
        budget.last_used = self.clock()
        return budget

    def _forget_idle(self) -> None:
        cutoff = self.clock() - IDLE_FORGET_S
        for key in [k for k, b in self._budgets.items() if b.last_used < cutoff]:
            del self._budgets[key]

    def reserve(self, key: PaceKey, *, is_group: bool = False) -> float:
        """Seconds this chat must wait before its next write (the slot is booked now)."""
        budget = self._budget(key, is_group)
        at = budget.bucket.reserve(budget.held_until)
        if budget.group is not None:
            at = max(at, budget.group.reserve(at))
        return max(0.0, at - self.clock())

    def try_acquire(self, key: PaceKey) -> bool:
        """Book a slot only if one is free right now (for writes a later write makes redundant)."""
        budget = self._budget(key, False)
        now = self.clock()
        if budget.held_until > now or budget.bucket.free_at() > now:
            return False
        budget.bucket.reserve()
        return True

    async def acquire(self, key: PaceKey, *, is_group: bool = False) -> float:
        """Wait for the chat's slot, then for a global slot; returns the seconds waited."""
        wait = self.reserve(key, is_group=is_group)
        if wait > 0:
            await asyncio.sleep(wait)
        global_wait = 0.0
        if self._global is not None:
            global_wait = max(0.0, self._global.reserve() - self.clock())
            if global_wait > 0:
                await asyncio.sleep(global_wait)
        return wait + global_wait

    def hold(self, key: PaceKey, seconds: float) -> None:
        """The platform said "slow down" for this chat: nothing more goes to it for ``seconds``."""
        budget = self._budget(key, False)
        budget.held_until = max(budget.held_until, self.clock() + seconds)

    async def write(
        self,
        key: PaceKey,
        call: Callable[[], Awaitable[T]],
        *,
        is_group: bool = False,
        max_retries: int = MAX_RATE_LIMITED_RETRIES,
        request_id: str = "-",
    ) -> T:
        """Run ``call`` in the chat's next slot; on ``RateLimited`` hold the chat and run it again.

        The write did not happen when the platform answered "slow down", so repeating it is safe. After
        ``max_retries`` the ``RateLimited`` propagates to the caller.
        """
        attempts = 0
        while True:
            await self.acquire(key, is_group=is_group)
            try:
                return await call()
            except RateLimited as exc:
                attempts += 1
                self.rate_limited += 1
                log.warning(
                    "rate limited request_id=%s retry_after=%.1f attempt=%d", request_id, exc.retry_after, attempts
                )
                if attempts > max_retries:
                    raise
                self.hold(key, exc.retry_after)
