"""Per-message language detection: Chinese, English, or unsupported (another script)."""

from __future__ import annotations

import re
from typing import Literal

LanguageGuess = Literal["zh", "en", "other", "none"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# Scripts we do not answer in: Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai, Hangul, Kana.
_OTHER = re.compile(
    r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f\uac00-\ud7af\u3040-\u30ff]"
)
# French/Spanish/German/... written in Latin script: common function words.
_OTHER_LATIN_WORDS = re.compile(
    r"\b(bonjour|merci|je|vous|est|une|pour|hola|gracias|quiero|zapatos|para|una|danke|ich|möchte|suche|"
    r"bitte|obrigado|buongiorno|vorrei|scarpe)\b",
    re.IGNORECASE,
)
MIN_OTHER_LATIN_HITS = 2


def detect_language(text: str) -> LanguageGuess:
    """Any Chinese character makes it Chinese (model names are often Latin inside Chinese text)."""
    cjk = len(_CJK.findall(text))
    other = len(_OTHER.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk and cjk >= other:
        return "zh"
    if other > latin:
        return "other"
    if latin:
        if len(_OTHER_LATIN_WORDS.findall(text)) >= MIN_OTHER_LATIN_HITS:
            return "other"
        return "en"
    return "other" if other else "none"
