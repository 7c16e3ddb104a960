"""Input filters, cheapest first: oversize, rules over de-obfuscated views, the embedding classifier, and the
split-turn check that judges the last few user turns together.

Every verdict carries a stable reason code (see ``rules.REASONS``); ``detail`` says which rule or score fired
and is for logs only, never for the shopper.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..ports import NO_SAFETY_CONTEXT, SafetyContext, SafetyVerdict
from ..types import Language
from .detector import DEFAULT_DETECTOR_PATH, Detector, detector_inputs
from .rules import (
    REASON_HARMFUL,
    REASON_INJECTION,
    REASON_OFF_TOPIC,
    REASON_OVERSIZE,
    REASON_SPLIT,
    TextViews,
    match_rules,
    text_views,
)

__all__ = ["ClassifierCheck", "InjectionRules", "OversizeInput", "SplitTurnCheck", "normalise"]

SPLIT_TURN_WINDOW = 3  # earlier user turns joined with the current one
# Shorter texts ("转人工", "hi") carry too little for the embedding; the rules still see them.
MIN_CLASSIFIER_CHARS = 6
CLASSIFIER_REASON = {"injection": REASON_INJECTION, "harmful": REASON_HARMFUL, "off_topic": REASON_OFF_TOPIC}


def normalise(text: str) -> str:
    """Kept for callers of the first version: the Unicode-folded view of ``text``."""
    return text_views(text).folded


class OversizeInput:
    """Refuses messages over ``max_chars`` before any other work (a 100 KB paste costs nothing)."""

    name = "oversize"

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        if len(text) > self.max_chars:
            return SafetyVerdict(False, REASON_OVERSIZE, f"{len(text)} > {self.max_chars} chars")
        return SafetyVerdict.ok()


class InjectionRules:
    """Regex rules (zh and en) for injection, prompt extraction, privacy probes, harm, abuse, off-topic use.

    ``decode_hidden=False`` skips the hint-free decoders (rot13, reversed, base32, Morse): the first version's
    behaviour, kept for the same-run baseline."""

    name = "rules"

    def __init__(self, *, block_off_topic: bool = True, decode_hidden: bool = True) -> None:
        self.block_off_topic = block_off_topic
        self.decode_hidden = decode_hidden

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        hit = match_rules(text_views(text, decode_hidden=self.decode_hidden), include_off_topic=self.block_off_topic)
        if hit is None:
            return SafetyVerdict.ok()
        return SafetyVerdict(False, hit.reason, f"rule ({hit.view}): {hit.excerpt}")


def classifier_inputs(views: TextViews) -> tuple[list[str], list[str]]:
    """(views of the message as written, without opaque tokens; payloads decoded out of it): what the
    first classifier read (kept for the same-run baseline, ``baseline.py``)."""
    texts = [views.prose] if len(views.prose.strip()) >= MIN_CLASSIFIER_CHARS else []
    if views.deobfuscated != views.prose and len(views.deobfuscated.strip()) >= MIN_CLASSIFIER_CHARS:
        texts.append(views.deobfuscated)
    return texts, list(views.decoded)


class ClassifierCheck:
    """The learned detector (sentence embeddings and character n-grams, a threshold per language); catches
    paraphrases and obfuscations the rules miss. Weights and encoder load on first use.

    ``detector`` may be given directly (the cross-source evaluation passes one trained without the held-out set).
    """

    name = "classifier"

    def __init__(
        self,
        *,
        model_path: Path = DEFAULT_DETECTOR_PATH,
        threads: int = 1,
        block_off_topic: bool = True,
        detector: Detector | None = None,
    ) -> None:
        self.model_path = model_path
        self.threads = threads
        self.block_off_topic = block_off_topic
        self._detector = detector
        self._lock = threading.Lock()

    @property
    def detector(self) -> Detector:
        with self._lock:
            if self._detector is None:
                self._detector = Detector.load(self.model_path, self.threads)
            return self._detector

    def warm_up(self) -> None:
        """Load weights and encoder now (about a second) instead of on the first message."""
        self.detector.score(["hello there"], [], "en")

    def verdict_for(self, views: TextViews, language: Language) -> SafetyVerdict:
        texts, payloads = detector_inputs(views)
        score = self.detector.score(texts, payloads, language)
        if score.label == "benign" or (score.label == "off_topic" and not self.block_off_topic):
            return SafetyVerdict.ok()
        detail = f"detector risk={score.safety_risk:.3f} cut={score.cut:.3f} off_topic={score.off_topic:.3f}"
        return SafetyVerdict(False, CLASSIFIER_REASON[score.label], detail)

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        return self.verdict_for(text_views(text), language)


class SplitTurnCheck:
    """An instruction split across messages ("part one: ignore all" … "part two: previous instructions").

    The earlier turns come in ``context.history`` (oldest first); the last ``window`` count. Earlier turns
    that are attacks on their own are left out: they were already refused, and must not taint the shopper's
    next, harmless message.
    """

    name = "split_turn"

    def __init__(self, classifier: ClassifierCheck | None, *, window: int = SPLIT_TURN_WINDOW) -> None:
        self.classifier = classifier
        self.window = window

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        history = context.history[-self.window :] if self.window else ()
        earlier = [t for t in history if t.strip() and match_rules(text_views(t), include_off_topic=False) is None]
        if not earlier:
            return SafetyVerdict.ok()
        joined = text_views("\n".join((*earlier, text)))
        hit = match_rules(joined, include_off_topic=False)
        if hit is not None:
            return SafetyVerdict(False, REASON_SPLIT, f"joined turns: {hit.reason}: {hit.excerpt}")
        if self.classifier is not None:
            verdict = self.classifier.verdict_for(joined, language)
            if not verdict.allowed and verdict.reason == REASON_INJECTION:
                return SafetyVerdict(False, REASON_SPLIT, f"joined turns: {verdict.detail}")
        return SafetyVerdict.ok()
