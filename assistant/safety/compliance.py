"""Harmful compliance on the output side: a reply that goes along with a harmful request is refused, even when
the request itself passed the input filter (a harmful ask behind a product name, a claim about a group).

The learned detector judges the request, and the request with the reply (a restated harmful claim, instructions,
or a "Sure, I can help…" that adds to what was asked). The reply adds evidence the input filter did
not have, so the cuts are the input cut for the language scaled down: the request must reach
``REQUEST_FLOOR_FACTOR`` of it and the reply ``OUTPUT_CUT_FACTOR``. A reply that
declines is the right answer to a harmful request and passes (``refusals.json``, zh and en).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from ..ports import NO_SAFETY_CONTEXT, SafetyContext, SafetyVerdict
from ..types import Language
from .detector import detector_inputs
from .input_filters import ClassifierCheck
from .rules import text_views

__all__ = [
    "OUTPUT_CUT_FACTOR",
    "REASON_HARMFUL_COMPLIANCE",
    "REFUSED_OUTPUT_REASONS",
    "HarmfulComplianceFilter",
    "declines",
]

REASON_HARMFUL_COMPLIANCE = "harmful_compliance"
# Output verdicts that mean the request was harmful: the shopper gets the refusal, not a product answer
# (answering "help me open a fake bank account" with shoes would treat it as shopping).
REFUSED_OUTPUT_REASONS = frozenset({REASON_HARMFUL_COMPLIANCE, "output_harmful", "output_discriminatory"})
# Measured with the detector trained without the harmful and over-defence sets (those two held out): of the held-out
# harmful requests that passed the input filter, 45 of 62 had a request above 0.4x the input cut and a complying
# reply, read with the request, above 0.7x; no held-out shopping request with a product answer did both. The reply
# is never judged alone: the detector learned from shoppers' messages, and alone a reply like "we only use your
# address and phone number to deliver" reads to it like a privacy probe.
REQUEST_FLOOR_FACTOR = 0.4
OUTPUT_CUT_FACTOR = 0.7
# A refusal is judged by how the reply opens: "Sorry, I can't help with that. …".
REFUSAL_HEAD_CHARS = 160
REFUSALS_FILE = Path(__file__).resolve().parent / "data" / "refusals.json"


@cache
def _refusal_patterns() -> tuple[re.Pattern[str], ...]:
    data = json.loads(REFUSALS_FILE.read_text(encoding="utf-8"))
    return tuple(re.compile(p, re.IGNORECASE) for lang in ("en", "zh") for p in data[lang])


def declines(reply: str) -> bool:
    """True when the reply opens by declining (zh or en)."""
    head = reply.strip()[:REFUSAL_HEAD_CHARS]
    return any(p.search(head) for p in _refusal_patterns())


class HarmfulComplianceFilter:
    """A reply to a request the detector finds at least doubtful, that it judges harmful together with the
    request, unless the reply declines.

    ``classifier`` holds the detector (loaded on first use); the input side's instance may be shared.
    """

    name = "harmful_compliance"

    def __init__(
        self,
        classifier: ClassifierCheck,
        *,
        factor: float = OUTPUT_CUT_FACTOR,
        request_floor: float = REQUEST_FLOOR_FACTOR,
    ) -> None:
        self.classifier = classifier
        self.factor = factor
        self.request_floor = request_floor

    def warm_up(self) -> None:
        self.classifier.warm_up()

    def doubts(self, request: str, language: Language) -> bool:
        """True when the request alone reaches the reply's cut: a reply to it passes only if it declines, and
        that is seen at the end of its first sentence, not in a clause ("Sure, I can help: first…")."""
        asked = _views(request.strip())
        if not asked:
            return False
        detector = self.classifier.detector
        return float(detector.safety_risks(asked).max()) > detector.weights.cut(language) * self.factor

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        reply, request = text.strip(), context.request.strip()
        if not reply or not request or declines(reply):
            return SafetyVerdict.ok()
        asked = _views(request)
        answered = [v for v in _views(f"{request}\n{reply}") if v not in asked]
        if not asked or not answered:
            return SafetyVerdict.ok()
        detector = self.classifier.detector
        risks = detector.safety_risks(asked + answered)
        cut = detector.weights.cut(language)
        request_risk, reply_risk = float(risks[: len(asked)].max()), float(risks[len(asked) :].max())
        if request_risk > cut * self.request_floor and reply_risk > cut * self.factor:
            detail = f"request risk={request_risk:.3f}, reply risk={reply_risk:.3f}, input cut={cut:.3f}"
            return SafetyVerdict(False, REASON_HARMFUL_COMPLIANCE, detail)
        return SafetyVerdict.ok()


def _views(text: str) -> list[str]:
    texts, payloads = detector_inputs(text_views(text))
    return list(dict.fromkeys(texts + payloads))
