"""Coordination between replicas: each chat's turns in arrival order, shared rate limits, and one Telegram
poller at a time. In-process implementations are the one-machine default; Redis ones are shared."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

import redis
import redis.asyncio as aioredis
from limits import RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger("shopguide.coordination")

# A turn's place in its chat's queue is kept alive by its replica; a replica killed mid-turn stops renewing
# and the chat moves on after this long (a model answer takes seconds, so 30 s never cuts a live turn).
TURN_LEASE_S = 30.0
# A waiting turn wakes when the turn before it ends (a push to its wake list) or after this, to check leases.
TURN_POLL_S = 0.25
# While Redis restarts a turn retries this often, for up to this long, then runs unordered.
OUTAGE_RETRY_S = 0.25
OUTAGE_WAIT_S = 15.0
# A turn that lost its place (Redis restarted empty) queues again by its number, then waits this long before
# it may run, so the chat's earlier turns, which come back from the outage at nearly the same moment, take
# their places ahead of it.
REQUEUE_SETTLE_S = 2.0
# Update numbers this replica remembers for turns that have not run yet (oldest forgotten first).
NUMBERS_KEPT = 10_000
# Stopping a renewal waits this long at most for its task to end (see Renewal).
RENEWAL_STOP_WAIT_S = 1.0
# What a place's lease key holds: reserved at ingress, or taken by a running or waiting turn.
RESERVATION_HOLDER = "reserved"
TURN_HOLDER = "turn"  # as the scripts below spell it
# Queues of chats nobody writes to any more expire on their own.
QUEUE_EXPIRY_S = 24 * 3600
# The Telegram poller renews its lock every third of this; a second replica takes over after it.
LEADER_LEASE_S = 15.0


class TurnOrder(Protocol):
    """One turn at a time per conversation, in arrival order."""

    def turn(self, key: str | int, token: str | None = None) -> contextlib.AbstractAsyncContextManager[None]:
        """``token`` names the turn (a delivery id): a turn taken over from a dead replica with the same token
        resumes its place in the chat's queue instead of going to the back."""
        ...

    async def reserve(self, key: str | int, token: str, order: int) -> bool:
        """Take the turn's place in its chat's queue now, before the platform is told the message arrived;
        ``turn(key, token)`` later runs in that place. Places are kept in ``order`` (the platform's update
        number) among turns still waiting. False: nothing was reserved (already queued, or no shared queue)."""
        ...

    async def unreserve(self, key: str | int, token: str) -> None:
        """Give a reserved place back (the update turned out not to be a turn: a duplicate, not for us)."""
        ...


class LocalTurnOrder:
    """In-process FIFO per conversation (asyncio locks queue their waiters in order)."""

    def __init__(self) -> None:
        self._locks: dict[str | int, asyncio.Lock] = {}
        self._users: dict[str | int, int] = {}

    @contextlib.asynccontextmanager
    async def turn(self, key: str | int, token: str | None = None) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]

    async def reserve(self, key: str | int, token: str, order: int) -> bool:
        return False  # one process: updates reach the handlers in the order they arrived

    async def unreserve(self, key: str | int, token: str) -> None:
        return None


# Head of the queue is ours: 1 (and our number is dropped: a running turn is never overtaken). A dead
# replica's token at the head (its lease expired) is dropped and the next looked at. Our own token gone (our
# lease lapsed while the loop stalled, or Redis restarted empty): -1, so we queue again.
_TRY_ACQUIRE = """
local queue, numbers, me, lease_prefix = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
while true do
  local head = redis.call('LINDEX', queue, 0)
  if not head then return -1 end
  if head == me then
    redis.call('HDEL', numbers, me)
    return 1
  end
  if redis.call('EXISTS', lease_prefix .. head) == 0 then
    redis.call('LPOP', queue)
  else
    if redis.call('LPOS', queue, me) == false then return -1 end
    return 0
  end
end
"""
# Leave the queue and wake the next turn.
_RELEASE = """
local queue, numbers, me, lease_prefix, wake_prefix = KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3]
if redis.call('LINDEX', queue, 0) == me then redis.call('LPOP', queue) else redis.call('LREM', queue, 1, me) end
redis.call('HDEL', numbers, me)
redis.call('DEL', lease_prefix .. me)
local next = redis.call('LINDEX', queue, 0)
if next then
  redis.call('RPUSH', wake_prefix .. next, 1)
  redis.call('PEXPIRE', wake_prefix .. next, 60000)
end
return 1
"""
# Give back a reserved place no turn came for (not for the bot, a duplicate). A place a turn took (its lease
# says 'turn') stays: the update's turn runs on another replica, which the platform redelivered it to.
_UNRESERVE = (
    """
if redis.call('GET', ARGV[2] .. ARGV[1]) == 'turn' then return 0 end
"""
    + _RELEASE
)
# Take a lease and join the queue's tail, unless a turn of that name is queued already (a reserved place, or a
# dead replica's turn being taken over): then keep its place.
_ENQUEUE = """
redis.call('SET', KEYS[2], 'turn', 'PX', ARGV[2])
if redis.call('LPOS', KEYS[1], ARGV[1]) == false then redis.call('RPUSH', KEYS[1], ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""
# Reserve a place for a turn that has not started yet: unless it is queued already (then the place belongs to
# whoever queued it), take a lease and join the queue, ahead of waiting turns with a higher update number (a
# message delivered late by the platform keeps its place). A turn without a number (running, or queued
# without one) is never overtaken.
_RESERVE = """
local queue, lease, numbers = KEYS[1], KEYS[2], KEYS[3]
local me, lease_ms, expiry_ms, n, holder = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
if redis.call('LPOS', queue, me) then
  if holder == 'turn' then redis.call('SET', lease, holder, 'PX', lease_ms) end
  return 0
end
redis.call('SET', lease, holder, 'PX', lease_ms)
local before = false
local i = redis.call('LLEN', queue) - 1
while i >= 0 do
  local other = redis.call('LINDEX', queue, i)
  local m = tonumber(redis.call('HGET', numbers, other))
  if m == nil or m < n then break end
  before = other
  i = i - 1
end
if before then redis.call('LINSERT', queue, 'BEFORE', before, me) else redis.call('RPUSH', queue, me) end
redis.call('HSET', numbers, me, n)
redis.call('PEXPIRE', queue, expiry_ms)
redis.call('PEXPIRE', numbers, expiry_ms)
return 1
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class Renewal:
    """Runs ``renew()`` every ``every_s`` until :meth:`stop`. A cancellation that lands inside a redis-py
    command can be swallowed by the client (the task then goes on, "cancelling" for ever: bench_scale found
    turns that had answered still holding their chat's place minutes later, renewing it), so the loop ends on
    a flag, and stopping never waits on the task for long."""

    def __init__(self, renew: Callable[[], Awaitable[object]], every_s: float) -> None:
        self._stopped = False
        self._task = asyncio.create_task(self._run(renew, every_s))

    async def _run(self, renew: Callable[[], Awaitable[object]], every_s: float) -> None:
        while not self._stopped:
            await asyncio.sleep(every_s)
            if not self._stopped:
                await renew()

    @property
    def running(self) -> bool:
        return not self._task.done()

    async def stop(self) -> None:
        self._stopped = True
        self._task.cancel()
        await asyncio.wait({self._task}, timeout=RENEWAL_STOP_WAIT_S)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisTurnOrder:
    """Per-conversation FIFO shared by replicas: a Redis list per chat holds the turns in arrival order; the
    head runs. Every queued turn keeps a lease key alive, so a killed replica's turns drop out after the lease
    and the chat goes on instead of stalling."""

    def __init__(
        self,
        url: str,
        prefix: str,
        *,
        lease_s: float = TURN_LEASE_S,
        poll_s: float = TURN_POLL_S,
        outage_wait_s: float = OUTAGE_WAIT_S,
    ) -> None:
        self._url = url
        self.outage_wait_s = outage_wait_s
        self._prefix = f"{prefix}:turns"
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.requeue_settle_s = REQUEUE_SETTLE_S
        self._client: aioredis.Redis | None = None
        self._arrivals: asyncio.Lock | None = None
        self._numbers: dict[str, int] = {}  # reserved turns of this replica: their place if Redis forgets it

    def _redis(self) -> aioredis.Redis:
        # Created on first use, so on the loop that runs the turns.
        if self._client is None:
            self._client = aioredis.Redis.from_url(self._url)
        return self._client

    @contextlib.asynccontextmanager
    async def turn(self, key: str | int, token: str | None = None) -> AsyncIterator[None]:
        client = self._redis()
        token = token or uuid.uuid4().hex
        queue = f"{self._prefix}:q:{key}"
        lease_prefix, wake_prefix = f"{self._prefix}:lease:", f"{self._prefix}:wake:"
        lease_ms = int(self.lease_s * 1000)
        renewer: Renewal | None = None
        waited_out: float | None = None  # counted from the first failure of an outage, not from when the turn queued
        requeue = False
        while True:
            try:
                if requeue:
                    await self._requeue(client, key, token, lease_prefix + token, lease_ms)
                elif token in self._numbers:
                    # Its number is known here (this replica's ingress saw the update, maybe as a redelivery):
                    # the turn takes its place by it, also when the place reserved for it was given back.
                    await self._reserve(client, key, token, self._numbers[token], holder=TURN_HOLDER)
                else:
                    await self._enqueue(client, queue, token, lease_prefix + token, lease_ms)
                waited_out = None  # Redis answers again: a later outage gets its own wait
                renew = functools.partial(self._renew, client, lease_prefix + token, lease_ms)
                renewer = Renewal(renew, self.lease_s / 3)
                await self._wait_for_head(
                    client,
                    key=key,
                    queue=queue,
                    token=token,
                    lease_prefix=lease_prefix,
                    wake_prefix=wake_prefix,
                    lease_ms=lease_ms,
                )
                break
            except redis.RedisError as exc:
                if renewer is not None:
                    await renewer.stop()
                    renewer = None
                waited_out = waited_out or time.monotonic() + self.outage_wait_s
                requeue = True
                if time.monotonic() > waited_out:
                    # Answering out of order beats not answering while Redis stays down.
                    log.error("turn unordered key=%s error=%s (redis down)", key, type(exc).__name__)
                    break
                log.warning("turn redis_unavailable key=%s error=%s (retrying)", key, type(exc).__name__)
                await asyncio.sleep(OUTAGE_RETRY_S)
        try:
            yield
        finally:
            self._numbers.pop(token, None)
            if renewer is not None:
                await renewer.stop()
            try:
                await client.eval(_RELEASE, 2, queue, f"{self._prefix}:n:{key}", token, lease_prefix, wake_prefix)
                await client.delete(wake_prefix + token)
            except redis.RedisError as exc:  # the lease expires on its own; the next turn waits at most that
                log.warning("turn release_failed key=%s error=%s", key, type(exc).__name__)

    async def _wait_for_head(
        self,
        client: aioredis.Redis,
        *,
        key: str | int,
        queue: str,
        token: str,
        lease_prefix: str,
        wake_prefix: str,
        lease_ms: int,
    ) -> None:
        report_at = time.monotonic() + self.lease_s
        while True:
            got = await client.eval(_TRY_ACQUIRE, 2, queue, f"{self._prefix}:n:{key}", token, lease_prefix)
            if got == 1:
                return
            if time.monotonic() > report_at:  # a chat held up this long is worth a line in the log
                report_at = time.monotonic() + self.lease_s
                head = await client.lindex(queue, 0)
                head_ttl = await client.pttl(lease_prefix + _text(head)) if head else None
                log.warning(
                    "turn still_waiting key=%s place=%s head=%s head_lease_ms=%s",
                    key,
                    await client.lpos(queue, token),
                    _text(head) if head else None,
                    head_ttl,
                )
            if got == -1:
                log.warning("turn requeued key=%s (place lost)", key)
                await self._requeue(client, key, token, lease_prefix + token, lease_ms)
                continue
            await client.blpop([wake_prefix + token], timeout=self.poll_s)

    async def _requeue(self, client: aioredis.Redis, key: str | int, token: str, lease_key: str, lease_ms: int) -> None:
        """Back into a queue that lost this turn: by its number when it has one, then a pause for the chat's
        earlier turns to do the same, so a Redis restart does not let a later message overtake."""
        number = self._numbers.get(token)
        if number is None:
            await self._enqueue(client, f"{self._prefix}:q:{key}", token, lease_key, lease_ms)
            return
        await self._reserve(client, key, token, number, holder=TURN_HOLDER)
        await asyncio.sleep(self.requeue_settle_s)

    async def _enqueue(self, client: aioredis.Redis, queue: str, token: str, lease_key: str, lease_ms: int) -> None:
        # Two turns of this replica would race to Redis on two pooled connections and could swap places;
        # a FIFO lock sends them in the order they arrived here.
        self._arrivals = self._arrivals or asyncio.Lock()
        async with self._arrivals:
            await client.eval(_ENQUEUE, 2, queue, lease_key, token, lease_ms, int(QUEUE_EXPIRY_S * 1000))

    async def reserve(self, key: str | int, token: str, order: int) -> bool:
        self._numbers[token] = order
        if len(self._numbers) > NUMBERS_KEPT:  # redeliveries that never become a turn here are not kept for ever
            self._numbers.pop(next(iter(self._numbers)))
        try:
            return await self._reserve(self._redis(), key, token, order, holder=RESERVATION_HOLDER)
        except redis.RedisError as exc:  # the turn queues itself when it starts, as without a reservation
            log.warning("turn reserve_failed key=%s error=%s", key, type(exc).__name__)
            return False

    async def _reserve(self, client: aioredis.Redis, key: str | int, token: str, order: int, *, holder: str) -> bool:
        lease_ms, expiry_ms = int(self.lease_s * 1000), int(QUEUE_EXPIRY_S * 1000)
        self._arrivals = self._arrivals or asyncio.Lock()
        async with self._arrivals:
            got = await client.eval(
                _RESERVE,
                3,
                f"{self._prefix}:q:{key}",
                f"{self._prefix}:lease:{token}",
                f"{self._prefix}:n:{key}",
                token,
                lease_ms,
                expiry_ms,
                order,
                holder,
            )
        return bool(got)

    async def unreserve(self, key: str | int, token: str) -> None:
        self._numbers.pop(token, None)
        queue = f"{self._prefix}:q:{key}"
        try:
            await self._redis().eval(
                _UNRESERVE,
                2,
                queue,
                f"{self._prefix}:n:{key}",
                token,
                f"{self._prefix}:lease:",
                f"{self._prefix}:wake:",
            )
        except redis.RedisError as exc:  # the reservation's lease lapses on its own
            log.warning("turn unreserve_failed key=%s error=%s", key, type(exc).__name__)

    @staticmethod
    async def _renew(client: aioredis.Redis, lease_key: str, lease_ms: int) -> None:
        with contextlib.suppress(redis.RedisError):
            await client.pexpire(lease_key, lease_ms)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


class SharedRateLimits:
    """Per-user and global turn limits in Redis (``limits``' moving window), the same answer on every replica.

    ``check`` keeps the in-process limiter's contract: (allowed, seconds until allowed, tell the user now).
    """

    def __init__(
        self, client: redis.Redis, url: str, prefix: str, *, per_user_per_minute: int, global_per_second: int = 0
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._limiter = MovingWindowRateLimiter(RedisStorage(url, key_prefix=f"{prefix}:limits"))
        self._user = RateLimitItemPerMinute(per_user_per_minute) if per_user_per_minute > 0 else None
        self._global = RateLimitItemPerSecond(global_per_second) if global_per_second > 0 else None

    def check(self, user_key: str) -> tuple[bool, float, bool]:
        try:
            for item, scope in ((self._user, ("user", user_key)), (self._global, ("all",))):
                if item is None:
                    continue
                if not self._limiter.hit(item, *scope):
                    reset = self._limiter.get_window_stats(item, *scope).reset_time
                    retry_in = max(0.0, reset - time.time())
                    # One notice per blocked stretch, across replicas: whoever sets the key tells the user.
                    warned = self._client.set(
                        f"{self._prefix}:limits:warned:{user_key}", b"1", nx=True, px=max(1, int(retry_in * 1000))
                    )
                    return False, retry_in, bool(warned)
        except redis.RedisError as exc:
            # Serving a shopper without a limit beats refusing everyone while Redis restarts.
            log.warning("rate_limit redis_unavailable error=%s", type(exc).__name__)
        return True, 0.0, False


class LeaderLock:
    """One holder at a time across replicas (Telegram long polling allows one consumer per bot token:
    a second ``getUpdates`` gets 409 Conflict). A waiting replica takes over when the holder stops renewing."""

    def __init__(self, url: str, prefix: str, name: str, *, lease_s: float = LEADER_LEASE_S) -> None:
        self._url = url
        self.key = f"{prefix}:leader:{name}"
        self.lease_s = lease_s
        self.token = uuid.uuid4().hex
        self.lost = asyncio.Event()
        self._client: aioredis.Redis | None = None
        self._renewer: Renewal | None = None

    async def acquire(self, *, poll_s: float = 1.0) -> None:
        """Wait until this replica holds the lock, then keep renewing it."""
        self._client = self._client or aioredis.Redis.from_url(self._url)
        lease_ms = int(self.lease_s * 1000)
        waited = False
        while not await self._client.set(self.key, self.token, nx=True, px=lease_ms):
            if not waited:
                log.info("leader waiting key=%s (another replica polls)", self.key)
                waited = True
            await asyncio.sleep(poll_s)
        log.info("leader acquired key=%s", self.key)
        self.lost.clear()
        self._renewer = Renewal(functools.partial(self._renew, lease_ms), self.lease_s / 3)

    async def _renew(self, lease_ms: int) -> None:
        assert self._client is not None
        if self.lost.is_set():
            return
        try:
            renewed = await self._client.eval(_RENEW, 1, self.key, self.token, lease_ms)
        except redis.RedisError as exc:
            log.warning("leader renew_failed key=%s error=%s", self.key, type(exc).__name__)
            return
        if not renewed:
            log.error("leader lost key=%s", self.key)
            self.lost.set()

    async def release(self) -> None:
        if self._renewer is not None:
            await self._renewer.stop()
            self._renewer = None
        if self._client is not None:
            with contextlib.suppress(redis.RedisError):
                await self._client.eval(
                    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                    1,
                    self.key,
                    self.token,
                )
            await self._client.aclose()
            self._client = None
