"""Fixed replies in both languages, kept as data (``data/texts.json``) so wording is reviewed (and
translated) in one place and changes need no code. The bots' own words use the same loader."""

from __future__ import annotations

import json
from pathlib import Path

from .types import Language

TEXTS_FILE = Path(__file__).parent / "data" / "texts.json"
LANGUAGES: tuple[Language, ...] = ("en", "zh")


def load_texts(path: Path) -> dict[str, dict[Language, str]]:
    """A text table: every entry must have both languages (checked here, not when a shopper hits it)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    table: dict[str, dict[Language, str]] = {}
    for key, entry in raw.items():
        missing = [lang for lang in LANGUAGES if not isinstance(entry.get(lang), str)]
        if missing:
            raise ValueError(f"{path.name}: text {key!r} has no {'/'.join(missing)} wording")
        table[key] = {lang: entry[lang] for lang in LANGUAGES}
    return table


TEXTS: dict[str, dict[Language, str]] = load_texts(TEXTS_FILE)


def text(key: str, language: Language, **values: str) -> str:
    template = TEXTS[key][language]
    return template.format(**values) if values else template
