"""Operations endpoints for every server: ``/healthz`` (alive), ``/readyz`` (database, Redis, Chroma and the
model reachable) and Prometheus ``/metrics``, served from a small HTTP thread beside the bot.

Metrics are recorded where things happen (turns, fallbacks, blocks, fact-check drops, platform 429 waits,
dropped duplicates); open tickets and the live release are read at scrape time.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector

from .types import CardsReady, IncomingMessage, Reply, ReplyDone, ReplyEvent, TextDelta

log = logging.getLogger("shopguide.operations")

# Chat latencies: a retrieval-only answer shows in tens of milliseconds, a CPU model's first token in seconds.
LATENCY_BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0)
# A readiness probe answers well inside the orchestrator's usual one-second-plus timeout.
CHECK_TIMEOUT_S = 2.0

TURNS = Counter("shopguide_turns_total", "Turns answered, by platform and outcome", ["platform", "outcome"])
FIRST_VISIBLE = Histogram(
    "shopguide_first_visible_seconds",
    "From a message reaching the core to the first thing the shopper can see (cards or text)",
    ["platform"],
    buckets=LATENCY_BUCKETS_S,
)
TIME_TO_FIRST_TOKEN = Histogram(
    "shopguide_time_to_first_token_seconds",
    "From a message reaching the core to the first streamed answer text",
    ["platform"],
    buckets=LATENCY_BUCKETS_S,
)
FALLBACKS = Counter("shopguide_fallbacks_total", "Answers replaced by the retrieval-only text, by reason", ["reason"])
SAFETY_BLOCKS = Counter(
    "shopguide_safety_blocks_total", "Messages refused or answers replaced by a safety check", ["stage", "reason"]
)
FACTCHECK_DROPS = Counter("shopguide_factcheck_drops_total", "Sentences or claims the fact check removed")
RATE_LIMIT_WAITS = Counter(
    "shopguide_platform_429_waits_total", "Times a platform answered 429 / flood wait and we backed off", ["platform"]
)
RATE_LIMIT_WAIT_SECONDS = Counter(
    "shopguide_platform_429_wait_seconds_total", "Seconds the platforms asked us to wait", ["platform"]
)
DUPLICATES_DROPPED = Counter(
    "shopguide_duplicates_dropped_total", "Redelivered events or updates answered once and dropped", ["source"]
)


def record_rate_limit_wait(platform: str, seconds: float) -> None:
    RATE_LIMIT_WAITS.labels(platform).inc()
    RATE_LIMIT_WAIT_SECONDS.labels(platform).inc(max(0.0, seconds))


def record_reply(platform: str, reply: Reply) -> None:
    """Outcome, fallback and safety counters of one finished turn."""
    if reply.blocked:
        outcome = "blocked"
        SAFETY_BLOCKS.labels("input", reply.blocked).inc()
    elif reply.handoff:
        outcome = "handoff"
    elif reply.degraded:
        outcome = "fallback"
        stage, _, reason = reply.degraded.partition(":")
        if stage == "safety_out":
            SAFETY_BLOCKS.labels("output", reason).inc()
        FALLBACKS.labels(stage).inc()
    else:
        outcome = "answered"
    TURNS.labels(platform, outcome).inc()


async def measured(message: IncomingMessage, events: AsyncIterator[ReplyEvent]) -> AsyncIterator[ReplyEvent]:
    """Pass a turn's events through, timing what the shopper first sees and counting how the turn ended."""
    started = time.perf_counter()
    visible = token = False
    finished = False
    try:
        async for event in events:
            if not visible and isinstance(event, (CardsReady, TextDelta)):
                visible = True
                FIRST_VISIBLE.labels(message.platform).observe(time.perf_counter() - started)
            if not token and isinstance(event, TextDelta) and event.text:
                token = True
                TIME_TO_FIRST_TOKEN.labels(message.platform).observe(time.perf_counter() - started)
            if isinstance(event, ReplyDone):
                finished = True
                if not visible:
                    FIRST_VISIBLE.labels(message.platform).observe(time.perf_counter() - started)
                record_reply(message.platform, event.reply)
            yield event
    finally:
        if not finished:
            TURNS.labels(message.platform, "error").inc()


class _ScrapeTimeGauges(Collector):
    """Open tickets and the live release, read when Prometheus scrapes (never stale, nothing to update)."""

    def __init__(self) -> None:
        self.open_tickets: Callable[[], int] | None = None
        self.live_release: Callable[[], str | None] | None = None

    def collect(self) -> Iterable[GaugeMetricFamily]:
        if self.open_tickets is not None:
            try:
                yield GaugeMetricFamily(
                    "shopguide_open_tickets", "Handoff tickets waiting for staff", value=self.open_tickets()
                )
            except Exception as exc:
                log.warning("metrics open_tickets_failed error=%s", type(exc).__name__)
        if self.live_release is not None:
            family = GaugeMetricFamily(
                "shopguide_live_release", "The knowledge release this replica serves (value 1)", labels=["release"]
            )
            release = self.live_release()
            if release is not None:
                family.add_metric([release], 1)
            yield family


SCRAPE_TIME = _ScrapeTimeGauges()
REGISTRY.register(SCRAPE_TIME)


Check = Callable[[], str]  # returns a short detail on success, raises on failure


@dataclass
class Readiness:
    """Named dependency checks; ready when every one passes."""

    checks: dict[str, Check] = field(default_factory=dict)

    def run(self) -> tuple[bool, dict[str, str]]:
        results: dict[str, str] = {}
        ready = True
        for name, check in self.checks.items():
            try:
                results[name] = "ok: " + check()
            except Exception as exc:
                ready = False
                # The exception type and first line only: a URL with a password never reaches the probe body.
                results[name] = f"failed: {type(exc).__name__}"
        return ready, results


def model_check(base_url: str) -> Check:
    """An OpenAI-compatible server is reachable when it lists its models."""

    def check() -> str:
        response = httpx.get(base_url.rstrip("/") + "/models", timeout=CHECK_TIMEOUT_S)
        response.raise_for_status()
        return "models listed"

    return check


class OperationsServer:
    """``/healthz``, ``/readyz`` and ``/metrics`` on their own port, in a daemon thread: a stuck event loop
    in the bot shows as failing probes elsewhere, not as a probe that never answers."""

    def __init__(self, host: str, port: int, readiness: Readiness) -> None:
        readiness_ref = readiness

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/healthz":
                    self._send(200, "application/json", b'{"status": "alive"}')
                elif self.path == "/readyz":
                    ready, results = readiness_ref.run()
                    body = json.dumps({"ready": ready, "checks": results}).encode()
                    self._send(200 if ready else 503, "application/json", body)
                elif self.path == "/metrics":
                    self._send(200, CONTENT_TYPE_LATEST, generate_latest(REGISTRY))
                else:
                    self._send(404, "text/plain", b"not found")

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # probes every few seconds: no access log
                return

        self._server = ThreadingHTTPServer((host, port), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="ops-http", daemon=True)

    def start(self) -> OperationsServer:
        self._thread.start()
        log.info("operations server listening port=%d paths=/healthz,/readyz,/metrics", self.port)
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
