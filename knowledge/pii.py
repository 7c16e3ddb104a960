"""PII detection and redaction for logs, audit entries, handoff transcripts, conversation memory and quoted reviews.

Lives in ``knowledge/`` because ingestion redacts review text with it and ``knowledge/`` must not import
``assistant/`` (the log filter is ``assistant.safety.pii``).

Detects emails, Chinese resident ID numbers (date-checked), payment cards (Luhn-checked, so order numbers
survive), US SSNs, phone numbers (Chinese mobile and landline, international +CC, North American),
street addresses (Chinese and English) and Chinese passport numbers. ``RedactingLogFilter`` and
``install_log_redaction`` make every log record pass through the redactor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PII_KINDS",
    "PiiRedactor",
    "PiiSpan",
    "luhn_valid",
]

CARD_MIN_DIGITS = 13
CARD_MAX_DIGITS = 19
PHONE_MIN_DIGITS = 7
PHONE_MAX_DIGITS = 15

_CJK = r"\u4e00-\u9fff"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    (
        "id_card",
        re.compile(
            r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
        ),
    ),
    # Card numbers are printed unbroken or in the issuers' groupings (4-4-4-4…, Amex/Diners 4-6-5/4-6-4);
    # other digit runs with dashes (timestamps, release and order ids) are not cards.
    (
        "card",
        re.compile(
            r"(?<![\d+-])(?<!\+\d)(?<!\+\d\d)"
            r"(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{4,5})"
            r"(?![\d-])"
        ),
    ),
    ("ssn", re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")),
    (
        "phone",
        re.compile(
            # ASCII word boundaries: Chinese text runs straight into a number ("请打13812345678或…"), and \w
            # would count the Chinese character as part of a word.
            r"(?<![0-9A-Za-z_+])(?:"
            r"(?:\+|00)86[ -]?1[3-9]\d[ -]?\d{4}[ -]?\d{4}"  # +86 mobile
            r"|1[3-9]\d[ -]?\d{4}[ -]?\d{4}"  # CN mobile
            r"|0\d{2,3}[ -]?\d{7,8}"  # CN landline with area code
            r"|(?:\+|00)[1-9]\d{0,2}[ .-]?(?:\(?\d{1,4}\)?[ .-]?){1,4}\d{2,4}"  # international
            r"|\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}"  # North American
            r")(?![0-9A-Za-z_])"
        ),
    ),
    (
        "address",
        re.compile(
            rf"(?:[{_CJK}]{{2,6}}(?:省|自治区|市))?[{_CJK}]{{1,8}}(?:市|区|县|镇)[{_CJK}\d]{{0,12}}?(?:路|街|大道|巷|弄|道|村)"
            rf"\s*\d+\s*号(?:[{_CJK}\d\-]{{0,12}}(?:室|楼|单元|栋|幢|层))?"
            rf"|[{_CJK}]{{1,10}}(?:路|街|大道|巷|弄)\s*\d+\s*号(?:[{_CJK}\d\-]{{0,12}}(?:室|楼|单元|栋|幢|层))?"
            r"|\b\d{1,5}\s+(?:[A-Z][A-Za-z]+\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|"
            r"Court|Ct|Way|Place|Pl|Terrace|Close|Crescent|Highway|Hwy)\b\.?(?:,?\s*(?:Apt|Apartment|Suite|Unit|Flat|#)"
            r"\.?\s*\w+)?"
        ),
    ),
    ("passport", re.compile(r"(?<![0-9A-Za-z])[EeGg]\d{8}(?![0-9A-Za-z])")),
]
PII_KINDS = tuple(kind for kind, _ in _PATTERNS)


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _valid(kind: str, value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    if kind == "card":
        return CARD_MIN_DIGITS <= len(digits) <= CARD_MAX_DIGITS and luhn_valid(digits)
    if kind == "phone":
        return PHONE_MIN_DIGITS <= len(digits) <= PHONE_MAX_DIGITS
    return True


@dataclass(frozen=True)
class PiiSpan:
    kind: str
    start: int
    end: int
    value: str


class PiiRedactor:
    """Replaces each PII span with ``[kind]`` (or ``[kind …1234]`` with ``show_last_digits``).

    ``keep`` names kinds the shop needs in clear text (say ``("email",)`` for handoff tickets); earlier kinds
    win overlaps (an ID number is not also read as a phone number).
    """

    def __init__(self, keep: Iterable[str] = (), show_last_digits: int = 0) -> None:
        self.keep = frozenset(keep)
        self.show_last_digits = max(0, show_last_digits)

    def spans(self, text: str) -> list[PiiSpan]:
        taken: list[PiiSpan] = []
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(text):
                start, end = match.span()
                if any(start < s.end and s.start < end for s in taken):
                    continue
                if _valid(kind, match.group(0)):
                    taken.append(PiiSpan(kind, start, end, match.group(0)))
        return sorted(taken, key=lambda s: s.start)

    def _mask(self, span: PiiSpan) -> str:
        digits = re.sub(r"\D", "", span.value)
        if (
            self.show_last_digits
            and span.kind in ("phone", "card", "id_card")
            and len(digits) > self.show_last_digits * 2
        ):
            return f"[{span.kind} …{digits[-self.show_last_digits :]}]"
        return f"[{span.kind}]"

    def redact(self, text: str) -> str:
        if not text:
            return text
        out: list[str] = []
        cursor = 0
        for span in self.spans(text):
            if span.kind in self.keep:
                continue
            out.append(text[cursor : span.start])
            out.append(self._mask(span))
            cursor = span.end
        out.append(text[cursor:])
        return "".join(out)

    def found(self, text: str) -> list[str]:
        """The kinds of PII in ``text``, each once, in order of first appearance."""
        kinds: list[str] = []
        for span in self.spans(text):
            if span.kind not in kinds:
                kinds.append(span.kind)
        return kinds

    def redact_value(self, value: Any) -> Any:
        """Redact strings inside str/list/tuple/dict values (for structured log extras and audit rows)."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {k: self.redact_value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.redact_value(v) for v in value)
        return value


# LogRecord attributes that are not user data; everything else on a record may carry PII.
