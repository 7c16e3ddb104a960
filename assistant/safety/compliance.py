"""Harmful compliance on the output side: a reply that goes along with a harmful request is refused, even when
the request itself passed the input filter (a harmful ask behind a product name, a claim about a group).

The learned detector judges the request, and the request with the reply (a restated harmful claim, instructions,
or a "Sure, I can help…" that adds to what was asked). The reply adds evidence the input filter did
not have, so the cuts are the input cut for the language scaled down: the request must reach
``REQUEST_FLOOR_FACTOR`` of it and the reply ``OUTPUT_CUT_FACTOR``. A reply that
declines is the right answer to a harmful request and passes (``refusals.json``, zh and en), and so does one
that opens by saying it does not know (it gives nothing to comply with).

The catalog's own product names are read as "this product" before the detector sees request or reply: an
unfamiliar brand ("Oxbow Purifier", "Nordpeak 阿尔卑登山包 35L") moved benign questions about it above the floor,
and a name is no evidence of harm either way.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Protocol

from ..ports import NO_SAFETY_CONTEXT, SafetyContext, SafetyVerdict
from ..support import says_dont_know
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
    "gives_nothing",
    "mask_names",
    "product_names",
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
# What a catalog product name is read as (a neutral noun phrase the detector has seen in shopping messages).
PRODUCT_STAND_IN: dict[Language, str] = {"en": "this product", "zh": "这款商品"}
MIN_MASKED_NAME_CHARS = 3  # shorter names ("X1") would mask parts of ordinary words
REQUEST_RISK_CACHE = 256  # requests whose risk is kept (one per turn in flight is enough; a few hundred is cheap)
REFUSALS_FILE = Path(__file__).resolve().parent / "data" / "refusals.json"


@cache
def _refusal_patterns() -> tuple[re.Pattern[str], ...]:
    data = json.loads(REFUSALS_FILE.read_text(encoding="utf-8"))
    return tuple(re.compile(p, re.IGNORECASE) for lang in ("en", "zh") for p in data[lang])


def declines(reply: str) -> bool:
    """True when the reply opens by declining (zh or en)."""
    head = reply.strip()[:REFUSAL_HEAD_CHARS]
    return any(p.search(head) for p in _refusal_patterns())


def gives_nothing(reply: str) -> bool:
    """True when the reply opens by declining or by saying it does not know (an honest "I don't know what other
    customers say about it: there are no reviews yet" complies with nothing)."""
    return declines(reply) or says_dont_know(reply.strip()[:REFUSAL_HEAD_CHARS])


class _Named(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def name_zh(self) -> str | None: ...
    @property
    def sku(self) -> str: ...


def product_names(products: Iterable[_Named]) -> tuple[str, ...]:
    """Names and SKUs of the products a turn found (what ``SafetyContext.names`` carries)."""
    return tuple(n for p in products for n in (p.name, p.name_zh, p.sku) if n)


def mask_names(text: str, names: tuple[str, ...], language: Language) -> str:
    """``text`` with each catalog product name (longest first, any case) read as "this product"."""
    stand_in = PRODUCT_STAND_IN.get(language, PRODUCT_STAND_IN["en"])
    for name in sorted({n.strip() for n in names if len(n.strip()) >= MIN_MASKED_NAME_CHARS}, key=len, reverse=True):
        text = re.sub(re.escape(name), stand_in, text, flags=re.IGNORECASE)
    return text


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
        self._request_risks: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        self.classifier.warm_up()

    def request_risk(self, request: str) -> float:
        """The detector's safety risk of the request, computed once per request: the output checks run on every
        streamed sentence of one reply, and the request is the same for all of them."""
        with self._lock:
            risk = self._request_risks.get(request)
        if risk is None:
            asked = _views(request)
            risk = float(self.classifier.detector.safety_risks(asked).max()) if asked else 0.0
            with self._lock:
                self._request_risks[request] = risk
                while len(self._request_risks) > REQUEST_RISK_CACHE:
                    self._request_risks.popitem(last=False)
        return risk

    def doubts(self, request: str, language: Language, names: tuple[str, ...] = ()) -> bool:
        """True when the request alone reaches the reply's cut: a reply to it passes only if it declines, and
        that is seen at the end of its first sentence, not in a clause ("Sure, I can help: first…")."""
        cut = self.classifier.detector.weights.cut(language)
        return self._named_risk(request.strip(), names, language) > cut * self.factor

    def _named_risk(self, request: str, names: tuple[str, ...], language: Language) -> float:
        """The request's risk with its product names as written or read as "this product", the lower: a name
        never adds risk ("Oxbow Purifier"), and neither does taking it away ("details SG-RUN-0001")."""
        masked = mask_names(request, names, language)
        risk = self.request_risk(request)
        return risk if masked == request else min(risk, self.request_risk(masked))

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        reply, request = text.strip(), context.request.strip()
        if not reply or not request or gives_nothing(reply):
            return SafetyVerdict.ok()
        detector = self.classifier.detector
        cut = detector.weights.cut(language)
        request_risk = self._named_risk(request, context.names, language)
        if request_risk <= cut * self.request_floor:
            return SafetyVerdict.ok()  # most requests: no encoder call for the reply at all
        readings = {(request, reply)}
        readings.add((mask_names(request, context.names, language), mask_names(reply, context.names, language)))
        reply_risk = min(self._reply_risk(asked, answer) for asked, answer in readings)
        if reply_risk > cut * self.factor:
            detail = f"request risk={request_risk:.3f}, reply risk={reply_risk:.3f}, input cut={cut:.3f}"
            return SafetyVerdict(False, REASON_HARMFUL_COMPLIANCE, detail)
        return SafetyVerdict.ok()

    def _reply_risk(self, request: str, reply: str) -> float:
        """The risk of the request read with the reply, over the views the request alone does not have."""
        asked = _views(request)
        answered = [v for v in _views(f"{request}\n{reply}") if v not in asked]
        return float(self.classifier.detector.safety_risks(answered).max()) if answered else 0.0


def _views(text: str) -> list[str]:
    texts, payloads = detector_inputs(text_views(text))
    return list(dict.fromkeys(texts + payloads))
