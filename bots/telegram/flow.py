"""Telegram's outgoing budgets for the shared ``WritePacer``, and the per-user incoming rate limit.

Why not python-telegram-bot's ``AIORateLimiter``: it does not retry on 429 unless ``max_retries`` is
raised, and while one request waits out a 429 it holds back every request of the bot. A flood wait
is about one chat, so the pacer holds only that chat; other shoppers keep getting answers.
"""

from __future__ import annotations

import time
from collections import deque

from bots.common.pacing import Clock, WritePacer

from .limits import CHAT_BURST, CHAT_MESSAGES_PER_SECOND, GLOBAL_MESSAGES_PER_SECOND, GROUP_MESSAGES_PER_MINUTE


class FlowControl(WritePacer):
    """Telegram's write budgets (limits.py, from the Bots FAQ): a burst then one a second per chat, twenty a
    minute per group, thirty a second for the whole bot; a 429 holds only the chat it was about."""

    def __init__(
        self,
        *,
        chat_rate: float = CHAT_MESSAGES_PER_SECOND,
        chat_burst: int = CHAT_BURST,
        group_per_minute: int = GROUP_MESSAGES_PER_MINUTE,
        global_rate: float = GLOBAL_MESSAGES_PER_SECOND,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__(
            rate_per_s=chat_rate,
            burst=chat_burst,
            group_per_minute=group_per_minute,
            global_rate=global_rate,
            clock=clock,
        )


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
