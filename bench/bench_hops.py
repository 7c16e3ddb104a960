"""The hops of one shopper message: calls from the core to the knowledge store per turn, and turn latency
(retrieval-only answers, no model), for this checkout and for a baseline commit in the same run.

The store is wrapped in a counting proxy (every call passes through to the real store, which answers);
each message runs in a fresh conversation, then a guided conversation runs three turns in one.

    python bench/bench_hops.py [--baseline REF] [--reps 5]

``--baseline REF`` checks REF out into a temporary git worktree and runs this same script against it in
a subprocess (same machine, same demo catalog, same moment), then prints both side by side.
Prints a table and writes bench/results/hops.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from _report import write_report

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = [
    "hello",
    "How much is Stridex AeroRun 2?",
    "Is Kestrel Swift 4 waterproof?",
    "compare SG-HPH-0001 and SG-HPH-0007",
    "What is the return policy?",
    "I need headphones",
    "1000元以内的降噪耳机，随便推荐",
    "the cheapest laptop",
    "do you sell pianos?",
]
CONVERSATION = ["I need headphones", "under 1000", "for commuting"]


class CountingStore:
    """Forwards every attribute to the real store and counts the calls made through it."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._store, name)
        if not callable(target) or name.startswith("_"):
            return target

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return target(*args, **kwargs)

        return counted


def measure(reps: int) -> dict[str, Any]:
    """Runs in whichever checkout is first on the import path."""
    from assistant.app import build_assistant, load_knowledge
    from assistant.config import Settings
    from assistant.types import IncomingMessage

    cache = Path(os.environ.get("SHOPGUIDE_TEST_CACHE", Path.home() / ".cache" / "shopguide-tests"))
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), cache_dir=cache, llm_backend="none")
        store = load_knowledge(settings)
        counting = CountingStore(store)
        assistant = build_assistant(settings, use_configured_generator=False, knowledge=counting)  # type: ignore[arg-type]
        turns: dict[str, dict[str, Any]] = {}

        async def run() -> None:
            for index, text in enumerate([*MESSAGES, "(3-turn conversation)"]):
                latencies: list[float] = []
                calls: Counter[str] = Counter()
                for rep in range(reps):
                    counting.calls.clear()
                    start = time.perf_counter()
                    script = CONVERSATION if index == len(MESSAGES) else [text]
                    for line in script:
                        message = IncomingMessage(platform="bench", chat_id=f"c{index}-{rep}", user_id="u", text=line)
                        await assistant.ask(message)
                    latencies.append((time.perf_counter() - start) * 1000)
                    calls = Counter(counting.calls)
                turns[text] = {"store_calls": sum(calls.values()), "by_method": dict(calls),
                               "ms_p50": statistics.median(latencies)}  # fmt: skip

        asyncio.run(run())
        assistant.memory.close()
    return {"turns": turns}


def baseline(ref: str, reps: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref], check=True,
                       capture_output=True)  # fmt: skip
        try:
            env = {**os.environ, "PYTHONPATH": str(tree)}
            out = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--measure-only", "--reps", str(reps)],
                check=True,
                capture_output=True,
                text=True,
                env=env,
                cwd=tree,
            ).stdout
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
        return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", help="git ref to compare with (checked out in a temporary worktree)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        print(json.dumps(measure(args.reps)))
        return
    before = baseline(args.baseline, args.reps) if args.baseline else None
    after = measure(args.reps)
    rows: list[tuple[str, str, str, str]] = []
    for text, now in after["turns"].items():
        was = before["turns"].get(text) if before else None
        calls = f"{was['store_calls']} -> {now['store_calls']}" if was else str(now["store_calls"])
        ratio = f"{now['ms_p50'] / was['ms_p50']:.2f}x" if was else ""
        rows.append((text[:40], calls, f"{now['ms_p50']:.0f} ms", ratio))
    write_report("hops", rows, {"baseline_ref": args.baseline, "before": before, "after": after})
    print("columns: store calls per turn (baseline -> this checkout), turn p50 latency here, ratio to baseline")


if __name__ == "__main__":
    main()
