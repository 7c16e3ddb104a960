"""PII detection and redaction for logs, audit entries, transcripts and conversation memory."""

from __future__ import annotations

import re

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    ("id_card", re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")),
    ("card", re.compile(r"(?<!\d)(?:\d[ -]?){13,19}(?!\d)")),
    ("phone", re.compile(r"(?<![\w])(?:\+?\d{1,3}[ -]?)?(?:1[3-9]\d{9}|\(?\d{2,4}\)?[ -]?\d{3,4}[ -]?\d{4})(?!\d)")),
]


class PiiRedactor:
    """Replaces each PII span with ``[kind]``; order matters (ID numbers before generic digit runs)."""

    def redact(self, text: str) -> str:
        for kind, pattern in _PATTERNS:
            text = pattern.sub(f"[{kind}]", text)
        return text

    def found(self, text: str) -> list[str]:
        return [kind for kind, pattern in _PATTERNS if pattern.search(text)]
