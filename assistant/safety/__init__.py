"""Safety steps behind the ``SafetyCheck`` port: input filters, output filters and PII redaction."""

from __future__ import annotations

from ..config import Settings
from ..ports import SafetyCheck
from .input_filters import InjectionRules, OversizeInput
from .output_filters import PromptLeakFilter
from .pii import PiiRedactor

__all__ = ["PiiRedactor", "build_input_checks", "build_output_checks"]


def build_input_checks(settings: Settings) -> list[SafetyCheck]:
    """Cheapest first: a blocked message never reaches the costlier checks."""
    return [OversizeInput(settings.max_input_chars), InjectionRules()]


def build_output_checks(settings: Settings) -> list[SafetyCheck]:
    return [PromptLeakFilter()]
