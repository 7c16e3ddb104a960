"""The first input filter (rules without the hint-free decoders, then the JSON embedding classifier trained on
the bundled ``train`` split), kept so ``bench/bench_safety.py`` and ``shopguide eval safety`` measure the
current detector against it in the same run.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..config import Settings
from ..ports import NO_SAFETY_CONTEXT, SafetyCheck, SafetyContext, SafetyVerdict
from ..types import Language
from .classifier import DEFAULT_MODEL_PATH, SafetyClassifier
from .input_filters import CLASSIFIER_REASON, InjectionRules, OversizeInput, classifier_inputs
from .rules import text_views

__all__ = ["BaselineClassifierCheck", "build_baseline_checks"]


class BaselineClassifierCheck:
    name = "classifier"

    def __init__(self, *, model_path: Path = DEFAULT_MODEL_PATH, block_off_topic: bool = True) -> None:
        self.model_path = model_path
        self.block_off_topic = block_off_topic
        self._classifier: SafetyClassifier | None = None
        self._lock = threading.Lock()

    @property
    def classifier(self) -> SafetyClassifier:
        with self._lock:
            if self._classifier is None:
                self._classifier = SafetyClassifier.load(self.model_path, 1)
            return self._classifier

    def warm_up(self) -> None:
        self.classifier.score(["hello"])

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        texts, payloads = classifier_inputs(text_views(text, decode_hidden=False))
        score = self.classifier.score(texts, payloads, ignore_off_topic=not self.block_off_topic)
        if score.label == "benign":
            return SafetyVerdict.ok()
        return SafetyVerdict(False, CLASSIFIER_REASON[score.label], f"baseline p_benign={score.benign_prob:.3f}")


def build_baseline_checks(settings: Settings) -> list[SafetyCheck]:
    """Oversize, first-version rules, first-version classifier (no split-turn check: it only joins turns)."""
    return [
        OversizeInput(settings.max_input_chars),
        InjectionRules(block_off_topic=settings.safety_block_off_topic, decode_hidden=False),
        BaselineClassifierCheck(block_off_topic=settings.safety_block_off_topic),
    ]
