"""Harmful compliance on the output side, with the harmful and over-defence sets held out of the detector.

The detector is trained on every other labelled source; the input checks as deployed judge each held-out request,
and each request that passes gets a reply: a harmful request a complying one ("Sure, I can help with that." alone,
and followed by the request restated as the bot's own sentence), a shopping request a product answer made from a
demo catalog row. The output side (``HarmfulComplianceFilter`` with that detector, plus the rule-based
``HarmfulOutputFilter``) judges each reply; the rule-based filter alone is the same-run baseline (the output side
before ``compliance.py``). Prints a table and writes bench/results/output_safety.json.

    python bench/bench_output_safety.py
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from assistant.config import DEMO_DATA_DIR, Settings
from assistant.ports import SafetyCheck, SafetyContext
from assistant.safety.compliance import HarmfulComplianceFilter
from assistant.safety.datasets import LabelledMessage
from assistant.safety.detector import Detector
from assistant.safety.input_filters import ClassifierCheck, InjectionRules, OversizeInput, SplitTurnCheck
from assistant.safety.output_filters import HarmfulOutputFilter
from assistant.safety.sources import load_sources
from assistant.safety.train import EmbeddingCache, fit_detector, message_views
from assistant.types import Language

RESULTS = Path(__file__).resolve().parent / "results"
HELD_OUT = ("shopguide-harmful", "shopguide-overdefence")
# The request after a leading product name ("About the X: …", "X. Also, …"), restated by a complying reply.
_PREFIX_RE = re.compile(r"^.*?(?:[:：—]\s*|Also, |另外，|顺便问下，)")
COMPLY = {"en": "Sure, I can help with that.", "zh": "好的，我可以帮您。"}


def _lang(message: LabelledMessage) -> Language:
    return "zh" if message.lang == "zh" else "en"


def product_answers() -> dict[Language, list[str]]:
    rows = [json.loads(line) for line in (DEMO_DATA_DIR / "products.jsonl").read_text(encoding="utf-8").splitlines()]
    en = [f"{r['name']} costs ¥{r['price']:g}; {r['description']}" for r in rows]
    zh = [f"{r['name_zh']}售价{r['price']:g}元。{r.get('description_zh') or ''}" for r in rows]
    return {"en": en, "zh": zh}


def blocked(checks: list[SafetyCheck], text: str, language: Language, context: SafetyContext) -> bool:
    return any(not c.check(text, language, context).allowed for c in checks)


def main() -> None:
    started = time.perf_counter()
    sources = load_sources()
    training = [m for s in sources if s.name not in HELD_OUT for m in s.messages]
    held_out = [m for s in sources if s.name in HELD_OUT for m in s.messages]
    cache = EmbeddingCache()
    cache.ensure(t for m in training for t in message_views(m))
    detector = Detector(fit_detector(training, cache), embed=cache)
    classifier = ClassifierCheck(detector=detector)
    settings = Settings()
    inputs: list[SafetyCheck] = [
        OversizeInput(settings.max_input_chars),
        InjectionRules(block_off_topic=False),
        classifier,
        SplitTurnCheck(classifier),
    ]
    rules_only: list[SafetyCheck] = [HarmfulOutputFilter()]
    deployed: list[SafetyCheck] = [HarmfulOutputFilter(), HarmfulComplianceFilter(classifier)]
    answers = product_answers()
    tally: dict[str, dict[str, int]] = {}

    def count(row: str, passed: bool, refused_rules: bool, refused_deployed: bool) -> None:
        entry = tally.setdefault(row, {"requests": 0, "passed_input": 0, "refused_rules": 0, "refused_deployed": 0})
        entry["requests"] += 1
        entry["passed_input"] += int(passed)
        entry["refused_rules"] += int(refused_rules)
        entry["refused_deployed"] += int(refused_deployed)

    for index, message in enumerate(held_out):
        language = _lang(message)
        passed = not blocked(inputs, message.text, language, SafetyContext(history=message.history))
        if message.is_attack:
            restated = _PREFIX_RE.sub("", message.text).strip()
            replies = {
                "harmful: 'Sure, I can help'": COMPLY[language],
                "harmful: complies, restates": f"{COMPLY[language]} {restated}",
            }
        else:
            pool = answers[language]
            replies = {"shopping: product answer": pool[index % len(pool)]}
        for row, reply in replies.items():
            context = SafetyContext(request=message.text)
            count(
                f"{row} ({language})",
                passed,
                passed and blocked(rules_only, reply, language, context),
                passed and blocked(deployed, reply, language, context),
            )
    print(f"{'held-out requests and replies':44} {'n':>5} {'passed in':>9} {'rules':>6} {'deployed':>9}")
    for row, entry in sorted(tally.items()):
        print(
            f"{row:44} {entry['requests']:5} {entry['passed_input']:9} {entry['refused_rules']:6}"
            f" {entry['refused_deployed']:9}"
        )
    RESULTS.mkdir(exist_ok=True)
    result: dict[str, Any] = {
        "held_out": list(HELD_OUT),
        "trained_on": sorted({s.name for s in sources} - set(HELD_OUT)),
        "cuts": detector.weights.cuts,
        "rows": tally,
        "note": "refused_* count replies refused among requests that passed the input checks; "
        "rules = HarmfulOutputFilter alone (before compliance.py), deployed = with HarmfulComplianceFilter",
        "seconds": round(time.perf_counter() - started, 1),
    }
    (RESULTS / "output_safety.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {RESULTS / 'output_safety.json'} in {result['seconds']} s")


if __name__ == "__main__":
    main()
