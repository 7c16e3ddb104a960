"""What personalisation costs per turn, over the demo catalog, a recommender trained on generated history
mapped onto its SKUs, and a shopper with a stated profile and 100 history events.

The judged figure is CPU time (this thread's): the guide's decision alone (baseline) and what personalisation
adds to it (profile and history reads, statements, the ranker, favourites), paired per message and repeated,
so other processes on a busy machine do not count. Whole turns with personalisation on and off (paired,
retrieval-only answers) are printed too, as wall time: on a loaded 2-core machine they swing by tens of ms.
Prints a table and writes bench/results/personal.json.

    python bench/bench_personal.py [--turns 40] [--database-url postgresql://…]

With ``--database-url`` profiles, history and conversations live in Postgres (a fresh schema, dropped at the
end), as with ``SHOPGUIDE_DATABASE_URL``: the personal step's wall time then includes its round trips.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from _report import percentile, verdict, write_report

from assistant.app import Assistant, build_assistant, load_knowledge
from assistant.config import Settings
from assistant.evaluation.recommend_data import generate_events
from assistant.guide import ShoppingGuide
from assistant.personal.profile import Preference, ShopperEvent, ShopperProfile
from assistant.personal.ranking import PersonalRanking
from assistant.personal.recommender import RELEASE_MODEL, load_model
from assistant.personal.service import HISTORY_EVENTS
from assistant.personal.statements import read_statements
from assistant.personal.training import train_model
from assistant.state.backends import dispose_shared, open_profile_store, shared_engine
from assistant.state.sql import drop_schema
from assistant.types import IncomingMessage
from assistant.understanding import CatalogVocabulary, Understander
from knowledge.release_models import live_model_dir
from knowledge.store import KnowledgeStore

STEPS: list[tuple[dict[str, float], dict[str, float], str]] = []
BUDGET_MS = 10.0  # the bound on what personalisation may add to a turn (p50)
MESSAGES = [
    "running shoes under 800",
    "降噪耳机，1000元以内",
    "a backpack under 600 for travel",
    "推荐一款2000元以内的智能手表",
    "water bottles under 300",
    "show me something else",
    "jackets under 1500",
    "3000元以内的手机",
]


def history_on_demo_skus(skus: list[str], shoppers: int) -> list[ShopperEvent]:
    """Generated shopping histories with each generated item mapped onto a demo SKU (the structure of
    segments, complements and repeat buys is kept; the catalog is the demo one)."""
    world, events = generate_events(shoppers, seed=3)
    mapping = {item.sku: skus[i % len(skus)] for i, item in enumerate(world.items)}
    return [ShopperEvent(e.shopper, mapping[e.sku], e.kind, e.at) for e in events]


async def paired_turns(
    on: Assistant, off: Assistant, messages: list[str], user: str
) -> list[tuple[float, float, float]]:
    """Each message through both assistants, back to back, the order alternating: load on the machine hits
    both sides of a pair alike. Returns (off ms, on ms, personal step ms) per message."""
    out: list[tuple[float, float, float]] = []
    for i, text in enumerate(messages):
        message = IncomingMessage(platform="telegram", chat_id=user, user_id=user, text=text)
        first, second = (off, on) if i % 2 == 0 else (on, off)
        a = await first.ask(message)
        b = await second.ask(message)
        off_reply, on_reply = (a, b) if first is off else (b, a)
        out.append(
            (off_reply.latency_ms["total"], on_reply.latency_ms["total"], on_reply.latency_ms.get("personal", 0.0))
        )
        STEPS.append((dict(off_reply.latency_ms), dict(on_reply.latency_ms), text))
    return out


def cpu_cost(knowledge: KnowledgeStore, base: Settings, reps: int) -> tuple[list[float], list[float]]:
    """CPU time (this thread's, so the machine's other load does not count) of the guide's decision without
    and with this shopper's ranker, and of what the personal step does (profile, history, statements), per
    message, paired and repeated."""
    vocabulary = CatalogVocabulary.from_products(knowledge.all_products())
    understander = Understander(vocabulary)
    guide = ShoppingGuide(knowledge, vocabulary.label)
    store = open_profile_store(base)
    folder = live_model_dir(knowledge, RELEASE_MODEL)
    model = load_model(folder) if folder is not None else None
    catalog = {p.sku: p for p in knowledge.all_products()}
    plain: list[float] = []
    added: list[float] = []
    for _ in range(reps):
        for text in MESSAGES:
            language = "zh" if any(ord(c) > 0x2E80 for c in text) else "en"
            slots = understander.understand(text, language, [], False).slots
            if not slots.category:
                continue
            start = time.thread_time()
            guide.decide(slots, text, language, clarify_count=0, just_recommend=True)
            without = time.thread_time() - start
            start = time.thread_time()
            profile, history = store.snapshot("telegram:9", HISTORY_EVENTS)
            read_statements(text, vocabulary.brands, time.time())
            ranking = PersonalRanking(profile, history, model, catalog=catalog)
            guide.decide(slots, text, language, clarify_count=0, just_recommend=True, ranker=ranking)
            with_ranker = time.thread_time() - start
            plain.append(without * 1000)
            added.append((with_ranker - without) * 1000)
    store.close()
    return plain, added


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--reps", type=int, default=20, help="repetitions of the CPU-time measurement")
    parser.add_argument("--database-url", default="", help="keep profiles and conversations in this Postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shopguide-bench-personal-") as tmp:
        schema = f"bench_personal_{os.getpid()}"
        base = Settings(data_dir=Path(tmp), llm_backend="none", database_url=args.database_url, database_schema=schema)
        knowledge = load_knowledge(base)
        skus = [p.sku for p in knowledge.all_products()]
        started = time.perf_counter()
        events = history_on_demo_skus(skus, 1000)
        store = open_profile_store(base)
        store.add_events(events)
        mine = [e for e in events if e.shopper == "gen:00001"][:100]
        store.add_events([ShopperEvent("telegram:9", e.sku, e.kind, e.at) for e in mine])

        def stated(profile: ShopperProfile) -> None:
            for pref in (
                Preference("brand", "Lumo", liked=False),
                Preference("colour", "red", liked=False),
                Preference("brand", "Kestrel"),
                Preference("budget", "900", scope="running_shoes"),
            ):
                profile.remember(pref)

        store.update("telegram:9", stated)
        model = train_model(store.all_events(), skus)
        knowledge.publish_model(RELEASE_MODEL, model.save)  # served from the release, as in production
        store.close()
        setup_s = time.perf_counter() - started
        messages = [MESSAGES[i % len(MESSAGES)] for i in range(args.turns)]
        on_assistant = build_assistant(base, use_configured_generator=False, knowledge=knowledge)
        off_assistant = build_assistant(
            base.model_copy(update={"personalisation": False}), use_configured_generator=False, knowledge=knowledge
        )
        asyncio.run(paired_turns(on_assistant, off_assistant, MESSAGES[:4], "8"))  # warm caches on both paths
        pairs = asyncio.run(paired_turns(on_assistant, off_assistant, messages, "9"))
        decide_cpu, added_cpu = cpu_cost(knowledge, base, args.reps)
        asyncio.run(on_assistant.aclose())
        asyncio.run(off_assistant.aclose())
        if args.database_url:
            drop_schema(shared_engine(base), schema)
            dispose_shared()
    off_total = [p[0] for p in pairs]
    on_total = [p[1] for p in pairs]
    step = [p[2] for p in pairs]
    added = percentile([p[1] - p[0] for p in pairs], 50)
    cpu_added = percentile(added_cpu, 50)
    rows = [
        ("guide decision CPU p50, no personalisation", f"{percentile(decide_cpu, 50):.2f} ms", "", "baseline"),
        (
            "added CPU p50 (profile, history, ranking)",
            f"{cpu_added:.2f} ms",
            f"<= {BUDGET_MS:g} ms",
            verdict(cpu_added <= BUDGET_MS),
        ),
        ("added CPU p95", f"{percentile(added_cpu, 95):.2f} ms", "", ""),
        (
            "turn wall p50, off / on",
            f"{percentile(off_total, 50):.0f} / {percentile(on_total, 50):.0f} ms",
            "",
            "noisy under load",
        ),
        ("turn wall added (median of pairs)", f"{added:.1f} ms", "", "noisy under load"),
        ("personal step wall p50 / p95", f"{percentile(step, 50):.2f} / {percentile(step, 95):.2f} ms", "", ""),
    ]
    write_report(
        "personal_postgres" if args.database_url else "personal",
        rows,
        {
            "store": "postgres" if args.database_url else "sqlite",
            "turns": len(messages),
            "history_events": len(events),
            "setup_s": round(setup_s, 1),
            "turn_ms_off": off_total,
            "turn_ms_on": on_total,
            "personal_step_ms": step,
            "added_p50_ms": added,
            "decide_cpu_ms": decide_cpu,
            "added_cpu_ms": added_cpu,
            "added_cpu_p50_ms": cpu_added,
            "step_ms": STEPS,
        },
    )


if __name__ == "__main__":
    main()
