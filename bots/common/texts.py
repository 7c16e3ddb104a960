"""The words the bots themselves show (buttons, card labels, commands, refusals), in Chinese and English.

One table for every adapter and the terminal, kept as data (``texts.json``) so wording changes need no
code; each entry has both languages, checked when the table is loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.types import Language

TEXTS_FILE = Path(__file__).with_name("texts.json")
LANGUAGES: tuple[Language, ...] = ("en", "zh")


def _load(path: Path) -> dict[str, dict[Language, str]]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    table: dict[str, dict[Language, str]] = {}
    for key, entry in raw.items():
        missing = [lang for lang in LANGUAGES if not isinstance(entry.get(lang), str)]
        if missing:
            raise ValueError(f"{path.name}: text {key!r} has no {'/'.join(missing)} wording")
        table[key] = {lang: entry[lang] for lang in LANGUAGES}
    return table


TEXTS: dict[str, dict[Language, str]] = _load(TEXTS_FILE)


def phrase(key: str, language: Language, **values: object) -> str:
    """The wording for ``key`` in ``language``, with ``{placeholders}`` filled from ``values``."""
    template = TEXTS[key][language]
    return template.format(**values) if values else template
