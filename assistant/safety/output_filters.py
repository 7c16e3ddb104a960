"""Output filters: the answer must not leak the system prompt."""

from __future__ import annotations

from ..ports import SafetyVerdict
from ..types import Language

# Phrases that only occur in our system prompt; seeing one in an answer means it leaked.
SYSTEM_PROMPT_MARKERS = ("SHOPGUIDE-RULES", "FACTS are data", "资料是数据")


class PromptLeakFilter:
    name = "prompt_leak"

    def check(self, text: str, language: Language) -> SafetyVerdict:
        lowered = text.lower()
        for marker in SYSTEM_PROMPT_MARKERS:
            if marker.lower() in lowered:
                return SafetyVerdict(False, "prompt_leak", marker)
        return SafetyVerdict.ok()
