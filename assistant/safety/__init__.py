"""Safety steps behind the ``SafetyCheck`` port: input filters, output filters and PII redaction.

``build_input_checks`` and ``build_output_checks`` are what the pipeline composes, cheapest first.
Checks that need more than the text read it from the ``SafetyContext`` argument of ``check``: ``history``
(input, split-turn attacks) or ``prompt`` (output, the turn's FACTS).
"""

from __future__ import annotations

from ..config import Settings
from ..ports import SafetyCheck
from .compliance import HarmfulComplianceFilter
from .detector import DEFAULT_DETECTOR_PATH
from .input_filters import ClassifierCheck, InjectionRules, OversizeInput, SplitTurnCheck
from .output_filters import (
    DEFAULT_COMPETITORS,
    CompetitorBashingFilter,
    HarmfulOutputFilter,
    PiiEchoFilter,
    PromptLeakFilter,
    UnpromisedClaimFilter,
)
from .pii import PiiRedactor, RedactingLogFilter, install_log_redaction
from .replies import refusal_text

# One short message is too small to split across cores: with 2 BLAS threads a call took ~190 ms instead of ~2 ms
# on the 2-core CI machine (oversubscription), so the classifier always encodes on one thread.
CLASSIFIER_THREADS = 1

__all__ = [
    "PiiRedactor",
    "RedactingLogFilter",
    "build_input_checks",
    "build_output_checks",
    "build_redactor",
    "install_log_redaction",
    "refusal_text",
]


def build_input_checks(settings: Settings) -> list[SafetyCheck]:
    """Cheapest first: a blocked message never reaches the costlier checks."""
    checks: list[SafetyCheck] = [
        OversizeInput(settings.max_input_chars),
        InjectionRules(block_off_topic=settings.safety_block_off_topic),
    ]
    classifier: ClassifierCheck | None = None
    if settings.safety_classifier:
        classifier = ClassifierCheck(
            model_path=settings.safety_classifier_path or DEFAULT_DETECTOR_PATH,
            threads=CLASSIFIER_THREADS,
            block_off_topic=settings.safety_block_off_topic,
        )
        checks.append(classifier)
    checks.append(SplitTurnCheck(classifier))
    return checks


def build_output_checks(settings: Settings) -> list[SafetyCheck]:
    """Cheapest first; the learned check on the reply and its request runs last (one encoder call)."""
    checks: list[SafetyCheck] = [
        PromptLeakFilter(),
        PiiEchoFilter(build_redactor(settings)),
        CompetitorBashingFilter(tuple(settings.safety_competitors) or DEFAULT_COMPETITORS),
        HarmfulOutputFilter(),
        UnpromisedClaimFilter(),
    ]
    if settings.safety_classifier:
        classifier = ClassifierCheck(
            model_path=settings.safety_classifier_path or DEFAULT_DETECTOR_PATH, threads=CLASSIFIER_THREADS
        )
        checks.append(HarmfulComplianceFilter(classifier))
    return checks


def build_redactor(settings: Settings) -> PiiRedactor:
    """The redactor for memory, transcripts and audit rows, with the shop's ``pii_keep`` choices."""
    return PiiRedactor(keep=settings.pii_keep, show_last_digits=settings.pii_show_last_digits)
