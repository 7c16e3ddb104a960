"""The default word lists (``data/lexicon.json``) and how words are compared: category keys as words,
singular and plural, ASCII words on word boundaries."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from knowledge.models import AttributeValue

LEXICON_FILE = Path(__file__).parent / "data" / "lexicon.json"


@dataclass(frozen=True)
class Lexicon:
    """The default word lists (``data/lexicon.json``)."""

    category_aliases: dict[str, tuple[str, ...]]
    category_labels: dict[str, tuple[str, str]]
    not_carried: tuple[str, ...]
    use_words: dict[str, tuple[str, ...]]
    use_labels: dict[str, tuple[str, str]]
    attribute_words: tuple[tuple[tuple[str, ...], str, AttributeValue], ...]
    sell_forms: dict[str, tuple[re.Pattern[str], ...]]
    item_trim: dict[str, tuple[str, ...]]
    generic_words: dict[str, frozenset[str]]
    function_words: dict[str, tuple[str, ...]]
    vague_values: frozenset[str]
    request_words: tuple[str, ...]
    shop_questions: tuple[str, ...] = ()


@cache
def lexicon() -> Lexicon:
    raw: dict[str, Any] = json.loads(LEXICON_FILE.read_text(encoding="utf-8"))
    return Lexicon(
        category_aliases={words_of(k): tuple(v) for k, v in raw["category_aliases"].items()},
        category_labels={words_of(k): (v[0], v[1]) for k, v in raw["category_labels"].items()},
        not_carried=tuple(raw["not_carried"]),
        use_words={k: tuple(v) for k, v in raw["use_words"].items()},
        use_labels={k: (v[0], v[1]) for k, v in raw["use_labels"].items()},
        attribute_words=tuple((tuple(a["words"]), a["key"], a["value"]) for a in raw["attribute_words"]),
        sell_forms={
            lang: tuple(re.compile(p, re.IGNORECASE) for p in forms) for lang, forms in raw["sell_forms"].items()
        },
        item_trim={k: tuple(sorted(v, key=len, reverse=True)) for k, v in raw["item_trim"].items()},
        generic_words={lang: frozenset(v) for lang, v in raw["generic_words"].items()},
        function_words={lang: tuple(sorted(v, key=len, reverse=True)) for lang, v in raw["function_words"].items()},
        vague_values=frozenset(raw.get("vague_values", ())),
        request_words=tuple(raw["request_words"]),
        shop_questions=tuple(w for lang in ("en", "zh") for w in raw.get("shop_questions", {}).get(lang, ())),
    )


def words_of(name: str) -> str:
    """A category key as words: "Running_Shoes", "running-shoes" and "running shoes" are one name."""
    return re.sub(r"[\s_\-]+", " ", name.strip().lower()).strip()


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _plural(word: str) -> str:
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def inflections(phrase: str) -> set[str]:
    """The phrase with its last word singular and plural ("baby strollers" -> "baby stroller")."""
    phrase = words_of(phrase)
    if not phrase.isascii() or not phrase:
        return {phrase} if phrase else set()
    head, _, last = phrase.rpartition(" ")
    lead = head + " " if head else ""
    single = _singular(last)
    return {phrase, lead + single, lead + _plural(single)}


def contains(text: str, word: str) -> bool:
    """``word`` in ``text``; ASCII words on word boundaries ("bag" not in "baggage"), with a plural ending."""
    if word.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(word.strip())}(?:s|es)?(?![a-z0-9])", text) is not None
    return word in text


def first_contained(text: str, words: Iterable[str]) -> str | None:
    for word in words:
        if contains(text, word):
            return word
    return None


def use_words() -> dict[str, tuple[str, ...]]:
    return lexicon().use_words


def use_labels() -> dict[str, tuple[str, str]]:
    return lexicon().use_labels
