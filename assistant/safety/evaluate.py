"""Score the input-side safety checks on a labelled set: block rate, false positives, per-category figures and
per-step latency. No model is loaded; the checks are the ones the pipeline runs (``build_input_checks``).
"""

from __future__ import annotations

import importlib.resources
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from knowledge.firewall import find_instructions

from ..ports import SafetyCheck, SafetyContext
from ..types import Language
from .datasets import LabelledMessage

__all__ = ["EvalReport", "evaluate_input", "firewall_detection", "percentile"]

MISSES_SHOWN = 40


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class _Counts:
    total: int = 0
    blocked: int = 0

    @property
    def rate(self) -> float:
        return self.blocked / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.total, "blocked": self.blocked, "rate": round(self.rate, 4)}


@dataclass
class EvalReport:
    name: str
    attacks: _Counts = field(default_factory=_Counts)
    benign: _Counts = field(default_factory=_Counts)
    by_category: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    by_lang: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    blocked_by: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    step_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    total_ms: list[float] = field(default_factory=list)
    missed: list[dict[str, str]] = field(default_factory=list)
    false_positives: list[dict[str, str]] = field(default_factory=list)

    @property
    def block_rate(self) -> float:
        return self.attacks.rate

    @property
    def false_positive_rate(self) -> float:
        return self.benign.rate

    def as_dict(self) -> dict[str, Any]:
        return {
            "set": self.name,
            "attack_block_rate": round(self.block_rate, 4),
            "benign_false_positive_rate": round(self.false_positive_rate, 4),
            "attacks": self.attacks.as_dict(),
            "benign": self.benign.as_dict(),
            "by_category": {k: v.as_dict() for k, v in sorted(self.by_category.items())},
            "by_lang": {k: v.as_dict() for k, v in sorted(self.by_lang.items())},
            "blocked_by_step": dict(sorted(self.blocked_by.items())),
            "reasons": dict(sorted(self.reasons.items())),
            "latency_ms": {
                **{
                    name: {"p50": round(percentile(v, 50), 3), "p95": round(percentile(v, 95), 3), "n": len(v)}
                    for name, v in self.step_ms.items()
                },
                "total": {
                    "p50": round(percentile(self.total_ms, 50), 3),
                    "p95": round(percentile(self.total_ms, 95), 3),
                    "mean": round(statistics.fmean(self.total_ms), 3) if self.total_ms else 0.0,
                    "n": len(self.total_ms),
                },
            },
            "missed_attacks": self.missed[:MISSES_SHOWN],
            "false_positives": self.false_positives[:MISSES_SHOWN],
        }


def _run_checks(
    checks: Sequence[SafetyCheck], message: LabelledMessage, report: EvalReport
) -> tuple[str | None, str | None]:
    """Run the checks the way the pipeline does (first block wins); returns (step, reason) of the block."""
    language: Language = "zh" if message.lang == "zh" else "en"
    started = time.perf_counter()
    result: tuple[str | None, str | None] = (None, None)
    context = SafetyContext(history=message.history)
    for check in checks:
        step_start = time.perf_counter()
        verdict = check.check(message.text, language, context)
        report.step_ms[check.name].append((time.perf_counter() - step_start) * 1000)
        if not verdict.allowed:
            result = (check.name, verdict.reason or check.name)
            break
    report.total_ms.append((time.perf_counter() - started) * 1000)
    return result


def evaluate_input(
    messages: Sequence[LabelledMessage],
    checks: Sequence[SafetyCheck],
    name: str,
    on_checked: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Run every message through ``checks`` (``on_checked(done, total)`` after each) and count the blocks."""
    report = EvalReport(name)
    for done, message in enumerate(messages, 1):
        step, reason = _run_checks(checks, message, report)
        blocked = step is not None
        counts = report.attacks if message.is_attack else report.benign
        counts.total += 1
        counts.blocked += blocked
        category = f"{message.label}/{message.category}" if message.is_attack else f"benign/{message.category}"
        report.by_category[category].total += 1
        report.by_category[category].blocked += blocked
        lang_key = f"{message.lang}/{'attack' if message.is_attack else 'benign'}"
        report.by_lang[lang_key].total += 1
        report.by_lang[lang_key].blocked += blocked
        if blocked:
            report.blocked_by[str(step)] += 1
            report.reasons[str(reason)] += 1
        if message.is_attack and not blocked:
            report.missed.append({"id": message.id, "category": message.category, "text": message.text[:160]})
        if not message.is_attack and blocked:
            report.false_positives.append({"id": message.id, "reason": str(reason), "text": message.text[:160]})
        if on_checked is not None:
            on_checked(done, len(messages))
    return report


def _read_package_text(package: str, *parts: str) -> str | None:
    try:
        resource = importlib.resources.files(package).joinpath(*parts)
        return resource.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None


def firewall_detection() -> dict[str, Any] | None:
    """How many of bastioncorpus's tool-output/memory rows (indirect injection) the ingestion firewall flags."""
    text = _read_package_text("bastioncorpus", "corpus", "injections.jsonl")
    if text is None:
        return None
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    indirect = [r for r in rows if r.get("channel") in ("tool_output", "memory")]
    malicious = [r for r in indirect if r.get("label") == "malicious"]
    benign = [r for r in indirect if r.get("label") != "malicious"]
    flagged = sum(bool(find_instructions(r["text"])) for r in malicious)
    false_flags = sum(bool(find_instructions(r["text"])) for r in benign)
    return {
        "set": "bastioncorpus indirect (tool_output, memory)",
        "malicious": len(malicious),
        "flagged": flagged,
        "detection_rate": round(flagged / len(malicious), 4) if malicious else 0.0,
        "benign": len(benign),
        "benign_flagged": false_flags,
    }
