"""What a shopper's message says about them: brands and colours liked or disliked, a size, "something else".

Rules over a small word list (``data/statements.json``) and the catalog's brands, like the understanding
step: a marker ("don't like", "不要") counts for the brand or colour it precedes in the same clause.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .profile import Preference, PreferenceKind

DATA = Path(__file__).resolve().parent / "data" / "statements.json"
CLAUSE_BREAK = re.compile(r"[,.;!?，。；！？\n]")
MARKER_WINDOW = 24  # characters before a mention in which a marker still governs it ("I don't really like Lumo")


@dataclass(frozen=True)
class StatementWords:
    dislike: tuple[str, ...]
    like: tuple[str, ...]
    something_else: tuple[str, ...]
    colours: dict[str, tuple[str, ...]]
    size_patterns: tuple[re.Pattern[str], ...]


@cache
def statement_words() -> StatementWords:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return StatementWords(
        dislike=tuple(data["dislike"]),
        like=tuple(data["like"]),
        something_else=tuple(data["something_else"]),
        colours={k: tuple(v) for k, v in data["colours"].items()},
        size_patterns=tuple(re.compile(p, re.IGNORECASE) for p in data["size_patterns"]),
    )


@dataclass
class Statements:
    preferences: list[Preference] = field(default_factory=list)
    something_else: bool = False

    def disliked(self, kind: PreferenceKind) -> set[str]:
        return {p.value.lower() for p in self.preferences if p.kind == kind and not p.liked}


@cache
def _word_pattern(word: str) -> re.Pattern[str]:
    # An English word stands alone ("red", not "bored"); a Chinese one is found anywhere.
    return re.compile(rf"(?<![a-z]){re.escape(word)}(?![a-z])" if word.isascii() else re.escape(word))


def _mentions(lowered: str, word: str) -> Iterable[int]:
    if word not in lowered:
        return ()
    return (m.start() for m in _word_pattern(word).finditer(lowered))


def _polarity(lowered: str, start: int, words: StatementWords) -> bool | None:
    """False after a dislike marker, True after a like marker, None when neither governs the mention."""
    before = CLAUSE_BREAK.split(lowered[max(0, start - MARKER_WINDOW) : start])[-1]
    if any(marker in before for marker in words.dislike):
        return False
    if any(marker in before for marker in words.like):
        return True
    return None


def read_statements(text: str, brands: Iterable[str], now: float) -> Statements:
    """Preferences stated in ``text``; a brand or colour merely named in a request is not one."""
    words = statement_words()
    lowered = text.lower()
    found = Statements(something_else=any(p in lowered for p in words.something_else))
    named: list[tuple[PreferenceKind, str, list[str]]] = [("brand", b, [b.lower()]) for b in brands]
    named += [("colour", colour, [w.lower() for w in spoken]) for colour, spoken in words.colours.items()]
    for kind, value, spoken in named:
        for word in spoken:
            polarity = next(
                (p for s in _mentions(lowered, word) if (p := _polarity(lowered, s, words)) is not None), None
            )
            if polarity is not None:
                found.preferences.append(Preference(kind, value, liked=polarity, source="said", at=now))
                break
    for pattern in words.size_patterns:
        match = pattern.search(lowered)
        if match:
            found.preferences.append(Preference("size", match.group(1).upper(), source="said", at=now))
            break
    return found
