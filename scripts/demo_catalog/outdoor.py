"""Demo builders for the carry and outdoor lines: backpacks, bottles, smartwatches and jackets."""

from __future__ import annotations

import random
from typing import NamedTuple

from knowledge.models import AttributeValue
from scripts.demo_catalog.tables import PALETTES, Draft, demo_table

# --------------------------------------------------------------------------- backpacks


class Backpack(NamedTuple):
    brand: str
    line: str
    capacity: int
    waterproof: bool
    sleeve: float
    weight: int
    price: int


BACKPACK_LINES: dict[str, tuple[str, str, tuple[str, ...], str, str]] = demo_table("backpack_lines")

BACKPACKS: tuple[Backpack, ...] = demo_table("backpacks", Backpack)


def backpacks(rng: random.Random) -> list[Draft]:
    drafts: list[Draft] = []
    for bp in BACKPACKS:
        noun, line_zh, uses, tag_en, tag_zh = BACKPACK_LINES[bp.line]
        attrs: dict[str, AttributeValue] = {
            "capacity_l": bp.capacity,
            "waterproof": bp.waterproof,
            "laptop_sleeve_inch": bp.sleeve,
            "weight_g": bp.weight,
            "color": rng.choice(PALETTES["backpacks"]),
        }
        if bp.sleeve > 0:
            sleeve_en = f"fits laptops up to {bp.sleeve} inches"
            sleeve_zh = f"可放{bp.sleeve}英寸笔记本电脑"
        else:
            sleeve_en = "no laptop sleeve"
            sleeve_zh = "无电脑隔层"
        wp_en = "waterproof" if bp.waterproof else "water-resistant but not waterproof"
        wp_zh = "防水" if bp.waterproof else "轻度防泼水，不防水"
        drafts.append(
            Draft(
                category="backpacks",
                brand=bp.brand,
                name=f"{bp.brand} {bp.line} {bp.capacity}L {noun}",
                name_zh=f"{bp.brand} {line_zh} {bp.capacity}L",
                price=bp.price,
                attributes=attrs,
                uses=uses,
                description=f"{tag_en} {bp.capacity} L, {sleeve_en}, {wp_en}; weighs {bp.weight} g.",
                description_zh=f"{tag_zh}容量{bp.capacity}升，{sleeve_zh}，{wp_zh}，重{bp.weight}克。",
            )
        )
    return drafts


# --------------------------------------------------------------------------- water bottles


class Bottle(NamedTuple):
    brand: str
    line: str
    capacity: int
    insulated: bool
    material: str
    weight: int
    leakproof: bool
    price: int


MATERIAL_ZH = {
    "stainless steel": "不锈钢",
    "Tritan plastic": "Tritan 材质",
    "borosilicate glass": "高硼硅玻璃",
    "titanium": "纯钛",
    "silicone": "食品级硅胶",
    "TPU": "TPU 软材质",
    "PP plastic": "PP 材质",
}

BOTTLE_LINES: dict[str, tuple[str, tuple[str, ...], str, str]] = demo_table("bottle_lines")

BOTTLES: tuple[Bottle, ...] = demo_table("bottles", Bottle)


def water_bottles(rng: random.Random) -> list[Draft]:
    drafts: list[Draft] = []
    for bt in BOTTLES:
        line_zh, uses, tag_en, tag_zh = BOTTLE_LINES[bt.line]
        attrs: dict[str, AttributeValue] = {
            "capacity_ml": bt.capacity,
            "insulated": bt.insulated,
            "material": bt.material,
            "weight_g": bt.weight,
            "leakproof": bt.leakproof,
            "color": rng.choice(PALETTES["water_bottles"]),
        }
        ins_en = "keeps drinks hot 12 h / cold 24 h" if bt.insulated else "not insulated"
        ins_zh = "保温12小时、保冷24小时" if bt.insulated else "不保温"
        leak_en = "leakproof lid" if bt.leakproof else "not fully leakproof"
        leak_zh = "杯盖防漏" if bt.leakproof else "非完全防漏"
        drafts.append(
            Draft(
                category="water_bottles",
                brand=bt.brand,
                name=f"{bt.brand} {bt.line} {bt.capacity}ml",
                name_zh=f"{bt.brand} {line_zh} {bt.capacity}ml",
                price=bt.price,
                attributes=attrs,
                uses=uses,
                description=f"{tag_en} {bt.capacity} ml, {bt.material}, {ins_en}, {leak_en}; {bt.weight} g.",
                description_zh=(
                    f"{tag_zh}容量{bt.capacity}毫升，{MATERIAL_ZH[bt.material]}，{ins_zh}，{leak_zh}，重{bt.weight}克。"
                ),
            )
        )
    return drafts


# --------------------------------------------------------------------------- smartwatches


class Watch(NamedTuple):
    brand: str
    model: str
    model_zh: str
    gps: bool
    battery_days: int
    rating: str
    screen: float
    nfc: bool
    price: int


WATCH_LINES: dict[str, tuple[tuple[str, ...], str, str]] = demo_table("watch_lines")

WATCHES: tuple[Watch, ...] = demo_table("watches", Watch)

RATING_TEXT: dict[str, tuple[str, str]] = {
    "3ATM": ("3ATM splash and rain resistance", "3ATM 生活防水（防雨防溅）"),
    "5ATM": ("5ATM water resistance (swim-proof)", "5ATM 防水（可游泳）"),
    "10ATM": ("10ATM water resistance (snorkelling)", "10ATM 防水（可浮潜）"),
    "IP68": ("IP68 dust and splash resistance", "IP68 防尘防溅"),
}


def watch_line(model: str) -> str:
    for line in ("Watch Ultra", "Kids Watch", "Watch", "Pace", "Trek", "Band", "Fit", "Chrono", "Active"):
        if model.startswith(line):
            return line
    raise ValueError(model)


def smartwatches(rng: random.Random) -> list[Draft]:
    drafts: list[Draft] = []
    for wt in WATCHES:
        uses, tag_en, tag_zh = WATCH_LINES[watch_line(wt.model)]
        attrs: dict[str, AttributeValue] = {
            "gps": wt.gps,
            "battery_days": wt.battery_days,
            "waterproof_rating": wt.rating,
            "screen_inch": wt.screen,
            "nfc": wt.nfc,
            "color": rng.choice(PALETTES["smartwatches"]),
        }
        gps_en = "built-in GPS" if wt.gps else "no built-in GPS (uses your phone's)"
        gps_zh = "内置GPS" if wt.gps else "无独立GPS（需连接手机定位）"
        nfc_en = ", NFC payments" if wt.nfc else ""
        nfc_zh = "，支持NFC支付" if wt.nfc else ""
        rating_en, rating_zh = RATING_TEXT[wt.rating]
        drafts.append(
            Draft(
                category="smartwatches",
                brand=wt.brand,
                name=f"{wt.brand} {wt.model}",
                name_zh=f"{wt.brand} {wt.model_zh}",
                price=wt.price,
                attributes=attrs,
                uses=uses,
                description=(
                    f"{tag_en} {wt.screen}-inch screen, {gps_en}, up to {wt.battery_days} days of battery, "
                    f"{rating_en}{nfc_en}."
                ),
                description_zh=(
                    f"{tag_zh}{wt.screen}英寸屏幕，{gps_zh}，续航最长{wt.battery_days}天，{rating_zh}{nfc_zh}。"
                ),
            )
        )
    return drafts


# --------------------------------------------------------------------------- jackets


class Jacket(NamedTuple):
    brand: str
    name: str
    name_zh: str
    waterproof: bool
    insulated: bool
    fill: str
    weight: int
    fit: str
    hood: bool
    price: int
    uses: tuple[str, ...]
    tag_en: str
    tag_zh: str


SHELL = ("hiking", "outdoor", "travel")
RUN = ("running", "hiking", "commuting")
CITY = ("commuting", "travel")

JACKETS: tuple[Jacket, ...] = demo_table("jackets", Jacket)

FILL_TEXT: dict[str, tuple[str, str]] = {
    "none": ("not insulated", "无填充"),
    "down": ("down insulated", "羽绒填充"),
    "synthetic": ("synthetic insulation", "合成棉填充"),
    "fleece": ("fleece insulated", "抓绒保暖"),
}
FIT_ZH = {"slim": "修身", "regular": "标准", "relaxed": "宽松"}


def jackets(rng: random.Random) -> list[Draft]:
    drafts: list[Draft] = []
    for jk in JACKETS:
        attrs: dict[str, AttributeValue] = {
            "waterproof": jk.waterproof,
            "insulated": jk.insulated,
            "fill": jk.fill,
            "weight_g": jk.weight,
            "fit": jk.fit,
            "hood": jk.hood,
            "color": rng.choice(PALETTES["jackets"]),
        }
        wp_en = "waterproof and seam-sealed" if jk.waterproof else "not waterproof"
        wp_zh = "防水压胶" if jk.waterproof else "不防水"
        hood_en = "with hood" if jk.hood else "no hood"
        hood_zh = "带帽" if jk.hood else "无帽"
        fill_en, fill_zh = FILL_TEXT[jk.fill]
        drafts.append(
            Draft(
                category="jackets",
                brand=jk.brand,
                name=f"{jk.brand} {jk.name}",
                name_zh=f"{jk.brand} {jk.name_zh}",
                price=jk.price,
                attributes=attrs,
                uses=jk.uses,
                description=(
                    f"{jk.tag_en} {wp_en.capitalize()}, {fill_en}, {jk.fit} fit, {hood_en}; "
                    f"about {jk.weight} g in size M."
                ),
                description_zh=(
                    f"{jk.tag_zh}{wp_zh}，{fill_zh}，{FIT_ZH[jk.fit]}版型，{hood_zh}，M码约{jk.weight}克。"
                ),
            )
        )
    return drafts
