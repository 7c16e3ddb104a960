"""Obfuscations undone before judging, without a hint word: rot13, reversed text, base32 and Morse code.

A candidate decoding counts only when it reads as English and the text as written does not: it holds at least
``MIN_COMMON_WORDS`` different frequent function words in ``data/common_words_en.txt`` and a larger share of
them than the original. Shopping messages in plain English never qualify, so they are never "decoded".
Base64, hex, URL-encoding, escapes and binary are decoded by ``knowledge.firewall``; leetspeak, spacing,
full-width and look-alike letters by the views in ``rules``.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from functools import cache
from pathlib import Path

__all__ = ["hidden_texts", "reads_as_english"]

COMMON_WORDS_FILE = Path(__file__).resolve().parent / "data" / "common_words_en.txt"
MIN_COMMON_WORDS = 2
MIN_COMMON_SHARE = 0.2
MIN_LATIN_LETTERS = 12
# Whole words only: "12TO+256TO" (a rot13'd "GB") holds no word "to".
_WORD_RE = re.compile(r"(?<![a-z0-9])[a-z']+(?![a-z0-9])")
_BASE32_RE = re.compile(r"(?<![A-Z2-7])[A-Z2-7]{16,}={0,6}(?![A-Z2-7=])")
_MORSE_RE = re.compile(r"(?:[.\-·•—–_]{1,7}[ /|]+){5,}[.\-·•—–_]{1,7}")
_MORSE = {
    ".-": "a", "-...": "b", "-.-.": "c", "-..": "d", ".": "e", "..-.": "f", "--.": "g", "....": "h", "..": "i",
    ".---": "j", "-.-": "k", ".-..": "l", "--": "m", "-.": "n", "---": "o", ".--.": "p", "--.-": "q", ".-.": "r",
    "...": "s", "-": "t", "..-": "u", "...-": "v", ".--": "w", "-..-": "x", "-.--": "y", "--..": "z",
    "-----": "0", ".----": "1", "..---": "2", "...--": "3", "....-": "4", ".....": "5", "-....": "6",
    "--...": "7", "---..": "8", "----.": "9", ".-.-.-": ".", "--..--": ",", "..--..": "?",
}  # fmt: skip
_MORSE_DASHES = str.maketrans({"·": ".", "•": ".", "—": "-", "–": "-", "_": "-"})


@cache
def _common_words() -> frozenset[str]:
    lines = COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _common_share(text: str) -> tuple[int, float]:
    words = _WORD_RE.findall(text.lower())
    if not words:
        return 0, 0.0
    found = [w for w in words if w in _common_words()]
    return len(set(found)), len(found) / len(words)


def reads_as_english(candidate: str, original: str) -> bool:
    hits, share = _common_share(candidate)
    if hits < MIN_COMMON_WORDS or share < MIN_COMMON_SHARE:
        return False
    _, original_share = _common_share(original)
    return share > original_share * 1.5


def _morse(text: str) -> list[str]:
    out: list[str] = []
    for match in _MORSE_RE.finditer(text):
        words = re.split(r"\s*[/|]\s*|\s{3,}", match.group(0).translate(_MORSE_DASHES).strip())
        decoded = " ".join("".join(_MORSE.get(code, "") for code in word.split()) for word in words)
        if len(decoded.replace(" ", "")) >= MIN_LATIN_LETTERS // 2:
            out.append(decoded)
    return out


def _base32(text: str) -> list[str]:
    out: list[str] = []
    for match in _BASE32_RE.finditer(text):
        segment = match.group(0)
        try:
            raw = base64.b32decode(segment + "=" * (-len(segment) % 8))
            decoded = raw.decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            continue
        if decoded.isprintable() and sum(c.isalpha() for c in decoded) >= 4:
            out.append(decoded)
    return out


def hidden_texts(text: str) -> list[str]:
    """Texts hidden in ``text`` by rot13, reversal, base32 or Morse (each only if it reads as English)."""
    out: list[str] = []
    if sum("a" <= c.lower() <= "z" for c in text) >= MIN_LATIN_LETTERS:
        for candidate in (codecs.decode(text, "rot13"), text[::-1]):
            if reads_as_english(candidate, text):
                out.append(candidate)
    out += _base32(text)
    out += [m for m in _morse(text) if reads_as_english(m, "")]
    return out
