"""Which shipped model should be the default: accuracy on the second catalog against latency, same run.

For each shipped model that is installed (Qwen2.5-Coder-0.5B, the default; Qwen2.5-Coder-1.5B with the
``larger-model`` extra): bare decode speed through shopguide's llama.cpp backend, then the whole second-catalog
evaluation (``knowledge/data/eval/outdoor``) through the real pipeline with that model: fully right, yes/no,
honest "don't know", false abstain, numbers in a wrong role, echoes, model time to first token and seconds
per question. Prints a table and writes bench/results/models.json.

    python bench/bench_models.py [--sample 0] [--models qwen2.5-coder-0.5b,qwen2.5-coder-1.5b]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from _report import write_report

from assistant.config import Settings
from assistant.errors import ModelUnavailable
from assistant.evaluation.catalog_eval import (
    OUTDOOR_CATALOG,
    OUTDOOR_QUESTIONS,
    catalog_assistant,
    load_questions,
    run_catalog_eval,
)
from assistant.llm.llamacpp import LlamaCppGenerator
from assistant.llm.model_files import SHIPPED_MODELS, assemble_model
from assistant.ports import ChatMessage

DECODE_PROMPT = "Describe a two-person backpacking tent for a customer in about one hundred words."
DECODE_TOKENS = 96
DECODE_REPS = 3
# Generous: on a shared 2-core machine a slow answer must still count for its model, not fall back to retrieval.
BENCH_LLM_TIMEOUT_S = 120.0


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


async def decode_rate(generator: LlamaCppGenerator) -> dict[str, float]:
    """Tokens per second once streaming, and time to the first token, on a fixed prompt (p50 of reps)."""
    rates, firsts = [], []
    for _ in range(DECODE_REPS):
        start = time.perf_counter()
        stamps: list[float] = []
        async for _delta in generator.stream(
            [ChatMessage("user", DECODE_PROMPT)], max_tokens=DECODE_TOKENS, temperature=0
        ):
            stamps.append(time.perf_counter())
        firsts.append(stamps[0] - start)
        rates.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
    return {"decode_tok_s": p50(rates), "first_token_s": p50(firsts)}


def measure(name: str, settings: Settings, questions: list[dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    path = assemble_model(name, settings.cache_dir)
    generator = LlamaCppGenerator(
        path,
        threads=settings.llm_threads,
        context=settings.llm_context,
        parallel=max(settings.generation_limit, settings.llm_cache_slots),
    )
    load_s = time.perf_counter() - started
    speed = asyncio.run(decode_rate(generator))
    print(f"{name}: {speed}", file=sys.stderr, flush=True)
    with catalog_assistant(OUTDOOR_CATALOG, settings, generator=generator) as (assistant, load):
        report = asyncio.run(
            run_catalog_eval(
                assistant,
                questions,
                load["doc_texts"],
                on_answer=lambda done, total: print(f"{name}: {done}/{total}", file=sys.stderr, flush=True),
            )
        )
    first_tokens = [
        r["latency_ms"]["first_token"] / 1000 for r in report["results"] if "first_token" in r["latency_ms"]
    ]
    return {
        "model": name,
        "file": path.name,
        "size_mb": round(path.stat().st_size / 1e6),
        "load_s": round(load_s, 1),
        **{k: round(v, 3) for k, v in speed.items()},
        "pipeline_first_token_p50_s": round(p50(first_tokens), 3),
        **{k: v for k, v in report.items() if k not in ("results", "by_kind")},
        "by_kind": report["by_kind"],
        "results": report["results"],
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def model_rows(m: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Table rows for one model: speed first, then the second-catalog figures against the issue's targets."""
    label = m["model"]
    abstain = f"{_pct(m['honest_dont_know'])} / {_pct(m['false_abstain'])}"
    numbers = f"{m['numbers_wrong_role']} / {m['numbers_unsupported']} / {m['echoed']}"
    first_token = f"{m['first_token_s']:.2f} / {m['pipeline_first_token_p50_s']:.2f}"
    return [
        (f"{label}: size MB / load s", f"{m['size_mb']} / {m['load_s']}", "", ""),
        (f"{label}: decode tok/s", f"{m['decode_tok_s']:.1f}", "", ""),
        (f"{label}: first token s (bare / pipeline p50)", first_token, "", ""),
        (f"{label}: seconds per question p50", f"{m['seconds_p50']:.2f}", "", ""),
        (f"{label}: fully right", _pct(m["fully_right"]), "≥ 90%", ""),
        (f"{label}: yes/no right", _pct(m["yes_no_accuracy"]), "≥ 85%", ""),
        (f"{label}: honest don't know / false abstain", abstain, "≥90% / ≤5%", ""),
        (f"{label}: wrong-role / unsupported numbers / echoes", numbers, "0 / - / 0", ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=0, help="N questions spread evenly over the set (0 = all)")
    parser.add_argument("--models", default=",".join(SHIPPED_MODELS), help="comma-separated shipped model names")
    args = parser.parse_args()
    settings = Settings().model_copy(update={"llm_timeout_s": BENCH_LLM_TIMEOUT_S})
    questions = load_questions(OUTDOOR_QUESTIONS)
    if args.sample and args.sample < len(questions):
        # Evenly spaced, so every kind of question (they are grouped by kind) is represented.
        step = len(questions) / args.sample
        questions = [questions[int(i * step)] for i in range(args.sample)]
    measured: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    for name in args.models.split(","):
        try:
            measured.append(measure(name, settings, questions))
        except ModelUnavailable as exc:
            skipped[name] = f"{exc} ({exc.hint})"
    rows: list[tuple[str, str, str, str]] = []
    for m in measured:
        rows += model_rows(m)
    for name, reason in skipped.items():
        rows.append((f"{name}: not measured", reason[:60], "", ""))
    write_report(
        "models",
        rows,
        {
            "questions": len(questions),
            "models": measured,
            "skipped": skipped,
        },
    )


if __name__ == "__main__":
    main()
