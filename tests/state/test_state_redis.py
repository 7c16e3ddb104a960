"""Redis coordination shared by replicas: turns in arrival order per chat (also when a replica dies mid-turn),
one claim per delivery id, shared rate limits, and one Telegram poller at a time."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from pathlib import Path

import pytest
import redis
import redis.asyncio

from assistant.config import Settings
from assistant.state.backends import dispose_shared, open_delivery_claims, open_turn_order, shared_rate_limits
from assistant.state.claims import RedisDeliveryClaims
from assistant.state.coordination import LeaderLock, LocalTurnOrder, RedisTurnOrder, Renewal, SharedRateLimits
from shopguide_testkit.tcp_proxy import RestartableProxy

pytestmark = pytest.mark.integration


async def _run_turns(
    replicas: list[RedisTurnOrder], redis_url: str, prefix: str, chats: int, per_chat: int
) -> dict[str, list[int]]:
    """Messages of each chat arrive alternately at two replicas, while earlier turns still run."""
    answered: dict[str, list[int]] = {f"c{c}": [] for c in range(chats)}
    left: dict[str, int] = dict.fromkeys(answered, 0)  # turns that have left the queue
    client = redis.asyncio.Redis.from_url(redis_url)

    async def one(chat: str, n: int) -> None:
        async with replicas[n % len(replicas)].turn(chat):
            await asyncio.sleep(0.02)  # the model's time: the next message has arrived meanwhile
            answered[chat].append(n)
        left[chat] += 1

    async def queued(chat: str) -> int:
        return int(await client.llen(f"{prefix}:turns:q:{chat}")) + left[chat]

    tasks = []
    for n in range(per_chat):
        for chat in answered:
            tasks.append(asyncio.create_task(one(chat, n)))
        # Message n + 1 arrives after message n is queued: arrival order is what the queue records (on a
        # busy machine a task may take longer to reach Redis than the test takes to start the next one).
        for chat in answered:
            while await queued(chat) < n + 1:  # noqa: ASYNC110 (the state is in Redis: nothing to wait on)
                await asyncio.sleep(0.001)
    await asyncio.gather(*tasks)
    await client.aclose()
    return answered


async def test_each_chat_is_answered_in_arrival_order_across_replicas(redis_url: str, redis_prefix: str) -> None:
    replicas = [RedisTurnOrder(redis_url, redis_prefix) for _ in range(2)]
    answered = await _run_turns(replicas, redis_url, redis_prefix, chats=5, per_chat=6)
    assert all(order == list(range(6)) for order in answered.values()), answered
    for replica in replicas:
        await replica.aclose()


async def test_a_killed_replicas_turn_is_skipped_after_its_lease(redis_url: str, redis_prefix: str) -> None:
    """A replica that dies holding a chat's turn stops renewing its lease; the next turn runs after it."""
    client = redis.Redis.from_url(redis_url)
    # What a SIGKILLed replica leaves behind: its token at the head of the queue, a lease that will lapse.
    client.rpush(f"{redis_prefix}:turns:q:chat-1", "dead-replica-token")
    client.set(f"{redis_prefix}:turns:lease:dead-replica-token", b"1", px=400)
    survivor = RedisTurnOrder(redis_url, redis_prefix, lease_s=3.0, poll_s=0.05)
    started = time.monotonic()
    async with survivor.turn("chat-1"):
        waited = time.monotonic() - started
    assert 0.3 < waited < 2.0
    assert client.llen(f"{redis_prefix}:turns:q:chat-1") == 0
    await survivor.aclose()
    client.close()


async def test_places_reserved_at_ingress_run_in_update_order(redis_url: str, redis_prefix: str) -> None:
    """Places are taken before the platform is acknowledged, on either replica: a message the platform numbered
    earlier but delivered later goes ahead of later-numbered waiting turns (never ahead of the running one),
    a turn runs in its reserved place, and a place no turn uses is given back without holding the chat up."""
    ingress, other = RedisTurnOrder(redis_url, redis_prefix), RedisTurnOrder(redis_url, redis_prefix, poll_s=0.05)
    ran: list[str] = []
    head_runs, head_may_end = asyncio.Event(), asyncio.Event()

    async def one(replica: RedisTurnOrder, token: str) -> None:
        async with replica.turn("chat-7", token):
            ran.append(token)
            if token == "u10":
                head_runs.set()
                await head_may_end.wait()

    head = asyncio.create_task(one(ingress, "u10"))
    await head_runs.wait()
    assert await other.reserve("chat-7", "u13", 13)
    assert await ingress.reserve("chat-7", "u12", 12)  # delivered after 13, numbered before it
    assert await other.reserve("chat-7", "u11", 11)
    assert not await ingress.reserve("chat-7", "u11", 11)  # a redelivery does not move or own the place
    assert not await ingress.reserve("chat-7", "u10", 9)  # the running turn keeps its place at the head
    await ingress.unreserve("chat-7", "u11")  # not a turn after all (not for the bot)
    # The turns start in the opposite order; they run in the reserved one.
    later = [asyncio.create_task(one(replica, token)) for replica, token in ((ingress, "u13"), (other, "u12"))]
    await asyncio.sleep(0.2)
    head_may_end.set()
    await asyncio.wait_for(asyncio.gather(head, *later), timeout=10)
    assert ran == ["u10", "u12", "u13"]
    client = redis.Redis.from_url(redis_url)
    assert client.llen(f"{redis_prefix}:turns:q:chat-7") == 0 and client.hlen(f"{redis_prefix}:turns:n:chat-7") == 0
    client.close()
    await ingress.aclose()
    await other.aclose()


async def test_reservations_are_a_no_op_in_one_process() -> None:
    order = LocalTurnOrder()
    assert not await order.reserve("chat-1", "u1", 1)
    await order.unreserve("chat-1", "u1")
    async with order.turn("chat-1", "u1"):
        pass


async def test_default_turn_order_is_in_process(tmp_path: Path) -> None:
    order = open_turn_order(Settings(data_dir=tmp_path))
    assert isinstance(order, LocalTurnOrder)
    seen: list[int] = []

    async def one(n: int) -> None:
        async with order.turn(7):
            await asyncio.sleep(0.001)
            seen.append(n)

    await asyncio.gather(*(one(n) for n in range(5)))
    assert seen == [0, 1, 2, 3, 4]


def test_delivery_ids_claimed_once_and_expire(tmp_path: Path, redis_url: str, redis_prefix: str) -> None:
    settings = Settings(data_dir=tmp_path, redis_url=redis_url, redis_prefix=redis_prefix)
    replica_a = open_delivery_claims(settings, settings.slack_db)
    assert isinstance(replica_a.inner, RedisDeliveryClaims)  # type: ignore[attr-defined]
    replica_b = RedisDeliveryClaims(redis.Redis.from_url(redis_url), redis_prefix, ttl_s=1)
    assert replica_b.claim("slack:Ev1") is True
    assert replica_a.claim("slack:Ev1") is False
    time.sleep(1.2)
    assert replica_a.claim("slack:Ev1") is True  # Slack stopped retrying long ago: the key expired
    assert not settings.slack_db.exists()  # nothing written locally
    dispose_shared()


def test_rate_limits_are_shared_between_replicas(tmp_path: Path, redis_url: str, redis_prefix: str) -> None:
    settings = Settings(data_dir=tmp_path, redis_url=redis_url, redis_prefix=redis_prefix)
    replica_a = shared_rate_limits(settings, per_user_per_minute=3)
    assert replica_a is not None
    replica_b = SharedRateLimits(redis.Redis.from_url(redis_url), redis_url, redis_prefix, per_user_per_minute=3)
    verdicts = [r.check("telegram:42") for r in (replica_a, replica_b, replica_a, replica_b, replica_a)]
    assert [allowed for allowed, _, _ in verdicts] == [True, True, True, False, False]
    assert 0 < verdicts[3][1] <= 60
    assert [tell for _, _, tell in verdicts[3:]] == [True, False]  # told once, not on every message
    assert replica_b.check("telegram:43")[0] is True  # another shopper is not held back
    assert shared_rate_limits(Settings(data_dir=tmp_path), per_user_per_minute=3) is None
    dispose_shared()


def test_global_limit_holds_across_users(redis_url: str, redis_prefix: str) -> None:
    limits = SharedRateLimits(
        redis.Redis.from_url(redis_url), redis_url, redis_prefix, per_user_per_minute=0, global_per_second=2
    )
    assert [limits.check(f"u{n}")[0] for n in range(4)] == [True, True, False, False]


async def test_second_poller_waits_until_the_first_stops(redis_url: str, redis_prefix: str) -> None:
    first = LeaderLock(redis_url, redis_prefix, "telegram-poll", lease_s=0.6)
    second = LeaderLock(redis_url, redis_prefix, "telegram-poll", lease_s=0.6)
    await first.acquire()
    waiting = asyncio.create_task(second.acquire(poll_s=0.05))
    await asyncio.sleep(1.0)  # longer than the lease: the holder renews, so the second still waits
    assert not waiting.done()
    await first.release()
    await asyncio.wait_for(waiting, timeout=2)
    assert not second.lost.is_set()
    await second.release()


async def test_a_turn_waits_out_a_redis_restart_then_runs(redis_url: str, redis_prefix: str) -> None:
    """Redis down (a restart): the turn retries, and if Redis stays down it runs unordered instead of never."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        down = f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    order = RedisTurnOrder(down, redis_prefix, outage_wait_s=0.6)
    answered = []
    started = time.monotonic()
    async with order.turn("chat-1"):
        answered.append(time.monotonic() - started)
    assert len(answered) == 1 and 0.5 < answered[0] < 5.0
    await order.aclose()


async def test_a_redis_restart_that_forgets_the_queues_keeps_each_chat_in_order(
    redis_url: str, redis_prefix: str
) -> None:
    """Redis restarted empty (it keeps nothing on disk) while a chat's turn runs and four wait: every waiting
    turn loses its place and queues again as Redis comes back, in whatever order it notices. They queue again
    by their numbers and run in the order the platform numbered them (bench_scale: 42 of 200 chats answered
    out of order across a Redis restart before)."""
    proxy = RestartableProxy("127.0.0.1", int(redis_url.rsplit(":", 1)[1].split("/", maxsplit=1)[0]))
    proxy.start()
    order = RedisTurnOrder(f"redis://127.0.0.1:{proxy.port}/0", redis_prefix, poll_s=0.05)
    order.requeue_settle_s = 0.5
    ran: list[str] = []
    head_runs, head_may_end = asyncio.Event(), asyncio.Event()

    async def one(token: str) -> None:
        async with order.turn("chat-9", token):
            ran.append(token)
            if token == "u20":
                head_runs.set()
                await head_may_end.wait()

    head = asyncio.create_task(one("u20"))
    await head_runs.wait()
    for n in (21, 22, 23, 24):
        assert await order.reserve("chat-9", f"u{n}", n)
    # Started latest first: without their numbers they would come back from the outage in this order.
    waiting = []
    for n in (24, 23, 22, 21):
        waiting.append(asyncio.create_task(one(f"u{n}")))
        await asyncio.sleep(0.05)
    proxy.stop()
    client = redis.Redis.from_url(redis_url)
    client.delete(*client.scan_iter(f"{redis_prefix}*"))  # what a restart without persistence leaves
    client.close()
    await asyncio.sleep(0.3)
    proxy.start()
    head_may_end.set()
    await asyncio.wait_for(asyncio.gather(head, *waiting), timeout=20)
    assert ran == ["u20", "u21", "u22", "u23", "u24"]
    await order.aclose()
    proxy.stop()


async def test_a_place_a_turn_took_on_another_replica_is_not_given_back(redis_url: str, redis_prefix: str) -> None:
    """The platform redelivers a slow update to the other replica, which answers it in the place the first
    replica reserved; when the first replica then drops its copy as a duplicate and gives its reservation
    back, the place must stay (bench_scale: a chat's second message overtook its first this way). A place no
    turn took is still given back."""
    first, second = RedisTurnOrder(redis_url, redis_prefix, poll_s=0.05), RedisTurnOrder(redis_url, redis_prefix)
    ran: list[str] = []
    head_runs, head_may_end = asyncio.Event(), asyncio.Event()

    async def one(replica: RedisTurnOrder, token: str) -> None:
        async with replica.turn("chat-5", token):
            ran.append(token)
            if token == "u30":
                head_runs.set()
                await head_may_end.wait()

    head = asyncio.create_task(one(second, "u30"))
    await head_runs.wait()
    assert await first.reserve("chat-5", "u31", 31)
    redelivered = asyncio.create_task(one(second, "u31"))  # the redelivered copy's turn, waiting in u31's place
    assert await first.reserve("chat-5", "u32", 32)
    later = asyncio.create_task(one(first, "u32"))
    assert await first.reserve("chat-5", "u33", 33)
    await asyncio.sleep(0.2)
    await first.unreserve("chat-5", "u31")  # the first replica's copy of u31 was a duplicate
    await first.unreserve("chat-5", "u33")  # no turn came for this one: given back, nobody waits for it
    head_may_end.set()
    await asyncio.wait_for(asyncio.gather(head, redelivered, later), timeout=10)
    assert ran == ["u30", "u31", "u32"]
    await first.aclose()
    await second.aclose()


async def test_a_renewal_stops_even_when_its_client_swallows_the_cancel() -> None:
    """redis-py can swallow a cancellation that lands inside a command; a turn's place renewer cancelled that
    way kept renewing, so a turn that had answered held its chat's place for minutes (bench_scale)."""
    calls: list[float] = []

    async def swallowing() -> None:
        calls.append(time.monotonic())
        with contextlib.suppress(asyncio.CancelledError):  # as the client did
            await asyncio.sleep(0.2)

    renewal = Renewal(swallowing, 0.01)
    while not calls:  # noqa: ASYNC110 (waiting for the renewal's own task)
        await asyncio.sleep(0.005)
    await asyncio.wait_for(renewal.stop(), timeout=2)
    await asyncio.sleep(0.3)
    assert not renewal.running and len(calls) == 1


async def test_a_redelivered_turn_whose_place_was_given_back_enters_by_its_number(
    redis_url: str, redis_prefix: str
) -> None:
    """The first replica gives its reservation back (its copy was a duplicate) before the redelivered copy's
    turn has started on the other replica: that turn enters by the update's number, ahead of the chat's
    later message, instead of at the tail."""
    first, second = RedisTurnOrder(redis_url, redis_prefix, poll_s=0.05), RedisTurnOrder(redis_url, redis_prefix)
    ran: list[str] = []
    head_runs, head_may_end = asyncio.Event(), asyncio.Event()

    async def one(replica: RedisTurnOrder, token: str) -> None:
        async with replica.turn("chat-4", token):
            ran.append(token)
            if token == "u40":
                head_runs.set()
                await head_may_end.wait()

    head = asyncio.create_task(one(first, "u40"))
    await head_runs.wait()
    assert await first.reserve("chat-4", "u41", 41)
    assert not await second.reserve("chat-4", "u41", 41)  # the redelivery: the place is the first's
    assert await first.reserve("chat-4", "u42", 42)
    later = asyncio.create_task(one(first, "u42"))
    await first.unreserve("chat-4", "u41")  # the first's copy was a duplicate; no turn holds the place yet
    await asyncio.sleep(0.1)
    redelivered = asyncio.create_task(one(second, "u41"))
    await asyncio.sleep(0.2)
    head_may_end.set()
    await asyncio.wait_for(asyncio.gather(head, redelivered, later), timeout=10)
    assert ran == ["u40", "u41", "u42"]
    await first.aclose()
    await second.aclose()
