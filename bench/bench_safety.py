"""Safety step latency per message on this machine, with same-run baselines.

Measures every input check (oversize, rules, detector, split-turn) and output check on all bundled
messages (zh and en, attacks and benign), the whole input side per message with every layer on (target:
p50 <= 20 ms on 2 cores), and as baselines in the same run: the first version of the input filter (rules
without the hint-free decoders, JSON embedding classifier; ``assistant/safety/baseline.py``), the detector's
two feature kinds alone (sentence encoder, character n-grams), and one bare encoder call on one and on two
threads (why the detector pins one). Prints a table and writes bench/results/safety.json.

    python bench/bench_safety.py [--reps 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.ports import SafetyContext
from assistant.safety import build_input_checks, build_output_checks
from assistant.safety.baseline import build_baseline_checks
from assistant.safety.datasets import load_bundled
from assistant.safety.detector import ngram_matrix
from assistant.safety.input_filters import ClassifierCheck
from knowledge.embedding import MultilingualUSE

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_P50_MS = 20.0
THREADS_BASELINE_REPS = 20
ANSWERS = [
    "The X200 costs ¥1,299 and 12 are in stock; it has a 2-year warranty.",
    "X200 降噪耳机售价1299元，续航30小时，保修2年。",
    "Good news: 20% off today and it will arrive tomorrow!",
    "Compared with the Nordpeak, the Kestrel is lighter but has a smaller battery.",
]
REQUEST = "tell me about the X200 headphones"
FACTS = (
    f"<<<FACTS\n- X200 Headphones ¥1,299 stock 12; warranty_years=2, battery_hours=30\nFACTS>>>\nQUESTION: {REQUEST}"
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def figures(values: list[float]) -> dict[str, float]:
    return {"p50": round(pct(values, 50), 3), "p95": round(pct(values, 95), 3), "n": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1, help="passes over the bundled sets")
    args = parser.parse_args()
    settings = Settings()
    checks = build_input_checks(settings)
    for check in checks:
        if isinstance(check, ClassifierCheck):
            check.warm_up()
    messages = load_bundled()
    step_ms: dict[str, list[float]] = {c.name: [] for c in checks}
    total_ms: list[float] = []
    for _ in range(args.reps):
        for message in messages:
            language = "zh" if message.lang == "zh" else "en"
            started = time.perf_counter()
            context = SafetyContext(history=message.history)
            for check in checks:  # every check runs, so each is timed on every message
                step_start = time.perf_counter()
                check.check(message.text, language, context)
                step_ms[check.name].append((time.perf_counter() - step_start) * 1000)
            total_ms.append((time.perf_counter() - started) * 1000)

    output_checks = build_output_checks(settings)
    out_ms: dict[str, list[float]] = {c.name: [] for c in output_checks}
    out_total: list[float] = []
    for _ in range(50):
        for answer in ANSWERS:
            started = time.perf_counter()
            for check in output_checks:
                step_start = time.perf_counter()
                check.check(answer, "en", SafetyContext(prompt=FACTS, request=REQUEST))
                out_ms[check.name].append((time.perf_counter() - step_start) * 1000)
            out_total.append((time.perf_counter() - started) * 1000)

    first_version = build_baseline_checks(settings)
    for check in first_version:
        warm = getattr(check, "warm_up", None)
        if callable(warm):
            warm()
    first_total: list[float] = []
    for _ in range(args.reps):
        for message in messages:
            language = "zh" if message.lang == "zh" else "en"
            started = time.perf_counter()
            for check in first_version:
                check.check(message.text, language, SafetyContext(history=message.history))
            first_total.append((time.perf_counter() - started) * 1000)

    texts = [m.text for m in messages]
    baselines: dict[str, list[float]] = {
        "first_version_input_total": first_total,
        "ngram_features_only": [],
        "encode_1_thread": [],
        "encode_2_threads": [],
    }
    for text in texts:
        started = time.perf_counter()
        ngram_matrix([text])
        baselines["ngram_features_only"].append((time.perf_counter() - started) * 1000)
    for name, threads, sample in (
        ("encode_1_thread", 1, texts),
        ("encode_2_threads", 2, texts[:THREADS_BASELINE_REPS]),
    ):
        encoder = MultilingualUSE(threads=threads)
        encoder.encode(["warm up"])
        for text in sample:
            started = time.perf_counter()
            encoder.encode([text])
            baselines[name].append((time.perf_counter() - started) * 1000)

    huge = "a" * (100 * 1024)
    started = time.perf_counter()
    for check in checks:
        if not check.check(huge, "en").allowed:
            break
    oversize_ms = (time.perf_counter() - started) * 1000

    result: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "messages": len(messages) * args.reps,
        "input_steps_ms": {name: figures(v) for name, v in step_ms.items()},
        "input_total_ms": figures(total_ms),
        "output_steps_ms": {name: figures(v) for name, v in out_ms.items()},
        "output_total_ms": figures(out_total),
        "baselines_ms": {name: figures(v) for name, v in baselines.items()},
        "oversize_100kb_ms": round(oversize_ms, 3),
        "target_input_p50_ms": TARGET_P50_MS,
        "meets_target": pct(total_ms, 50) + pct(out_total, 50) <= TARGET_P50_MS,
        "input_p50_ratio_to_first_version": round(pct(total_ms, 50) / pct(first_total, 50), 2),
    }
    print(f"{'step':<36}{'p50 ms':>10}{'p95 ms':>10}{'n':>8}")
    for section in ("input_steps_ms", "output_steps_ms", "baselines_ms"):
        for name, fig in result[section].items():
            print(f"{section.split('_')[0] + ' ' + name:<36}{fig['p50']:>10.3f}{fig['p95']:>10.3f}{fig['n']:>8}")
    for name in ("input_total_ms", "output_total_ms"):
        fig = result[name]
        print(f"{name.replace('_ms', ''):<36}{fig['p50']:>10.3f}{fig['p95']:>10.3f}{fig['n']:>8}")
    print(f"{'100 KB message refused in':<36}{oversize_ms:>10.3f}")
    verdict = "meets" if result["meets_target"] else "MISSES"
    print(f"safety steps p50 (input + output) {verdict} the {TARGET_P50_MS:g} ms target")
    print(f"mean input total {statistics.fmean(total_ms):.3f} ms")
    print(f"input p50 / first version's input p50 (same run): {result['input_p50_ratio_to_first_version']:.2f}x")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "safety.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"wrote {RESULTS / 'safety.json'}")


if __name__ == "__main__":
    main()
