"""Input filters: oversize messages and rule-based prompt-injection detection (zh and en)."""

from __future__ import annotations

import re
import unicodedata

from ..ports import SafetyVerdict
from ..types import Language

_INJECTION_PATTERNS = [
    r"ignore (all |any )?(the )?(previous|prior|above|earlier) (instructions|prompts?|rules)",
    r"disregard (all |the )?(previous|prior|above) ",
    r"(reveal|show|print|repeat) (me )?(your|the) (system )?(prompt|instructions)",
    r"you are now (a|an|in) ",
    r"developer mode|jailbreak|\bDAN\b",
    r"忽略(之前|以上|前面|上面)?(的)?(所有)?(指令|指示|规则|提示)",
    r"(输出|告诉我|显示|重复)(你的)?(系统)?(提示词|提示|指令)",
    r"你现在是|扮演.*(没有限制|不受限制)|开发者模式|越狱",
]
_INJECTION_RE = re.compile("|".join(f"(?:{p})" for p in _INJECTION_PATTERNS), re.IGNORECASE)


def normalise(text: str) -> str:
    """Fold full-width letters and strip zero-width characters before matching."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\u200b-\u200f\u2060\ufeff]", "", text)


class OversizeInput:
    name = "oversize"

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars

    def check(self, text: str, language: Language) -> SafetyVerdict:
        if len(text) > self.max_chars:
            return SafetyVerdict(False, "oversize", f"{len(text)} > {self.max_chars} chars")
        return SafetyVerdict.ok()


class InjectionRules:
    name = "injection_rules"

    def check(self, text: str, language: Language) -> SafetyVerdict:
        match = _INJECTION_RE.search(normalise(text))
        if match:
            return SafetyVerdict(False, "injection", f"rule matched: {match.group(0)[:40]}")
        return SafetyVerdict.ok()
