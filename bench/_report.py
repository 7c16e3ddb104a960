"""Shared bench output: a printed table and a JSON file under bench/results/ (gitignored)."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def write_report(name: str, rows: list[tuple[str, str, str, str]], data: dict[str, Any]) -> Path:
    """Print ``(metric, measured, target, verdict)`` rows and save everything as JSON."""
    width = max(len(r[0]) for r in rows) + 2
    print(f"\n{name}  ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
    print(f"{'metric':<{width}}{'measured':>14}{'target':>14}  verdict")
    for metric, measured, target, verdict in rows:
        print(f"{metric:<{width}}{measured:>14}{target:>14}  {verdict}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    payload = {
        "bench": name,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cores": os.cpu_count(),
        "load_avg_1m": os.getloadavg()[0],
        "python": platform.python_version(),
        **data,
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {path.relative_to(RESULTS_DIR.parent.parent)}")
    return path


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"
