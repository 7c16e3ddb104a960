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
from .classifier import DEFAULT_MODEL_PATH, SafetyClassifier
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
    """Regex rules (zh and en) for injection, prompt extraction, privacy probes, harm, abuse, off-topic use."""

    name = "rules"

    def __init__(self, *, block_off_topic: bool = True) -> None:
        self.block_off_topic = block_off_topic

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        hit = match_rules(text_views(text), include_off_topic=self.block_off_topic)
        if hit is None:
            return SafetyVerdict.ok()
        return SafetyVerdict(False, hit.reason, f"rule ({hit.view}): {hit.excerpt}")


def classifier_inputs(views: TextViews) -> tuple[list[str], list[str]]:
    """(views of the message as written, without opaque tokens; payloads decoded out of it)."""
    texts = [views.prose] if len(views.prose.strip()) >= MIN_CLASSIFIER_CHARS else []
    if views.deobfuscated != views.prose and len(views.deobfuscated.strip()) >= MIN_CLASSIFIER_CHARS:
        texts.append(views.deobfuscated)
    return texts, list(views.decoded)


class ClassifierCheck:
    """Logistic regression over sentence embeddings; catches paraphrases the rules miss.

    The model (shipped JSON weights plus the encoder shared with retrieval) loads on first use.
    """

    name = "classifier"

    def __init__(
        self, *, model_path: Path = DEFAULT_MODEL_PATH, threads: int = 1, block_off_topic: bool = True
    ) -> None:
        self.model_path = model_path
        self.threads = threads
        self.block_off_topic = block_off_topic
        self._classifier: SafetyClassifier | None = None
        self._lock = threading.Lock()

    @property
    def classifier(self) -> SafetyClassifier:
        with self._lock:
            if self._classifier is None:
                self._classifier = SafetyClassifier.load(self.model_path, self.threads)
            return self._classifier

    def warm_up(self) -> None:
        """Load weights and encoder now (about a second) instead of on the first message."""
        self.classifier.score(["hello"])

    def verdict_for(self, views: TextViews) -> SafetyVerdict:
        texts, payloads = classifier_inputs(views)
        score = self.classifier.score(texts, payloads, ignore_off_topic=not self.block_off_topic)
        if score.label == "benign":
            return SafetyVerdict.ok()
        return SafetyVerdict(False, CLASSIFIER_REASON[score.label], f"classifier p_benign={score.benign_prob:.3f}")

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        return self.verdict_for(text_views(text))


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
            verdict = self.classifier.verdict_for(joined)
            if not verdict.allowed and verdict.reason == REASON_INJECTION:
                return SafetyVerdict(False, REASON_SPLIT, f"joined turns: {verdict.detail}")
        return SafetyVerdict.ok()
