"""Scale-out: bot replicas sharing Postgres and Redis under simulated shoppers, with faults.

Everything runs on this machine: a private Postgres and Redis (so restarting them disturbs no other service),
the loopback fake Telegram Bot API (shopguide_testkit), a loopback OpenAI-compatible model server that streams
its answer at a fixed pace (the model tier stubbed by a real server, so the bot tier is what is measured), and
real ``shopguide serve telegram`` replicas in webhook mode. The bench delivers updates like Telegram behind a
round-robin proxy: each POST goes to the next replica, and to the one after it if that one refuses the
connection (nginx's proxy_next_upstream); a failed delivery is retried.

Shoppers send two different questions back to back, wait for both answers, pause, and go again.

1. throughput: the same shoppers against 1 replica, then 2 (same run, same warm processes). Target >= 1.7x.
2. faults, 2 replicas under the same load: one replica SIGKILLed mid-turn and restarted, then Redis restarted,
   then Postgres restarted. Every question must get exactly one complete answer, in its chat's order.
3. first visible content (first card or text after the question), p50/p95 per phase.

    nice -n 10 python bench/bench_scale.py [--shoppers 200] [--phase-s 20] [--fault-s 45] [--drain-s 60]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import aiohttp
from _report import percentile, verdict, write_report
from _scale_servers import PrivatePostgres, PrivateRedis, Replica

from assistant.app import load_knowledge
from assistant.config import Settings
from bots.common.stream import STREAMING_CURSOR
from bots.common.texts import phrase
from shopguide_testkit.fake_bot_api import FakeBotApi, ShownMessage
from shopguide_testkit.fake_openai_api import FakeOpenAIApi

TOKEN = "123456:BENCH-scale-token"
SECRET = "bench-scale-secret"
# Each question's answer starts with a different fact (the model server streams the prompt's first fact),
# so every answer can be told apart and matched to its question.
QUESTIONS = {
    "what is the return policy?": "7-day no-reason returns",
    "how long does express delivery take?": "Delivery times",
    "running shoes under 500": "Kestrel Swift 4",
    "wireless headphones under 1500": "Lumo Arc 1",
}
ROUND_TIMEOUT_S = 90.0
POLL_S = 0.1
THINK_S = (0.2, 1.0)
DELIVERY_RETRY_S = 0.5
DELIVERY_GIVE_UP_S = 120.0
TARGET_SPEEDUP = 1.7
EXAMPLES = 5  # chats described in the JSON for each kind of miss
# Like Telegram's: one increasing sequence per bot, never reused (the replicas remember answered ids).
UPDATE_IDS = itertools.count(10**9 + int(time.time()) % 10**6 * 1000)


@dataclass
class Chat:
    chat_id: int
    asked: list[str] = field(default_factory=list)
    first_visible_s: list[tuple[str, float]] = field(default_factory=list)  # (phase, seconds)


class Ingress:
    """Telegram plus a round-robin proxy: POST each update to the next live replica, fail over, retry."""

    def __init__(self) -> None:
        self.targets: list[Replica] = []
        self._next = 0
        self.failovers = 0
        self.session: aiohttp.ClientSession | None = None

    async def deliver(self, update: dict[str, Any]) -> None:
        assert self.session is not None
        deadline = time.monotonic() + DELIVERY_GIVE_UP_S
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        while time.monotonic() < deadline:
            for _ in range(len(self.targets)):
                replica = self.targets[self._next % len(self.targets)]
                self._next += 1
                try:
                    url = f"http://127.0.0.1:{replica.port}/tg"
                    async with self.session.post(url, json=update, headers=headers) as response:
                        if response.status == 200:
                            return
                except (TimeoutError, aiohttp.ClientError):
                    pass
                self.failovers += 1
            await asyncio.sleep(DELIVERY_RETRY_S)
        raise RuntimeError(f"update {update['update_id']} could not be delivered")


def answers(fake: FakeBotApi, chat_id: int) -> list[ShownMessage]:
    """What the shopper reads as answers: the bot's text messages (cards are photos), not deleted."""
    return [m for m in fake.shown(chat_id) if m.from_bot and not m.photo and not m.deleted]


def complete(messages: list[ShownMessage]) -> list[ShownMessage]:
    return [m for m in messages if not m.text.endswith(STREAMING_CURSOR.strip())]


def question_of(text: str) -> str | None:
    return next((q for q, mark in QUESTIONS.items() if mark in text), None)


class Shoppers:
    def __init__(self, fake: FakeBotApi, ingress: Ingress, count: int, *, first_chat: int = 900_000) -> None:
        self.fake = fake
        self.ingress = ingress
        self.chats = [Chat(first_chat + n) for n in range(count)]

    async def run(self, phase: str, seconds: float) -> None:
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(self._shop(chat, phase, stop_at) for chat in self.chats))

    async def _shop(self, chat: Chat, phase: str, stop_at: float) -> None:
        rnd = random.Random(f"{chat.chat_id}-{phase}")
        await asyncio.sleep(rnd.uniform(0, THINK_S[1]))  # shoppers do not all arrive in the same instant
        while time.monotonic() < stop_at:
            questions = rnd.sample(list(QUESTIONS), 2)
            expected = len(complete(answers(self.fake, chat.chat_id))) + len(questions)
            seen = len(self.fake.shown(chat.chat_id))
            sent = time.monotonic()
            for question in questions:
                chat.asked.append(question)
                message = self.fake.message(chat.chat_id, chat.chat_id, question)
                await self.ingress.deliver({"update_id": next(UPDATE_IDS), "message": message})
            seen += len(questions)  # the shopper's own messages
            first: float | None = None
            while time.monotonic() - sent < ROUND_TIMEOUT_S:
                shown = self.fake.shown(chat.chat_id)
                if first is None:
                    new = [m.sent_at for m in shown[seen:] if m.from_bot]
                    if new:
                        first = min(new) - sent
                        chat.first_visible_s.append((phase, first))
                if len(complete(answers(self.fake, chat.chat_id))) >= expected:
                    break
                await asyncio.sleep(POLL_S)
            await asyncio.sleep(rnd.uniform(*THINK_S))

    def answered(self) -> int:
        return sum(len(complete(answers(self.fake, c.chat_id))) for c in self.chats)

    def audit(self) -> dict[str, Any]:
        """Per chat: one complete answer per question, none twice, in the order asked."""
        lost = duplicate = out_of_order = partial = errors = unknown = 0
        examples: list[dict[str, Any]] = []
        lost_examples: list[dict[str, Any]] = []
        error_text = phrase("error", "en")
        for chat in self.chats:
            shown = answers(self.fake, chat.chat_id)
            done = complete(shown)
            partial += len(shown) - len(done)
            errors += sum(1 for m in done if m.text.startswith(error_text[:20]))
            got = [question_of(m.text) for m in done]
            unknown += sum(1 for g in got if g is None)
            lost += max(0, len(chat.asked) - len(done))
            if len(done) < len(chat.asked) and len(lost_examples) < EXAMPLES:
                lost_examples.append({"chat": chat.chat_id, "asked": len(chat.asked), "answered": len(done)})
            duplicate += max(0, len(done) - len(chat.asked))
            if len(done) == len(chat.asked) and any(g not in (None, a) for g, a in zip(got, chat.asked, strict=True)):
                out_of_order += 1
                if len(examples) < EXAMPLES:
                    short = [QUESTIONS[q][:12] for q in chat.asked]
                    examples.append(
                        {
                            "chat": chat.chat_id,
                            "asked": short,
                            "answered": [QUESTIONS[g][:12] if g else "?" for g in got],
                        }
                    )
        asked = sum(len(c.asked) for c in self.chats)
        return {
            "questions": asked,
            "lost": lost,
            "duplicate": duplicate,
            "chats_out_of_order": out_of_order,
            "partial_left_visible": partial,
            "error_replies": errors,
            "unrecognised_answers": unknown,
            "out_of_order_examples": examples,
            "lost_examples": lost_examples,
        }

    def first_visible(self, phase: str) -> list[float]:
        return [s for c in self.chats for p, s in c.first_visible_s if p == phase]


async def measure(shoppers: Shoppers, phase: str, seconds: float) -> dict[str, float]:
    before, started = shoppers.answered(), time.monotonic()
    runner = asyncio.create_task(shoppers.run(phase, seconds))
    await asyncio.sleep(seconds)
    rate = (shoppers.answered() - before) / (time.monotonic() - started)
    await runner  # rounds in flight finish (not counted)
    first = shoppers.first_visible(phase)
    return {
        "answers_per_s": rate,
        "first_visible_p50_s": percentile(first, 50),
        "first_visible_p95_s": percentile(first, 95),
    }


async def faults(
    shoppers: Shoppers,
    *,
    ingress: Ingress,
    replicas: list[Replica],
    pg: PrivatePostgres,
    rd: PrivateRedis,
    seconds: float,
    drain_s: float,
) -> dict[str, Any]:
    events: dict[str, Any] = {}
    runner = asyncio.create_task(shoppers.run("faults", seconds))
    await asyncio.sleep(seconds * 0.15)
    victim = replicas[1]
    events["killed_at_s"] = round(seconds * 0.15, 1)
    victim.kill()  # under load: it is mid-turn on many chats
    victim.start()
    events["replica_restart_s"] = round(await asyncio.to_thread(victim.wait_ready), 1)
    await asyncio.sleep(seconds * 0.2)
    events["redis_restart_s"] = round(await asyncio.to_thread(rd.restart), 2)
    await asyncio.sleep(seconds * 0.2)
    events["postgres_restart_s"] = round(await asyncio.to_thread(pg.restart), 2)
    await runner
    deadline = time.monotonic() + drain_s
    asked = sum(len(c.asked) for c in shoppers.chats)
    while time.monotonic() < deadline and shoppers.answered() < asked:  # noqa: ASYNC110 (the state is the fake's)
        await asyncio.sleep(0.5)
    events["failovers"] = ingress.failovers
    first = shoppers.first_visible("faults")
    events["first_visible_p95_s"] = percentile(first, 95)
    return events


async def main(args: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="shopguide-bench-scale-"))
    uptime_before = os.getloadavg()
    pg, rd = PrivatePostgres(root), PrivateRedis(root)
    fake = FakeBotApi()
    model = FakeOpenAIApi(token_delay_s=args.token_delay_s)
    replicas: list[Replica] = []
    ingress = Ingress()
    data: dict[str, Any] = {
        "shoppers": args.shoppers,
        "token_delay_s": args.token_delay_s,
        "load_before": uptime_before,
    }
    try:
        pg.start()
        rd.start()
        await fake.start()
        await model.start()
        kb_dir = root / "data"
        load_knowledge(Settings(data_dir=kb_dir))  # the demo catalog's release, shared by the replicas
        env = {
            **os.environ,
            "SHOPGUIDE_DATA_DIR": str(kb_dir),
            "SHOPGUIDE_TELEGRAM_TOKEN": TOKEN,
            "SHOPGUIDE_TELEGRAM_API_BASE_URL": fake.base_url,
            "SHOPGUIDE_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "SHOPGUIDE_TELEGRAM_USER_MESSAGES_PER_MINUTE": "100000",
            "SHOPGUIDE_LLM_BACKEND": "openai",
            "SHOPGUIDE_OPENAI_BASE_URL": model.base_url,
            "SHOPGUIDE_LLM_TIMEOUT_S": "60",
            "SHOPGUIDE_DATABASE_URL": pg.url,
            "SHOPGUIDE_REDIS_URL": rd.url,
            "SHOPGUIDE_REDIS_PREFIX": f"bench-{uuid.uuid4().hex[:6]}",
        }
        replicas.extend(Replica(n, root, env) for n in range(2))
        for replica in replicas:
            replica.start()
        for replica in replicas:
            await asyncio.to_thread(replica.wait_ready)
        ingress.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        shoppers = Shoppers(fake, ingress, args.shoppers)
        for n, replica in enumerate(replicas):  # first turns load lazily built parts; keep them out of the figures
            ingress.targets = [replica]
            await measure(Shoppers(fake, ingress, 4, first_chat=800_000 + 100 * n), "warmup", 3)
        ingress.targets = [replicas[0]]
        data["one_replica"] = await measure(shoppers, "one", args.phase_s)
        ingress.targets = list(replicas)
        data["two_replicas"] = await measure(shoppers, "two", args.phase_s)
        data["throughput_audit"] = shoppers.audit()
        data["faults"] = await faults(
            shoppers, ingress=ingress, replicas=replicas, pg=pg, rd=rd, seconds=args.fault_s, drain_s=args.drain_s
        )
        data["audit"] = shoppers.audit()
        data["model_completions"] = model.completions
        data["logs"] = str(root)
    finally:
        if ingress.session is not None:
            await ingress.session.close()
        for replica in replicas:
            replica.stop()
        await model.stop()
        await fake.stop()
        pg.stop()
        rd.stop()
    data["load_after"] = os.getloadavg()
    one, two, audit = data["one_replica"], data["two_replicas"], data["audit"]
    speedup = two["answers_per_s"] / one["answers_per_s"] if one["answers_per_s"] else float("nan")
    data["speedup"] = speedup
    rows = [
        ("answers/s, 1 replica", f"{one['answers_per_s']:.2f}", "baseline", ""),
        ("answers/s, 2 replicas", f"{two['answers_per_s']:.2f}", "", ""),
        ("2 vs 1 replica", f"{speedup:.2f}x", f">= {TARGET_SPEEDUP}x", verdict(speedup >= TARGET_SPEEDUP)),
        ("first visible p95, 1 replica", f"{one['first_visible_p95_s']:.2f} s", "", ""),
        ("first visible p95, 2 replicas", f"{two['first_visible_p95_s']:.2f} s", "", ""),
        ("first visible p95, faults", f"{data['faults']['first_visible_p95_s']:.2f} s", "", ""),
        ("questions asked (all phases)", str(audit["questions"]), "", ""),
        ("lost answers", str(audit["lost"]), "0", verdict(audit["lost"] == 0)),
        ("duplicate answers", str(audit["duplicate"]), "0", verdict(audit["duplicate"] == 0)),
        ("chats out of order", str(audit["chats_out_of_order"]), "0", verdict(audit["chats_out_of_order"] == 0)),
        (
            "partial answers left visible",
            str(audit["partial_left_visible"]),
            "0",
            verdict(audit["partial_left_visible"] == 0),
        ),
        ("error replies", str(audit["error_replies"]), "", ""),
        ("replica restart (SIGKILL -> ready)", f"{data['faults']['replica_restart_s']:.1f} s", "", ""),
    ]
    write_report("bench_scale", rows, data)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shoppers", type=int, default=200)
    parser.add_argument("--phase-s", type=float, default=20.0)
    parser.add_argument("--fault-s", type=float, default=45.0)
    parser.add_argument("--drain-s", type=float, default=60.0)
    parser.add_argument("--token-delay-s", type=float, default=0.03, help="model server: seconds per streamed chunk")
    asyncio.run(main(parser.parse_args()))
