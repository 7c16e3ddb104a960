"""The pipeline's steps, one job each; ``assistant.pipeline`` lists them in order."""

from __future__ import annotations

from .answers import FixedReplyStep, NamedProductStep, PolicyStep, RecommendStep, card, describe_need
from .generate import FinishStep, GenerateStep, PromptStep, ShowCardsStep
from .screen import InputSafetyStep, OutputSafetyStep
from .understand import UnderstandStep

__all__ = [
    "FinishStep",
    "FixedReplyStep",
    "GenerateStep",
    "InputSafetyStep",
    "NamedProductStep",
    "OutputSafetyStep",
    "PolicyStep",
    "PromptStep",
    "RecommendStep",
    "ShowCardsStep",
    "UnderstandStep",
    "card",
    "describe_need",
]
