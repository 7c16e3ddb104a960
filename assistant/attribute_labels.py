"""Readable zh/en names for a catalog's own attribute keys and values: "drop_mm" 8 -> "drop 8 mm" / "落差8毫米".

A shop's attribute keys are whatever its export or mapping called them. The key is split into words, a
last word that is a unit (``knowledge/data/units.json``) moves to the value, and the Chinese comes from the common
words in ``data/attribute_labels.json``; a key with a word not listed keeps its English words, which read
better than a half-translated name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from knowledge.models import AttributeValue

from .quantities import unit_of
from .types import Language

LABELS_FILE = Path(__file__).resolve().parent / "data" / "attribute_labels.json"
_SPLIT = re.compile(r"[\s_.\-]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class _Tables:
    words_zh: dict[str, str]
    units_zh: dict[str, str]
    units_en: dict[str, str]
    values_zh: dict[str, str]


@cache
def _tables() -> _Tables:
    raw = json.loads(LABELS_FILE.read_text(encoding="utf-8"))
    return _Tables(
        words_zh={k.lower(): v for k, v in raw["words_zh"].items()},
        units_zh={k.lower(): v for k, v in raw["units_zh"].items()},
        units_en={k.lower(): v for k, v in raw["units_en"].items()},
        values_zh={k.lower(): v for k, v in raw["values_zh"].items()},
    )


@dataclass(frozen=True)
class AttributeName:
    """A key as words (``words``) and the unit its values carry (``unit``, "" for none), as written."""

    words: tuple[str, ...]
    unit: str

    def label(self, language: Language) -> str:
        """ "Weight" / "重量"; "Fly waterproof rating" / "防水等级" only when every word is known."""
        if language == "zh":
            zh = [_tables().words_zh.get(w) for w in self.words]
            if zh and all(zh):
                return "".join(w for w in zh if w)
        text = " ".join(self.words)
        return text[:1].upper() + text[1:]

    def unit_text(self, language: Language) -> str:
        t = _tables()
        if not self.unit:
            return ""
        if language == "zh":
            return t.units_zh.get(self.unit, self.unit)
        return t.units_en.get(self.unit, self.unit)


@cache
def attribute_name(key: str) -> AttributeName:
    parts = [p for p in _SPLIT.split(key.strip().lower()) if p]
    if len(parts) >= 2 and unit_of(parts[-1]) is not None:  # "weight_kg"; a key that is only "g" stays a name
        return AttributeName(tuple(parts[:-1]), parts[-1])
    return AttributeName(tuple(parts) or (key,), "")


def plain_value(value: AttributeValue, language: Language) -> str:
    """The value alone in the reply language: yes/no and common words ("black" -> "黑色") translated."""
    if isinstance(value, bool):
        if language == "zh":
            return "是" if value else "否"
        return "yes" if value else "no"
    if language == "zh" and isinstance(value, str):
        return _tables().values_zh.get(value.strip().lower(), value)
    return str(value)


def value_text(key: str, value: AttributeValue, language: Language) -> str:
    """The value with the key's unit: "1.08 kg" / "1.08千克"; yes/no and common words in the reply language."""
    shown = plain_value(value, language)
    if isinstance(value, bool):
        return shown
    unit = attribute_name(key).unit_text(language)
    if not unit:
        return shown
    return f"{shown}{unit}" if language == "zh" else f"{shown} {unit}"


def attribute_label(key: str, language: Language, label_zh: str = "") -> str:
    """``label_zh``: the shop's own Chinese name for this attribute (its Chinese bullet), if it has one."""
    if language == "zh" and label_zh:
        return label_zh
    return attribute_name(key).label(language)


def attribute_phrase(key: str, value: AttributeValue, language: Language, label_zh: str = "") -> str:
    """Name and value in one phrase: "weight 1.08 kg" / "重量1.08千克"; a true flag is its name alone."""
    label = attribute_label(key, language, label_zh)
    if isinstance(value, bool) and value:
        return label if language == "zh" else label.lower()
    shown = value_text(key, value, language)
    if language == "zh":
        # A Chinese name runs into its number; an English one ("Fly waterproof rating") is set apart.
        glued = isinstance(value, int | float) and _CJK.search(label[-1:]) is not None
        return f"{label}{shown}" if glued else f"{label}：{shown}"
    return f"{label.lower()} {shown}" if isinstance(value, int | float) else f"{label.lower()}: {shown}"
