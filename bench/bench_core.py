"""Core latency and throughput on this machine, with same-run baselines.

Measures: llama.cpp decode inside shopguide vs bare xllamacpp on the same GGUF (ratio), the transformers
backend (when installed), first visible content / model time-to-first-token / complete answer through the
pipeline, retrieval latency, and cold start of `shopguide chat` to its first prompt.
Prints a table and writes bench/results/core.json.

    python bench/bench_core.py [--questions 12] [--skip-transformers] [--skip-cold-start]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.app import build_assistant, load_knowledge
from assistant.config import Settings
from assistant.llm.llamacpp import QUIET, LlamaCppGenerator, chunk_text
from assistant.llm.model_files import assemble_default_model
from assistant.ports import ChatMessage
from assistant.types import CardsReady, IncomingMessage, ReplyDone, TextDelta
from knowledge.search import ProductQuery

RESULTS = Path(__file__).resolve().parent / "results"
DECODE_PROMPT = "Write a long, detailed product story about a pair of running shoes."
DECODE_TOKENS = 128
DECODE_REPS = 3
RETRIEVAL_REPS = 200
COLD_START_TIMEOUT_S = 120
QUESTIONS = [
    "How much is Stridex AeroRun 2?",
    "Auralis 静界头戴式降噪耳机 3代多少钱？",
    "What is the return policy?",
    "满多少钱包邮？",
    "Is Kestrel Swift 4 in stock?",
    "Nordpeak Summit 14 的内存是多少？",
    "compare SG-HPH-0001 and SG-HPH-0007",
    "waterproof trail running shoes under 1000, just recommend",
    "1000元以内的降噪耳机，随便推荐",
    "How long is the warranty on headphones?",
    "Lumo 随心真无线耳机 2代 Pro 续航多久？",
    "How heavy is Stridex AeroRun 2?",
]


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def bare_decode(model: Path, threads: int) -> float:
    """Baseline: xllamacpp's own server, streaming, callback does nothing but timestamp."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(model)
    params.n_ctx = 2048
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.warmup = False
    params.verbosity = QUIET
    server = xlc.Server(params)
    rates = []
    for _ in range(DECODE_REPS):
        stamps: list[float] = []

        def on_chunk(raw: Any, stamps: list[float] = stamps) -> None:
            if chunk_text(raw):
                stamps.append(time.perf_counter())

        request = {
            "messages": [{"role": "user", "content": DECODE_PROMPT}],
            "stream": True,
            "max_tokens": DECODE_TOKENS,
            "temperature": 0,
        }
        server.handle_chat_completions(json.dumps(request), on_chunk)
        rates.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
    del server
    return p50(rates)


async def shopguide_decode(generator: LlamaCppGenerator) -> float:
    rates = []
    for _ in range(DECODE_REPS):
        stamps = []
        async for _delta in generator.stream(
            [ChatMessage("user", DECODE_PROMPT)], max_tokens=DECODE_TOKENS, temperature=0
        ):
            stamps.append(time.perf_counter())
        rates.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
    return p50(rates)


async def transformers_decode(model: Path, cache: Path, threads: int) -> dict[str, float] | str:
    try:
        import torch  # noqa: F401
    except ImportError:
        return "not installed (pip install -e '.[transformers]')"
    from assistant.llm.transformers_backend import TransformersGenerator

    start = time.perf_counter()
    generator = TransformersGenerator(model, cache_dir=cache, threads=threads)
    load_s = time.perf_counter() - start
    stamps = []
    async for _delta in generator.stream([ChatMessage("user", DECODE_PROMPT)], max_tokens=64, temperature=0):
        stamps.append(time.perf_counter())
    return {"load_s": load_s, "decode_tok_s": (len(stamps) - 1) / (stamps[-1] - stamps[0])}


async def pipeline_latency(settings: Settings, store: Any, generator: LlamaCppGenerator, n: int) -> dict[str, Any]:
    assistant = build_assistant(settings, generator=generator, knowledge=store)
    # Warm the system prompt's KV cache and the query-embedding path once, as a running bot would be.
    await assistant.ask(IncomingMessage(platform="bench", chat_id="warm", user_id="w", text=QUESTIONS[0]))
    visible, ttft, complete, tokens = [], [], [], []
    for index, question in enumerate((QUESTIONS * 3)[:n]):
        message = IncomingMessage(platform="bench", chat_id="b", user_id=f"u{index}", text=question)
        start = time.perf_counter()
        first_visible = first_text = None
        deltas = 0
        async for event in assistant.respond(message):
            now = time.perf_counter() - start
            if isinstance(event, CardsReady) and first_visible is None:
                first_visible = now
            elif isinstance(event, TextDelta) and event.text:
                deltas += 1
                first_text = first_text if first_text is not None else now
            elif isinstance(event, ReplyDone):
                complete.append(now)
                if "first_token" in event.reply.latency_ms:
                    ttft.append(event.reply.latency_ms["first_token"] / 1000)
        visible.append(first_visible if first_visible is not None else complete[-1])
        tokens.append(deltas)
    return {
        "questions": n,
        "first_visible_p50_s": p50(visible),
        "model_ttft_p50_s": p50(ttft),
        "complete_p50_s": p50(complete),
        "tokens_p50": p50([float(t) for t in tokens]),
    }


def retrieval_latency(store: Any) -> float:
    queries = [
        ProductQuery(text="waterproof running shoes", category="running_shoes", price_max=1000, in_stock_only=True),
        ProductQuery(text="降噪耳机 通勤", category="headphones", attributes={"noise_cancelling": True}),
        ProductQuery(text="light laptop for travel", price_max=8000),
    ]
    for q in queries:
        store.search_products(q)
    times = []
    for i in range(RETRIEVAL_REPS):
        q = queries[i % len(queries)]
        start = time.perf_counter()
        store.search_products(ProductQuery(**{**q.__dict__, "text": f"{q.text} {i}"}))  # uncached embedding
        times.append((time.perf_counter() - start) * 1000)
    return p50(times)


def cold_start(data_dir: Path, cache_dir: Path) -> float:
    """Seconds from launching `shopguide chat` to its first input prompt (store and model already built)."""
    env = {**os.environ, "SHOPGUIDE_DATA_DIR": str(data_dir), "SHOPGUIDE_CACHE_DIR": str(cache_dir)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bots.cli", "chat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    seen = b""
    elapsed = float("nan")
    deadline = start + COLD_START_TIMEOUT_S
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
            if b"you>" in seen:
                elapsed = time.perf_counter() - start
                break
    proc.kill()
    proc.wait()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument("--skip-transformers", action="store_true")
    parser.add_argument("--skip-cold-start", action="store_true")
    args = parser.parse_args()
    threads = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="shopguide-bench-"))
    settings = Settings(data_dir=work / "data", cache_dir=Path(os.environ.get("SHOPGUIDE_CACHE_DIR", work / "cache")))
    model = assemble_default_model(settings.cache_dir)
    store = load_knowledge(settings)

    baseline = bare_decode(model, threads)
    generator = LlamaCppGenerator(model, threads=threads, context=settings.llm_context)
    ours = asyncio.run(shopguide_decode(generator))
    latency = asyncio.run(pipeline_latency(settings, store, generator, args.questions))
    retrieval_ms = retrieval_latency(store)
    cold = float("nan") if args.skip_cold_start else cold_start(settings.data_dir, settings.cache_dir)
    tf: dict[str, float] | str = "skipped"
    if not args.skip_transformers:
        tf = asyncio.run(transformers_decode(model, settings.cache_dir, threads))

    report = {
        "machine": {"cores": threads},
        "decode_tok_s": {"bare_xllamacpp": baseline, "shopguide_llamacpp": ours, "ratio": ours / baseline},
        "transformers": tf,
        "pipeline": latency,
        "retrieval_p50_ms": retrieval_ms,
        "cold_start_chat_s": cold,
        "targets": {
            "first_visible_p50_s": 0.5, "model_ttft_p50_s": 1.5, "complete_p50_s": 4.0,
            "decode_ratio": 0.9, "retrieval_p50_ms": 15, "cold_start_chat_s": 10,
        },
    }  # fmt: skip
    rows = [
        ("decode tok/s, bare xllamacpp (baseline)", f"{baseline:.1f}", ""),
        ("decode tok/s, shopguide llamacpp", f"{ours:.1f}", f"ratio {ours / baseline:.2f} (≥ 0.90)"),
        (
            "decode tok/s, transformers backend",
            f"{tf['decode_tok_s']:.1f}" if isinstance(tf, dict) else tf,
            f"ratio {tf['decode_tok_s'] / baseline:.2f}, load {tf['load_s']:.0f} s" if isinstance(tf, dict) else "",
        ),
        ("first visible content p50 (s)", f"{latency['first_visible_p50_s']:.3f}", "≤ 0.5"),
        ("model time to first token p50 (s)", f"{latency['model_ttft_p50_s']:.2f}", "≤ 1.5"),
        (
            "complete answer p50 (s)",
            f"{latency['complete_p50_s']:.2f}",
            f"≤ 4 (p50 {latency['tokens_p50']:.0f} chunks)",
        ),
        ("retrieval p50 (ms)", f"{retrieval_ms:.1f}", "≤ 15"),
        ("cold start `shopguide chat` → prompt (s)", f"{cold:.1f}", "≤ 10"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'metric'.ljust(width)}  {'value':>10}  target / note")
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value:>10}  {note}")
    asyncio.run(generator.aclose())  # release llama.cpp before interpreter shutdown
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "core.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"wrote {RESULTS / 'core.json'}")


if __name__ == "__main__":
    main()
