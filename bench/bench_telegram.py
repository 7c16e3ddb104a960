"""Telegram adapter: overhead, load and first visible text, through the loopback fake Bot API.

The real python-telegram-bot Application long-polls the fake (shopguide_testkit/fake_bot_api.py); the real
core answers. Baseline in the same run: the core alone (``assistant.respond``) on the same questions.

1. overhead: one message at a time, fast ScriptedGenerator. Overhead = (update handed out by getUpdates
   -> first message arrives at the fake) - (core time spent before that write). Target p50 <= 5 ms.
2. load: 200 chats x 5 messages at once. All answered, 0 duplicates, no chat edited faster than
   once per second (Telegram's per-chat guideline; global 30/s and per-chat pacing are the real ones).
3. model (unless --skip-model): the shipped model; update -> first visible text p50 <= 1.5 s.

    python bench/bench_telegram.py [--chats 200] [--per-chat 5] [--overhead-n 200] [--model-n 8] [--skip-model]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import statistics
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent

from _report import percentile, verdict, write_report  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from assistant.app import Assistant, build_assistant, load_knowledge  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.llm.scripted import ScriptedGenerator  # noqa: E402
from assistant.ports import Generator  # noqa: E402
from assistant.types import IncomingMessage, ReplyDone, TextDelta  # noqa: E402
from bots.telegram.adapter import TelegramAdapter  # noqa: E402
from bots.telegram.limits import EDIT_INTERVAL_S  # noqa: E402
from knowledge.store import KnowledgeStore  # noqa: E402
from shopguide_testkit.fake_bot_api import WRITE_METHODS, FakeBotApi, ShownMessage  # noqa: E402

TOKEN = "123456:BENCH-token"
QUESTIONS = [
    "details SG-RUN-0001",
    "what is the return policy?",
    "compare SG-RUN-0001 and SG-RUN-0002",
    "how long does express delivery take?",
    "details SG-RUN-0002",
    "wireless headphones with noise cancelling under 1500",
    "details SG-RUN-0003",
    "do you ship to Tibet?",
]
# Load: five different questions per chat, each with a distinct answer, so a duplicate is visible.
LOAD_QUESTIONS = [
    "details SG-RUN-0001",
    "what is the return policy?",
    "how long does express delivery take?",
    "details SG-RUN-0002",
    "do you ship to Tibet?",
]


def is_card(message: ShownMessage) -> bool:
    return bool(message.buttons) and message.buttons[0][0]["text"] == "Details"


async def core_baseline(assistant: Assistant, questions: list[str]) -> list[float]:
    """Core alone: seconds to its first event, per question (what the adapter has to wait for anyway)."""
    out = []
    for index, question in enumerate(questions):
        msg = IncomingMessage("telegram", f"base{index}", f"base{index}", question)
        started = time.perf_counter()
        first: float | None = None
        async for _event in assistant.respond(msg):
            first = first or time.perf_counter() - started
        out.append(first or 0.0)
    return out


async def core_text_baseline(assistant: Assistant, questions: list[str]) -> list[float]:
    """Core alone with the model: seconds to the first answer text (the same questions the bot gets)."""
    out = []
    for index, question in enumerate(questions):
        msg = IncomingMessage("telegram", f"mbase{index}", f"mbase{index}", question)
        started = time.perf_counter()
        first: float | None = None
        async for event in assistant.respond(msg):
            if first is None and isinstance(event, (TextDelta, ReplyDone)):
                first = time.perf_counter() - started
        out.append(first or 0.0)
    return out


class Harness:
    def __init__(self, settings: Settings, store: KnowledgeStore, generator: Generator) -> None:
        self.settings = settings
        self.store = store
        self.generator = generator

    async def __aenter__(self) -> Harness:
        self.fake = FakeBotApi()
        await self.fake.start()
        self.assistant = build_assistant(self.settings, generator=self.generator, knowledge=self.store)
        self.adapter = TelegramAdapter(self.assistant, self.settings, base_url=self.fake.base_url, keep_stats=True)
        self._polling = self.adapter.polling(poll_timeout=5)
        await self._polling.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._polling.__aexit__(None, None, None)
        await self.fake.stop()
        self.assistant.memory.close()

    async def answered(self, count: int, within: float) -> None:
        deadline = time.monotonic() + within
        # Polling the adapter's turn log keeps the adapter free of bench hooks; latencies are taken from
        # the fake's own timestamps, so the poll interval does not enter any measurement.
        while len(self.adapter.stats) < count and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def overhead_run(h: Harness, n: int) -> dict[str, Any]:
    fake = h.fake
    samples, e2e = [], []
    for index in range(n):
        chat = 10_000 + index
        update = await fake.send_text(chat, chat, QUESTIONS[index % len(QUESTIONS)])
        await h.answered(index + 1, 30)
        stats = h.adapter.stats[-1]
        first_write = min(m.sent_at for m in fake.shown(chat))
        latency = first_write - fake.delivered_at[update["update_id"]]
        e2e.append(latency)
        samples.append(latency - (stats.core_before_first_write_s or 0.0))
    return {
        "n": n,
        "overhead_ms_p50": percentile(samples, 50) * 1000,
        "overhead_ms_p95": percentile(samples, 95) * 1000,
        "first_visible_ms_p50": percentile(e2e, 50) * 1000,
    }


async def load_run(h: Harness, chats: int, per_chat: int) -> dict[str, Any]:
    fake = h.fake
    started = time.monotonic()
    chat_ids = [20_000 + i for i in range(chats)]
    for round_ in range(per_chat):
        for chat in chat_ids:
            await fake.send_text(chat, chat, LOAD_QUESTIONS[round_ % len(LOAD_QUESTIONS)])
    await h.answered(chats * per_chat, within=600)
    await fake.wait_until_quiet(1.5, within=120)
    wall = time.monotonic() - started
    answered = duplicates = missing = 0
    min_edit_gap = float("inf")
    max_writes_1s = 0
    for chat in chat_ids:
        shown = fake.shown(chat)
        answers = [m for m in shown if not is_card(m)]
        answered += min(len(answers), per_chat)
        missing += max(0, per_chat - len(answers))
        duplicates += max(0, len(answers) - per_chat) + (len(answers) - len({m.text for m in answers}))
        edits = sorted(t for m in shown for t in m.edits)
        min_edit_gap = min([min_edit_gap, *(b - a for a, b in itertools.pairwise(edits))])
        writes = sorted([m.sent_at for m in shown] + edits)
        for i, t in enumerate(writes):
            max_writes_1s = max(max_writes_1s, sum(1 for u in writes[i:] if u - t < 1.0))
    writes_per_s = sum(1 for c in fake.calls if c.method in WRITE_METHODS) / wall
    return {
        "chats": chats,
        "messages": chats * per_chat,
        "answered": answered,
        "missing": missing,
        "duplicates": duplicates,
        "min_edit_gap_s_same_chat": None if min_edit_gap == float("inf") else min_edit_gap,
        "max_writes_per_chat_in_1s": max_writes_1s,
        "flood_waits": h.adapter.sender.flood_waits,
        "wall_s": wall,
        "message_writes_per_s": writes_per_s,
    }


async def model_run(h: Harness, n: int) -> dict[str, Any]:
    fake = h.fake
    visible, text, complete = [], [], []
    for index in range(n):
        chat = 30_000 + index
        update = await fake.send_text(chat, chat, QUESTIONS[index % len(QUESTIONS)])
        await h.answered(index + 1, 120)
        arrived = fake.delivered_at[update["update_id"]]
        shown = fake.shown(chat)
        visible.append(min(m.sent_at for m in shown) - arrived)
        answers = [m for m in shown if not is_card(m)]
        text.append(min(m.sent_at for m in answers) - arrived if answers else float("nan"))
        complete.append(max([m.sent_at, *m.edits][-1] for m in shown) - arrived)
    return {
        "n": n,
        "first_visible_s_p50": statistics.median(visible),
        "first_answer_text_s_p50": statistics.median(text),
        "complete_s_p50": statistics.median(complete),
    }


async def run(args: argparse.Namespace) -> None:
    work = Path(args.data_dir)
    base = Settings(
        data_dir=work / "data",
        cache_dir=Path(os.environ.get("SHOPGUIDE_CACHE_DIR", Settings().cache_dir)),
        telegram_token=SecretStr(TOKEN),
        telegram_user_messages_per_minute=args.per_chat + 5,
    )
    store = load_knowledge(base)
    report: dict[str, Any] = {"edit_interval_s": EDIT_INTERVAL_S}

    fast = build_assistant(base, generator=ScriptedGenerator(), knowledge=store)
    baseline = await core_baseline(fast, QUESTIONS * 3)
    fast.memory.close()
    report["core_first_event_ms_p50"] = percentile(baseline, 50) * 1000

    async with Harness(base.model_copy(update={"data_dir": work / "overhead"}), store, ScriptedGenerator()) as h:
        report["overhead"] = await overhead_run(h, args.overhead_n)
    # Load: a streaming generator (about 1.2 s per answer, so answers are edited while they grow) and no
    # cap on parallel generations: this measures the adapter, not a model's throughput.
    streaming = ScriptedGenerator(chunk_chars=6, delay_s=0.08)
    load_settings = base.model_copy(update={"data_dir": work / "load", "llm_concurrency": 1024})
    if not args.skip_load:
        async with Harness(load_settings, store, streaming) as h:
            report["load"] = await load_run(h, args.chats, args.per_chat)
    if not args.skip_model:
        from assistant.app import load_generator

        generator = load_generator(base)
        assert generator is not None
        core = build_assistant(
            base.model_copy(update={"data_dir": work / "model-core"}), generator=generator, knowledge=store
        )
        await core_text_baseline(core, QUESTIONS[:1])  # warm-up: first use maps the model and fills caches
        core_text = await core_text_baseline(core, [QUESTIONS[i % len(QUESTIONS)] for i in range(args.model_n)])
        core.memory.close()
        async with Harness(base.model_copy(update={"data_dir": work / "model"}), store, generator) as h:
            report["model"] = await model_run(h, args.model_n)
        report["model"]["core_alone_first_text_s_p50"] = statistics.median(core_text)
        await generator.aclose()

    o = report["overhead"]
    rows = [
        ("core alone: first event p50 (baseline)", f"{report['core_first_event_ms_p50']:.1f} ms", "", ""),
        ("adapter overhead p50", f"{o['overhead_ms_p50']:.2f} ms", "≤ 5 ms", verdict(o["overhead_ms_p50"] <= 5)),
        ("adapter overhead p95", f"{o['overhead_ms_p95']:.2f} ms", "", ""),
        ("update → first message p50 (fast gen)", f"{o['first_visible_ms_p50']:.1f} ms", "", ""),
    ]
    if "load" in report:
        ld = report["load"]
        gap = ld["min_edit_gap_s_same_chat"]
        rows += [
            (f"load: {ld['chats']} chats × {args.per_chat} answered", f"{ld['answered']}/{ld['messages']}", "all",
             verdict(ld["answered"] == ld["messages"])),
            ("load: duplicates", str(ld["duplicates"]), "0", verdict(ld["duplicates"] == 0)),
            ("load: min gap between edits in a chat", "-" if gap is None else f"{gap:.2f} s",
             f"≥ {EDIT_INTERVAL_S:.1f} s", verdict(gap is None or gap >= EDIT_INTERVAL_S * 0.95)),
            ("load: max writes to one chat in 1 s", str(ld["max_writes_per_chat_in_1s"]), "", ""),
            ("load: wall time", f"{ld['wall_s']:.1f} s", "", ""),
            ("load: message writes per second (all chats)", f"{ld['message_writes_per_s']:.1f}", "", ""),
        ]  # fmt: skip
    if "model" in report:
        m = report["model"]
        rows += [
            ("model: update → first visible p50", f"{m['first_visible_s_p50']:.2f} s", "≤ 1.5 s",
             verdict(m["first_visible_s_p50"] <= 1.5)),
            ("model: core alone → first text p50 (baseline)", f"{m['core_alone_first_text_s_p50']:.2f} s", "", ""),
            ("model: update → first answer text p50", f"{m['first_answer_text_s_p50']:.2f} s", "", ""),
            ("model: update → answer complete p50", f"{m['complete_s_p50']:.2f} s", "", ""),
        ]  # fmt: skip
    write_report("telegram", rows, report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--per-chat", type=int, default=5)
    parser.add_argument("--overhead-n", type=int, default=200)
    parser.add_argument("--model-n", type=int, default=8)
    parser.add_argument("--skip-model", action="store_true")
    parser.add_argument("--skip-load", action="store_true", help="no 200-chat run (e.g. to re-measure the model)")
    parser.add_argument(
        "--data-dir", default=str(ROOT / "bench" / "results" / "telegram-data"), help="knowledge store (reused)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
