"""Short references to the products just shown: "2", "the second one", "第二个", "the cheaper one".

The conversation remembers the SKUs of the last products shown (``ConversationState.last_skus``); a
reference to one of them is rewritten to its SKU before the turn is understood, so "is the second one
waterproof?" is answered as "is SG-… waterproof?" in every adapter, typed or tapped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from knowledge.models import Product

from .conversation import ConversationState
from .types import IncomingMessage, Language

# A message that is only a reference asks for the product's details, in the conversation's language.
DETAILS_REQUEST: dict[Language, str] = {"en": "details {sku}", "zh": "{sku} 详情"}
# A bare number picks a shown product only up to this many (a larger one is an amount, a budget).
MAX_PICK = 10
_ZH_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
}  # fmt: skip
_EN_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_ORD = "|".join(_EN_ORDINALS)
_NUMBER_WORD = "|".join(_EN_NUMBER_WORDS)
_ZH_NUM = "[一二两三四五六七八九十]|\\d{1,2}"
_ZH_ITEM = "(?:个|款|件|种|双|台|只|部|块|条)"
_EN_ITEM = r"(?:one|option|item|product|pick|pair|model)"

# The whole message is a number (what people type after a numbered list): "2", "#2", "no. 2", "option 2".
_BARE = re.compile(
    rf"^\s*(?:#|no\.?\s*|number\s+|option\s+|item\s+)?(\d{{1,2}}|{_NUMBER_WORD})\s*[.!?。！？)]?\s*$", re.I
)
# "2号", "第二个" alone ("5号" inside a longer message is more likely a date).
_BARE_ZH = re.compile(rf"^\s*第?\s*({_ZH_NUM})\s*(?:号|{_ZH_ITEM})\s*[。！？?]?\s*$")
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("index", re.compile(rf"\b(?:the\s+)?({_ORD})\s+{_EN_ITEM}\b", re.I)),
    ("index", re.compile(rf"(?:#|\bnumber\s+|\boption\s+|\bitem\s+)(\d{{1,2}}|{_NUMBER_WORD})\b", re.I)),
    ("index", re.compile(rf"第\s*({_ZH_NUM})\s*{_ZH_ITEM}?")),
    ("last", re.compile(rf"\b(?:the\s+)?last\s+{_EN_ITEM}\b|最后(?:一)?{_ZH_ITEM}?", re.I)),
    (
        "cheapest",
        re.compile(
            rf"\b(?:the\s+)?(?:cheaper|cheapest|less expensive|lower[- ]priced)\s+{_EN_ITEM}\b"
            rf"|(?:更|最)?便宜(?:点|一点)?的?(?:那|这)?(?:一)?{_ZH_ITEM}",
            re.I,
        ),
    ),
    (
        "dearest",
        re.compile(
            rf"\b(?:the\s+)?(?:more expensive|pricier|priciest|most expensive|dearer)\s+{_EN_ITEM}\b"
            rf"|(?:更|最)?贵(?:点|一点)?的?(?:那|这)?(?:一)?{_ZH_ITEM}",
            re.I,
        ),
    ),
)


@dataclass(frozen=True)
class Reference:
    """Which shown product a phrase means, and where the phrase is in the message."""

    sku: str
    start: int
    end: int


def _number(raw: str) -> int:
    lowered = raw.lower()
    if lowered in _EN_ORDINALS:
        return _EN_ORDINALS[lowered]
    if lowered in _EN_NUMBER_WORDS:
        return _EN_NUMBER_WORDS[lowered]
    if raw in _ZH_NUMERALS:
        return _ZH_NUMERALS[raw]
    return int(raw)


def find_reference(
    text: str, shown: Sequence[str], products: Callable[[Sequence[str]], Sequence[Product]]
) -> Reference | None:
    """The shown product ``text`` refers to, if it refers to one. ``products`` looks prices up (only asked
    for "the cheaper one")."""
    if not shown:
        return None
    bare = _BARE.match(text) or _BARE_ZH.match(text)
    if bare:
        index = _number(bare.group(1))
        return Reference(shown[index - 1], 0, len(text)) if 1 <= index <= min(len(shown), MAX_PICK) else None
    for kind, pattern in _PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        if kind == "index":
            index = _number(match.group(1))
            if not 1 <= index <= len(shown):
                return None
            sku = shown[index - 1]
        elif kind == "last":
            sku = shown[-1]
        else:
            priced = [p for p in products(shown) if p.price is not None]
            if len(priced) < 2:
                return None
            pick = min if kind == "cheapest" else max
            sku = pick(priced, key=lambda p: p.price or 0.0).sku
        return Reference(sku, match.start(), match.end())
    return None


def resolve_references(
    message: IncomingMessage,
    state: ConversationState,
    language: Language,
    products: Callable[[Sequence[str]], Sequence[Product]],
) -> IncomingMessage:
    """The message with a reference to a just-shown product replaced by its SKU; unchanged otherwise.

    Not while a clarifying question is open: its quick replies are numbered too, and "2" may be a size.
    """
    if state.clarify_count:
        return message
    found = find_reference(message.text, state.last_skus, products)
    if found is None:
        return message
    text = message.text
    rest = f"{text[: found.start]} {text[found.end :]}"
    if not re.search(r"\w", rest):
        return replace(message, text=DETAILS_REQUEST[language].format(sku=found.sku))
    return replace(message, text=f"{text[: found.start]} {found.sku} {text[found.end :]}".strip())
