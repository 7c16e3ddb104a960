"""What personalisation costs per turn: the same recommend turns with personalisation on and off, in the same
run, over the demo catalog, a recommender trained on generated history mapped onto its SKUs, and a shopper
with a stated profile and 100 history events. Retrieval-only answers (no model), so the difference is ours.
Prints a table and writes bench/results/personal.json.

    python bench/bench_personal.py [--turns 40]
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

from assistant.app import build_assistant, load_knowledge
from assistant.config import Settings
from assistant.evaluation.recommend_data import generate_events
from assistant.personal.profile import Preference, ShopperEvent, ShopperProfile, SQLiteProfileStore
from assistant.personal.training import train_model
from assistant.types import IncomingMessage
from bench._report import percentile, verdict, write_report

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


async def run_turns(settings: Settings, knowledge: object, messages: list[str], user: str) -> list[tuple[float, float]]:
    assistant = build_assistant(settings, use_configured_generator=False, knowledge=knowledge)  # type: ignore[arg-type]
    out: list[tuple[float, float]] = []
    for text in messages:
        reply = await assistant.ask(IncomingMessage(platform="telegram", chat_id=user, user_id=user, text=text))
        out.append((reply.latency_ms["total"], reply.latency_ms.get("personal", 0.0)))
    await assistant.aclose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shopguide-bench-personal-") as tmp:
        base = Settings(data_dir=Path(tmp), llm_backend="none")
        knowledge = load_knowledge(base)
        skus = [p.sku for p in knowledge.all_products()]
        started = time.perf_counter()
        events = history_on_demo_skus(skus, 1000)
        store = SQLiteProfileStore(base.memory_db)
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
        model.save(base.data_dir)
        store.close()
        setup_s = time.perf_counter() - started
        messages = [MESSAGES[i % len(MESSAGES)] for i in range(args.turns)]
        # Warm both paths once (classifier, embedding caches), then alternate on and off in rounds.
        on_settings = base
        off_settings = base.model_copy(update={"personalisation": False})
        asyncio.run(run_turns(on_settings, knowledge, MESSAGES[:2], "8"))
        asyncio.run(run_turns(off_settings, knowledge, MESSAGES[:2], "8"))
        on: list[tuple[float, float]] = []
        off: list[tuple[float, float]] = []
        for start in range(0, len(messages), len(MESSAGES)):
            chunk = messages[start : start + len(MESSAGES)]
            off += asyncio.run(run_turns(off_settings, knowledge, chunk, "9"))
            on += asyncio.run(run_turns(on_settings, knowledge, chunk, "9"))
    on_total = [t for t, _ in on]
    off_total = [t for t, _ in off]
    step = [s for _, s in on]
    added = percentile(on_total, 50) - percentile(off_total, 50)
    rows = [
        ("turn p50, personalisation off (baseline)", f"{percentile(off_total, 50):.1f} ms", "", ""),
        ("turn p50, personalisation on", f"{percentile(on_total, 50):.1f} ms", "", ""),
        ("added per turn (p50 on - p50 off)", f"{added:.1f} ms", f"<= {BUDGET_MS:g} ms", verdict(added <= BUDGET_MS)),
        ("personal step p50 / p95", f"{percentile(step, 50):.2f} / {percentile(step, 95):.2f} ms", "", ""),
        ("ratio on/off (p50)", f"{percentile(on_total, 50) / percentile(off_total, 50):.2f}x", "", ""),
    ]
    write_report(
        "personal",
        rows,
        {
            "turns": len(messages),
            "history_events": len(events),
            "setup_s": round(setup_s, 1),
            "turn_ms_off": off_total,
            "turn_ms_on": on_total,
            "personal_step_ms": step,
            "added_p50_ms": added,
        },
    )


if __name__ == "__main__":
    main()
