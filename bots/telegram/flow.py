"""Outgoing pacing (per chat, per group, global) and the per-user incoming rate limit.

Why not python-telegram-bot's ``AIORateLimiter``: it does not retry on 429 unless ``max_retries`` is
raised, and while one request waits out a 429 it holds back every request of the bot. A flood wait
is about one chat, so here it holds only that chat; other shoppers keep getting answers.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .limits import CHAT_BURST, CHAT_MESSAGES_PER_SECOND, GLOBAL_MESSAGES_PER_SECOND, GROUP_MESSAGES_PER_MINUTE

Clock = Callable[[], float]


class PacedBucket:
    """A token bucket as a virtual schedule (GCRA): reserving is synchronous, so callers queue in order."""

    def __init__(self, rate_per_s: float, burst: int, clock: Clock = time.monotonic) -> None:
        self.interval = 1.0 / rate_per_s
        self.tolerance = (burst - 1) * self.interval
        self.clock = clock
        self._tat = 0.0  # theoretical arrival time of the next request

    def reserve(self, not_before: float = 0.0) -> float:
        """Book the next slot at or after ``not_before``; returns the monotonic time it may go."""
        now = max(self.clock(), not_before)
        tat = max(self._tat, now)
        allowed = max(now, tat - self.tolerance)
        self._tat = max(tat, allowed) + self.interval
        return allowed


@dataclass
class _ChatBudget:
    bucket: PacedBucket
    group: PacedBucket | None
    held_until: float = 0.0
    last_used: float = field(default_factory=time.monotonic)


class FlowControl:
    """Decides when a write to a chat may go; a 429 ``hold`` delays that chat only."""

    MAX_TRACKED_CHATS = 50_000

    def __init__(
        self,
        *,
        chat_rate: float = CHAT_MESSAGES_PER_SECOND,
        chat_burst: int = CHAT_BURST,
        group_per_minute: int = GROUP_MESSAGES_PER_MINUTE,
        global_rate: float = GLOBAL_MESSAGES_PER_SECOND,
        clock: Clock = time.monotonic,
    ) -> None:
        self.chat_rate = chat_rate
        self.chat_burst = chat_burst
        self.group_per_minute = group_per_minute
        self.clock = clock
        self._global = PacedBucket(global_rate, max(1, int(global_rate)), clock)
        self._chats: dict[int, _ChatBudget] = {}

    def _budget(self, chat_id: int, is_group: bool) -> _ChatBudget:
        budget = self._chats.get(chat_id)
        if budget is None:
            if len(self._chats) >= self.MAX_TRACKED_CHATS:
                self._forget_idle()
            group = PacedBucket(self.group_per_minute / 60.0, self.group_per_minute, self.clock) if is_group else None
            budget = _ChatBudget(PacedBucket(self.chat_rate, self.chat_burst, self.clock), group)
            self._chats[chat_id] = budget
        budget.last_used = self.clock()
        return budget

    def _forget_idle(self) -> None:
        cutoff = self.clock() - 120.0
        for chat_id in [c for c, b in self._chats.items() if b.last_used < cutoff]:
            del self._chats[chat_id]

    def reserve(self, chat_id: int, *, is_group: bool = False) -> float:
        """Seconds this chat must wait before its next write (the slot is booked now)."""
        budget = self._budget(chat_id, is_group)
        at = budget.bucket.reserve(budget.held_until)
        if budget.group is not None:
            at = max(at, budget.group.reserve(at))
        return max(0.0, at - self.clock())

    async def acquire(self, chat_id: int, *, is_group: bool = False) -> float:
        """Wait for the chat's slot, then for a global slot (booked only when the chat may go, so a
        chat held by a 429 never books global capacity ahead and slows everyone else)."""
        wait = self.reserve(chat_id, is_group=is_group)
        if wait > 0:
            await asyncio.sleep(wait)
        global_wait = max(0.0, self._global.reserve() - self.clock())
        if global_wait > 0:
            await asyncio.sleep(global_wait)
        return wait + global_wait

    def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram said 429 for this chat: nothing more goes to it for ``seconds``."""
        budget = self._budget(chat_id, False)
        budget.held_until = max(budget.held_until, self.clock() + seconds)


class UserRateLimiter:
    """Sliding window of incoming messages per user; tells when to refuse and when to say so (once)."""

    MAX_TRACKED_USERS = 100_000

    def __init__(self, per_minute: int, *, window_s: float = 60.0, clock: Clock = time.monotonic) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._warned_until: dict[str, float] = {}

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, seen in self._seen.items() if not seen or seen[-1] <= now - self.window_s]
        for key in idle:
            del self._seen[key]
            self._warned_until.pop(key, None)

    def check(self, user_key: str) -> tuple[bool, float, bool]:
        """(allowed, seconds until allowed again, whether to tell the user now)."""
        if self.per_minute <= 0:
            return True, 0.0, False
        now = self.clock()
        if len(self._seen) > self.MAX_TRACKED_USERS:
            self._forget_idle(now)
        seen = self._seen.setdefault(user_key, deque())
        while seen and seen[0] <= now - self.window_s:
            seen.popleft()
        if len(seen) < self.per_minute:
            seen.append(now)
            return True, 0.0, False
        retry_in = seen[0] + self.window_s - now
        tell = self._warned_until.get(user_key, 0.0) <= now
        if tell:
            # One friendly notice per blocked stretch; repeating it would be flooding the user back.
            self._warned_until[user_key] = now + retry_in
        return False, retry_in, tell
