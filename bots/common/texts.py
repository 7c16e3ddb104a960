"""The words the bots themselves show (buttons, card labels, commands, refusals), in Chinese and English.

One table for every adapter and the terminal, kept as data (``texts.json``) so wording changes need no
code; each entry has both languages, checked when the table is loaded.
"""

from __future__ import annotations

from pathlib import Path

from assistant.texts import load_texts
from assistant.types import Language

TEXTS_FILE = Path(__file__).with_name("texts.json")
TEXTS: dict[str, dict[Language, str]] = load_texts(TEXTS_FILE)


def phrase(key: str, language: Language, **values: object) -> str:
    """The wording for ``key`` in ``language``, with ``{placeholders}`` filled from ``values``."""
    template = TEXTS[key][language]
    return template.format(**values) if values else template
