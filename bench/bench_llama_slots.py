"""llama.cpp parallel slots: aggregate decode throughput with 1, 2 and 4 concurrent generations in one process.

One ``LlamaCppGenerator`` (the shipped model, in-process through xllamacpp) with 4 slots; for each level the
same number of different prompts is generated at once, ``--tokens`` tokens each at temperature 0, and the
tokens the server reports (``usage.completion_tokens``) are divided by the wall time of the whole batch.
Baseline in the same run: 1 generation at a time. Target: >= 2x aggregate tokens/s at 4 slots.

    nice -n 10 python bench/bench_llama_slots.py [--tokens 96] [--rounds 2] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from _report import verdict, write_report

from assistant.config import Settings
from assistant.llm.llamacpp import LlamaCppGenerator
from assistant.llm.model_files import assemble_model

LEVELS = (1, 2, 4)
TARGET_AT_4 = 2.0
# Different prompts so no slot reuses another's cached prefix; each asks for a long enough answer.
PROMPTS = [
    "Describe three things to check when buying running shoes.",
    "Explain how noise cancelling headphones work, step by step.",
    "Write a short guide to choosing a backpack for a day hike.",
    "List the pros and cons of wireless earbuds for the gym.",
]
CONTEXT = 1024


def completion_tokens(chunks: list[Any]) -> int:
    """Tokens the server says it generated (the last chunk of a non-streamed answer carries ``usage``)."""
    for chunk in reversed(chunks):
        data = json.loads(chunk) if isinstance(chunk, str) else chunk
        usage = data.get("usage") if isinstance(data, dict) else None
        if usage:
            return int(usage.get("completion_tokens", 0))
    return 0


def batch(generator: LlamaCppGenerator, concurrent: int, tokens: int) -> tuple[int, float]:
    """``concurrent`` generations at once; (tokens generated, wall seconds)."""
    counts = [0] * concurrent

    def one(index: int) -> None:
        request = {
            "messages": [{"role": "user", "content": PROMPTS[index % len(PROMPTS)]}],
            "max_tokens": tokens,
            "temperature": 0,
            "cache_prompt": False,
        }
        counts[index] = completion_tokens(generator.complete_raw(request))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(concurrent)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=96)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    settings = Settings()
    path = assemble_model(settings.llm_model, settings.cache_dir)
    load_before = os.getloadavg()
    generator = LlamaCppGenerator(path, threads=args.threads, context=CONTEXT, parallel=max(LEVELS))
    batch(generator, 1, 8)  # warm-up: first-use allocations stay out of the figures
    results: dict[int, dict[str, float]] = {}
    for _ in range(args.rounds):  # levels interleaved per round, so a load change hits all of them
        for level in LEVELS:
            made, seconds = batch(generator, level, args.tokens)
            entry = results.setdefault(level, {"tokens": 0, "seconds": 0.0})
            entry["tokens"] += made
            entry["seconds"] += seconds
    rates = {level: r["tokens"] / r["seconds"] for level, r in results.items()}
    rows = [
        (f"{level} concurrent: tokens/s", f"{rates[level]:.1f}", "baseline" if level == 1 else "", "")
        for level in LEVELS
    ]
    ratio2, ratio4 = rates[2] / rates[1], rates[4] / rates[1]
    rows += [
        ("2 slots vs 1", f"{ratio2:.2f}x", "", ""),
        ("4 slots vs 1", f"{ratio4:.2f}x", f">= {TARGET_AT_4}x", verdict(ratio4 >= TARGET_AT_4)),
    ]
    data = {
        "model": path.name,
        "threads": args.threads,
        "tokens_per_generation": args.tokens,
        "rounds": args.rounds,
        "load_before": load_before,
        "tokens_per_s": rates,
        "ratio_2": ratio2,
        "ratio_4": ratio4,
        "raw": results,
    }
    write_report("bench_llama_slots", rows, data)


if __name__ == "__main__":
    main()
