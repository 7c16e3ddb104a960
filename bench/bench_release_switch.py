"""How soon a second replica serves a release switch made by another (``kb rollback`` / ``kb reload`` elsewhere).

Two stores on one embedded Chroma and one data directory act as two replicas. An admin store flips the live
release between two built releases (a rollback is instant, so what is timed is the follow, not a build); the
serving store is timed from the admin's switch returning to it serving the new release. Three ways, one run:

- ``file, polled``: the pointer file (one machine's default), the serving replica busy with one query every
  ``--query-ms`` (it notices on a query, at most once per second) — the baseline;
- ``file, idle``: the same with no queries: it notices only when the next query comes (reported as not followed
  within the bound);
- ``postgres, notified``: the pointer in Postgres, LISTEN/NOTIFY, no queries at all.

Needs Postgres on 127.0.0.1:5432 (database ``test``) for the third.

    python bench/bench_release_switch.py [--switches 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from _report import percentile, write_report

from assistant.config import DEMO_DATA_DIR
from assistant.state.release_pointer import PostgresPointerStore
from assistant.state.sql import drop_schema, open_engine
from knowledge.embedding import MultilingualUSE
from knowledge.pointer import PointerStore
from knowledge.registry import make_client
from knowledge.reload import reload_catalog
from knowledge.search import ProductQuery
from knowledge.store import KnowledgeStore

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BOUND_S = 3.0  # a switch not served within this is counted as not followed


def measure(make: Callable[[], KnowledgeStore], switches: int, query_every_s: float | None) -> tuple[list[float], int]:
    admin = make()
    catalog = DEMO_DATA_DIR
    ids = [reload_catalog(admin, [catalog]).release_id, reload_catalog(admin, [catalog]).release_id]
    serving = make()
    assert serving.open_live()
    stop = threading.Event()

    def busy() -> None:
        while query_every_s is not None and not stop.wait(query_every_s):
            serving.search_products(ProductQuery("running shoes"))

    worker = threading.Thread(target=busy, daemon=True)
    worker.start()
    latencies: list[float] = []
    missed = 0
    for n in range(switches):
        target = ids[n % 2]
        admin.activate(target)
        started = time.perf_counter()
        while serving.live.release_id != target and time.perf_counter() - started < BOUND_S:
            time.sleep(0.002)
        if serving.live.release_id == target:
            latencies.append(time.perf_counter() - started)
        else:
            missed += 1
            serving._follow_pointer_locked()  # catch up before the next switch
    stop.set()
    worker.join()
    admin.close()
    serving.close()
    return latencies, missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--switches", type=int, default=20)
    parser.add_argument("--query-ms", type=float, default=100.0, help="the polled replica's query interval")
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []
    data: dict[str, object] = {"switches": args.switches, "query_ms": args.query_ms}
    work = Path(tempfile.mkdtemp(prefix="shopguide-switch-"))
    schema = f"bench_switch_{uuid.uuid4().hex[:8]}"
    engine = None
    try:
        runs: dict[str, tuple[Callable[[], KnowledgeStore], float | None]] = {}
        for name, queries in (("file, polled", args.query_ms / 1000), ("file, idle", None)):
            folder = work / name.replace(", ", "-")
            client = make_client("embedded", folder / "chroma")
            runs[name] = ((lambda c=client, f=folder: KnowledgeStore(c, MultilingualUSE(threads=1), f / "kb")), queries)
        try:
            engine = open_engine(POSTGRES_URL, schema)
        except Exception as exc:  # no Postgres here: the notified run is left out, and said so
            print(f"postgres, notified: skipped ({type(exc).__name__})")
        if engine is not None:
            folder = work / "postgres"
            client = make_client("embedded", folder / "chroma")

            def notified(c=client, f=folder, e=engine) -> KnowledgeStore:  # type: ignore[no-untyped-def]
                pointer: PointerStore = PostgresPointerStore(e, POSTGRES_URL, schema)
                return KnowledgeStore(c, MultilingualUSE(threads=1), f / "kb", pointer=pointer)

            runs["postgres, notified"] = (notified, None)
        for name, (make, queries) in runs.items():
            latencies, missed = measure(make, args.switches, queries)
            data[name] = {"latencies_s": latencies, "missed": missed}
            p50 = percentile(latencies, 50) * 1000 if latencies else float("nan")
            p95 = percentile(latencies, 95) * 1000 if latencies else float("nan")
            rows.append((f"{name}: followed within {BOUND_S:g} s", f"{len(latencies)}/{args.switches}", "", ""))
            rows.append((f"{name}: switch -> served p50 / p95", f"{p50:.0f} / {p95:.0f} ms", "", ""))
    finally:
        if engine is not None:
            drop_schema(engine, schema)
            engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
    write_report("release_switch", rows, data)


if __name__ == "__main__":
    main()
