"""Measures a description states as "Name: value unit" bullets, lifted into typed product attributes.

Many exports keep specs only in the description ("Packed weight: 1.08 kg", "- 重量：1.2千克"), so nothing
could sort by them or compare them. Each such bullet whose unit is a known unit (``data/units.json``)
becomes an attribute named after the bullet, with the unit as the name's last part (``packed_weight_kg``:
1.08), which the store's measure sorting and the fact check read like any catalog attribute. A bullet is
never lifted over an attribute the row already has, and the same measure stated in both languages is
lifted once. The lifted keys are reported with the row, so the shop can see where each came from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .models import AttributeValue, Product

UNITS_FILE = Path(__file__).resolve().parent / "data" / "units.json"
SAME_MEASURE_TOLERANCE = 0.02  # relative: converted units round ("1.2 kg" / "1200克", "2.6 lb" / "1.18 kg")
LABEL_MAX_CHARS = 40  # a longer "label" is a sentence with a colon in it, not a spec name
_NUMBER = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?"
# "- Packed weight: 1.08 kg", "• 重量：1.2千克（含电池）", "Weight: 76 g with batteries": label, number, unit,
# then anything after a break.
_BULLET = re.compile(
    rf"^[ \t]*(?:[-*•·●▪◦][ \t]*)?(?P<label>[^:：\n]{{1,{LABEL_MAX_CHARS}}}?)[ \t]*[:：][ \t]*"
    rf"(?P<sign>[-−])?(?P<number>{_NUMBER})[ \t]*(?P<unit>[^\d\s()（）,，;；]{{1,12}}?)(?:[ \t,，;；(（][^\n]*)?$",
    re.MULTILINE,
)
_KEY_JUNK = re.compile(r"[^\w\u4e00-\u9fff]+")


@dataclass(frozen=True)
class LiftedMeasure:
    key: str
    value: float
    unit: str
    line: str  # the description line it came from
    label: str = ""  # the line's own name for it, as written ("Packed weight", "重量")


@cache
def unit_table() -> dict[str, tuple[str, float]]:
    """Unit token (lower case: "kg", "千克", "°c") -> its class and factor to the class's base unit."""
    data = json.loads(UNITS_FILE.read_text(encoding="utf-8"))
    return {str(token).lower(): (str(v[0]), float(v[1])) for token, v in data["units"].items()}


def _same_measure(a: LiftedMeasure, b: LiftedMeasure) -> bool:
    """0.5 kg and 500克 are one measure stated twice (to the rounding of a unit conversion)."""
    ua, ub = unit_table()[a.unit], unit_table()[b.unit]
    x, y = a.value * ua[1], b.value * ub[1]
    return ua[0] == ub[0] and abs(x - y) <= SAME_MEASURE_TOLERANCE * max(abs(x), abs(y))


def _key(label: str, unit: str) -> str:
    name = _KEY_JUNK.sub("_", label.strip().lower()).strip("_")
    return f"{name}_{unit}" if name else ""


def described_measures(text: str) -> list[LiftedMeasure]:
    """The "Name: value unit" lines of ``text`` whose unit is a known one, in text order."""
    units = unit_table()
    found: list[LiftedMeasure] = []
    for match in _BULLET.finditer(text):
        unit = match.group("unit").lower()
        key = _key(match.group("label"), unit)
        if unit in units and key:
            value = float(match.group("number").replace(",", "")) * (-1 if match.group("sign") else 1)
            found.append(LiftedMeasure(key, value, unit, match.group(0).strip(), match.group("label").strip()))
    return found


def lift_described_measures(product: Product) -> tuple[Product, list[LiftedMeasure]]:
    """``product`` with its description's measures as attributes, and what was lifted."""
    attributes: dict[str, AttributeValue] = dict(product.attributes)
    lifted: list[LiftedMeasure] = []
    for text in (product.description, product.description_zh):
        this_text: list[LiftedMeasure] = []
        for measure in described_measures(text):
            # The other language's line with the same number is the same measure, said again.
            if measure.key in attributes or any(_same_measure(m, measure) for m in lifted):
                continue
            this_text.append(measure)
            attributes[measure.key] = int(measure.value) if measure.value.is_integer() else measure.value
        lifted += this_text
    if not lifted:
        return product, []
    return product.model_copy(update={"attributes": attributes}), lifted


def described_labels_zh(product: Product) -> dict[str, str]:
    """Lifted attribute key -> the name the Chinese description gives the same measure ("舒适温度").

    A key lifted from the English bullets has English words the label table may not know; the shop's own
    Chinese bullet for the same number names it better than a half-translated label.
    """
    if not product.description_zh:
        return {}
    chinese = described_measures(product.description_zh)
    out: dict[str, str] = {}
    for measure in described_measures(product.description):
        if measure.key not in product.attributes:
            continue
        same = next((m for m in chinese if _same_measure(m, measure)), None)
        if same is not None and same.label:
            out[measure.key] = same.label
    return out
