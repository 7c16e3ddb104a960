"""Leave-one-source-out evaluation of the input filter: for each labelled source, train the detector on every
other source, then judge the held-out one with the deployed checks (rules, detector, split-turn).

Safety blocks and shop-mode redirects (off-topic) are separate verdicts and are counted apart. Each learned
layer is also measured alone, and the first version of the filter (``baseline``) is scored in the same run;
its classifier was trained on the bundled ``train`` split, so only the other sources are held out for it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..config import Settings
from ..ports import SafetyCheck, SafetyContext
from ..types import Language
from .baseline import build_baseline_checks
from .datasets import LabelledMessage
from .detector import Detector, FeatureSet
from .input_filters import ClassifierCheck, InjectionRules, OversizeInput, SplitTurnCheck
from .rules import REASON_OFF_TOPIC
from .sources import LabelledSource
from .train import EmbeddingCache, fit_detector, message_views

__all__ = ["SourceFigures", "cross_source_report"]

MISSES_SHOWN = 15
LAYERS = ("rules", "embedding", "ngrams", "embedding+ngrams", "deployed")


@dataclass
class _Tally:
    n: int = 0
    safety: int = 0
    shop_mode: int = 0

    def add(self, verdict: str | None) -> None:
        self.n += 1
        if verdict == REASON_OFF_TOPIC:
            self.shop_mode += 1
        elif verdict is not None:
            self.safety += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "safety_blocked": self.safety,
            "shop_mode_redirected": self.shop_mode,
            "safety_rate": round(self.safety / self.n, 4) if self.n else None,
            "stopped_rate": round((self.safety + self.shop_mode) / self.n, 4) if self.n else None,
        }


@dataclass
class SourceFigures:
    attacks: _Tally = field(default_factory=_Tally)
    benign: _Tally = field(default_factory=_Tally)
    by_lang: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    by_category: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    missed: list[dict[str, str]] = field(default_factory=list)
    false_positives: list[dict[str, str]] = field(default_factory=list)

    def add(self, message: LabelledMessage, verdict: str | None) -> None:
        kind = "attack" if message.is_attack else "benign"
        (self.attacks if message.is_attack else self.benign).add(verdict)
        self.by_lang[f"{message.lang}/{kind}"].add(verdict)
        self.by_category[f"{message.label}/{message.category}"].add(verdict)
        if message.is_attack and verdict is None and len(self.missed) < MISSES_SHOWN:
            self.missed.append({"id": message.id, "category": message.category, "text": message.text[:160]})
        if (
            not message.is_attack
            and verdict not in (None, REASON_OFF_TOPIC)
            and len(self.false_positives) < MISSES_SHOWN
        ):
            self.false_positives.append({"id": message.id, "reason": str(verdict), "text": message.text[:160]})

    def as_dict(self, *, detail: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"attacks": self.attacks.as_dict(), "benign": self.benign.as_dict()}
        if detail:
            out["by_lang"] = {k: v.as_dict() for k, v in sorted(self.by_lang.items())}
            out["by_category"] = {k: v.as_dict() for k, v in sorted(self.by_category.items())}
            out["missed_attacks"] = self.missed
            out["false_positives"] = self.false_positives
        return out


def _verdict(checks: Sequence[SafetyCheck], message: LabelledMessage) -> str | None:
    language: Language = "zh" if message.lang == "zh" else "en"
    context = SafetyContext(history=message.history)
    for check in checks:
        verdict = check.check(message.text, language, context)
        if not verdict.allowed:
            return verdict.reason or check.name
    return None


def _score(checks: Sequence[SafetyCheck], messages: Sequence[LabelledMessage]) -> SourceFigures:
    figures = SourceFigures()
    for message in messages:
        figures.add(message, _verdict(checks, message))
    return figures


def _checks_with(settings: Settings, detector: Detector | None, *, rules: bool = True) -> list[SafetyCheck]:
    checks: list[SafetyCheck] = [OversizeInput(settings.max_input_chars)]
    if rules:
        checks.append(InjectionRules(block_off_topic=settings.safety_block_off_topic))
    classifier = None
    if detector is not None:
        classifier = ClassifierCheck(block_off_topic=settings.safety_block_off_topic, detector=detector)
        checks.append(classifier)
    if rules:
        checks.append(SplitTurnCheck(classifier))
    return checks


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def _summary(per_source: dict[str, dict[str, Any]]) -> dict[str, Any]:
    attack = {n: f["attacks"]["safety_rate"] for n, f in per_source.items() if f["attacks"]["n"]}
    stopped = {n: f["attacks"]["stopped_rate"] for n, f in per_source.items() if f["attacks"]["n"]}
    benign = {n: f["benign"]["safety_rate"] for n, f in per_source.items() if f["benign"]["n"]}
    shop = {
        n: f["benign"]["shop_mode_redirected"] / f["benign"]["n"] for n, f in per_source.items() if f["benign"]["n"]
    }
    worst_attack = min(attack, key=lambda n: attack[n]) if attack else None
    worst_benign = max(benign, key=lambda n: benign[n]) if benign else None
    return {
        "attacks_blocked_safety_mean": _mean(list(attack.values())),
        "attacks_stopped_incl_shop_mode_mean": _mean(list(stopped.values())),
        "benign_blocked_safety_mean": _mean(list(benign.values())),
        "benign_redirected_shop_mode_mean": _mean(list(shop.values())),
        "worst_attack_source": {"source": worst_attack, "rate": attack.get(worst_attack or "")},
        "worst_benign_source": {"source": worst_benign, "rate": benign.get(worst_benign or "")},
    }


def cross_source_report(
    sources: Sequence[LabelledSource],
    settings: Settings,
    *,
    layers: bool = True,
    progress: Callable[[str], None] | None = None,
    fit_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Leave-one-source-out figures per source, language and category, with means and the worst source."""
    fit_options = fit_options or {}
    cache = EmbeddingCache()
    cache.ensure(t for s in sources for m in s.messages for t in message_views(m))
    baseline_checks = build_baseline_checks(settings)
    layer_sets: dict[str, FeatureSet] = {"embedding+ngrams": FeatureSet()}
    if layers:
        layer_sets |= {"embedding": FeatureSet(ngrams=False), "ngrams": FeatureSet(embedding=False)}
    per_layer: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in (*LAYERS, "baseline")}
    rows: list[dict[str, Any]] = []
    for held_out in sources:
        if progress:
            progress(f"holding out {held_out.name} ({len(held_out.messages)} messages)")
        trained = [s for s in sources if s.name != held_out.name and s.train]
        training = [m for s in trained for m in s.messages]
        owners = [s.name for s in trained for _ in s.messages]
        fitted = {
            name: Detector(fit_detector(training, cache, features=fs, sources=owners, **fit_options), embed=cache)
            for name, fs in layer_sets.items()
        }
        deployed = _score(_checks_with(settings, fitted["embedding+ngrams"]), held_out.messages)
        per_layer["deployed"][held_out.name] = deployed.as_dict(detail=False)
        if layers:
            per_layer["rules"][held_out.name] = _score(_checks_with(settings, None), held_out.messages).as_dict(
                detail=False
            )
            for name, detector in fitted.items():
                checks = _checks_with(settings, detector, rules=False)
                per_layer[name][held_out.name] = _score(checks, held_out.messages).as_dict(detail=False)
        baseline = _score(baseline_checks, held_out.messages).as_dict(detail=False)
        per_layer["baseline"][held_out.name] = baseline
        rows.append(
            {
                "source": held_out.name,
                "origin": held_out.origin,
                "rules_written_with_it_in_view": held_out.rules_saw,
                "held_out_for": "learned layers" if held_out.rules_saw else "every layer",
                "trained_on": [s.name for s in trained],
                "deployed": deployed.as_dict(detail=True),
                "baseline_first_version": baseline
                | {"held_out": held_out.name != "shopguide-bundled", "note": "its classifier trained on bundled/train"},
                "layers": {name: per_layer[name][held_out.name] for name in LAYERS if held_out.name in per_layer[name]},
            }
        )
    lang_totals: dict[str, _Tally] = defaultdict(_Tally)
    for row in rows:
        for key, figures in row["deployed"]["by_lang"].items():
            tally = lang_totals[key]
            tally.n += figures["n"]
            tally.safety += figures["safety_blocked"]
            tally.shop_mode += figures["shop_mode_redirected"]
    overdefence = next((r for r in rows if r["source"] == "shopguide-overdefence"), None)
    return {
        "method": "leave-one-source-out: the detector is trained on every other source, then the deployed checks "
        "judge the held-out source; safety blocks and shop-mode (off-topic) redirects are counted apart",
        "block_off_topic": settings.safety_block_off_topic,
        "sources": rows,
        "summary": {name: _summary(figures) for name, figures in per_layer.items() if figures},
        "by_lang_pooled": {k: v.as_dict() for k, v in sorted(lang_totals.items())},
        "overdefence": overdefence["deployed"]["benign"] if overdefence else None,
    }
