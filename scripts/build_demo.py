"""Generate the bundled bilingual demo catalog under ``knowledge/data/demo``.

A build tool, not part of the installed packages. Run from the repository root::

    python scripts/build_demo.py

The output is fully deterministic: the only randomness is ``random.Random(42)``, consumed in a fixed
order. Files written: ``products.jsonl``, ``reviews.jsonl``, ``faq.md``, ``faq.zh.md``,
``policies.md`` and ``policies.zh.md``. Every product and review row is validated through the
pydantic models in :mod:`knowledge.models` before it is written.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from knowledge.models import AttributeValue, Product, Review

SEED = 42
OUT_DIR = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "demo"
BASE_URL = "https://shop.example.com"

CATEGORY_CODES: dict[str, str] = {
    "running_shoes": "RUN",
    "headphones": "HPH",
    "laptops": "LAP",
    "phones": "PHN",
    "backpacks": "BAG",
    "water_bottles": "BTL",
    "smartwatches": "WCH",
    "jackets": "JKT",
}

USES: tuple[str, ...] = (
    "running",
    "hiking",
    "commuting",
    "office",
    "gaming",
    "travel",
    "gym",
    "gift",
    "kids",
    "outdoor",
    "study",
    "photography",
)

OUT_OF_STOCK_SHARE = 0.15
NO_IMAGE_SHARE = 0.20
REVIEWED_PER_CATEGORY = 5

COLORS_ZH: dict[str, str] = {
    "black": "黑色",
    "white": "白色",
    "grey": "灰色",
    "navy": "藏青色",
    "blue": "蓝色",
    "red": "红色",
    "green": "绿色",
    "olive": "橄榄绿",
    "orange": "橙色",
    "pink": "粉色",
    "beige": "米色",
    "purple": "紫色",
    "silver": "银色",
    "yellow": "黄色",
}

PALETTES: dict[str, tuple[str, ...]] = {
    "running_shoes": ("black", "white", "grey", "blue", "red", "orange", "pink", "navy"),
    "headphones": ("black", "white", "silver", "navy", "beige"),
    "laptops": ("silver", "grey", "black"),
    "phones": ("black", "white", "blue", "green", "purple", "silver"),
    "backpacks": ("black", "grey", "navy", "olive", "beige", "red"),
    "water_bottles": ("black", "white", "blue", "green", "pink", "yellow", "silver"),
    "smartwatches": ("black", "silver", "pink", "green", "white"),
    "jackets": ("black", "navy", "olive", "red", "grey", "blue", "beige"),
}


@dataclass(frozen=True)
class Draft:
    """A product before SKU, stock and URLs are assigned."""

    category: str
    brand: str
    name: str
    name_zh: str
    price: int
    attributes: dict[str, AttributeValue]
    uses: tuple[str, ...]
    description: str
    description_zh: str


def round9(value: float) -> int:
    """Round to a shelf price ending in 9: 463 -> 459, 1234 -> 1199."""
    step = 100 if value >= 1000 else 10
    return max(step - 1, round(value / step) * step - 1)


def spread(low: int, high: int, index: int, count: int) -> int:
    """Price of model ``index`` of ``count`` in a line priced from ``low`` to ``high``."""
    if count <= 1:
        return low
    return round9(low + (high - low) * index / (count - 1))


def storage_label(gb: int) -> str:
    return f"{gb // 1024}TB" if gb >= 1024 else f"{gb}GB"


# --------------------------------------------------------------------------- running shoes


class ShoeLine(NamedTuple):
    brand: str
    en: str
    zh: str
    terrain: str
    cushioning: str
    weight: int
    drop: int
    low: int
    high: int
    uses: tuple[str, ...]
    models: tuple[str, ...]
    tag_en: str
    tag_zh: str


SHOE_LINES: tuple[ShoeLine, ...] = (
    ShoeLine(
        "Stridex",
        "AeroRun",
        "轻风跑鞋",
        "road",
        "medium",
        250,
        8,
        459,
        799,
        ("running", "gym"),
        ("2", "3", "3 Wide", "4", "4 Lite"),
        "A lightweight daily trainer for easy miles and tempo days.",
        "轻量日常训练鞋，适合轻松跑和节奏跑。",
    ),
    ShoeLine(
        "Stridex",
        "CloudStep",
        "云步缓震跑鞋",
        "road",
        "high",
        290,
        10,
        599,
        999,
        ("running", "commuting", "gift"),
        ("1", "2", "2 Wide", "3"),
        "A plush max-cushion shoe for long runs and all-day comfort.",
        "厚底高缓震跑鞋，适合长距离慢跑和全天穿着。",
    ),
    ShoeLine(
        "Stridex",
        "Pulse Racer",
        "脉冲竞速跑鞋",
        "road",
        "low",
        205,
        6,
        899,
        1299,
        ("running",),
        ("1", "2", "2 Carbon"),
        "A race-day shoe with a firm, snappy ride for 10K to marathon.",
        "竞速比赛鞋，脚感扎实、推进有力，适合10公里到全马。",
    ),
    ShoeLine(
        "Stridex",
        "TrailGrip",
        "山径越野跑鞋",
        "trail",
        "medium",
        315,
        6,
        569,
        949,
        ("running", "hiking", "outdoor"),
        ("2", "2 GTX", "3", "3 GTX"),
        "A grippy trail runner with deep lugs for mud and rock.",
        "深齿大底越野跑鞋，泥地和岩石路面抓地力强。",
    ),
    ShoeLine(
        "Stridex",
        "DailyJog",
        "日常慢跑鞋",
        "road",
        "medium",
        290,
        10,
        199,
        329,
        ("running", "gym", "commuting"),
        ("1", "2", "2 Wide"),
        "An affordable everyday jogging shoe for beginners.",
        "入门级日常慢跑鞋，价格亲民。",
    ),
    ShoeLine(
        "Stridex",
        "Tempo",
        "节奏训练跑鞋",
        "road",
        "medium",
        235,
        8,
        399,
        549,
        ("running", "gym"),
        ("1", "2"),
        "A responsive trainer for intervals and gym sessions.",
        "回弹灵敏的训练鞋，适合间歇跑和健身房训练。",
    ),
    ShoeLine(
        "Kestrel",
        "Ridge Runner",
        "山脊越野跑鞋",
        "trail",
        "high",
        335,
        6,
        699,
        1099,
        ("running", "hiking", "outdoor"),
        ("1", "1 GTX", "2", "2 GTX"),
        "A cushioned trail shoe for long mountain days.",
        "高缓震越野跑鞋，适合长距离山地路线。",
    ),
    ShoeLine(
        "Kestrel",
        "Swift",
        "疾风跑鞋",
        "road",
        "medium",
        255,
        8,
        299,
        499,
        ("running", "gym"),
        ("3", "4", "4 Lite"),
        "A versatile road shoe at a friendly price.",
        "百搭公路跑鞋，性价比高。",
    ),
    ShoeLine(
        "Kestrel",
        "Dash Kids",
        "少年疾跑童鞋",
        "road",
        "medium",
        180,
        6,
        199,
        269,
        ("running", "kids", "gift"),
        ("1", "2"),
        "A light, hook-and-loop running shoe for kids aged 6 to 12.",
        "轻便魔术贴儿童跑鞋，适合6到12岁孩子。",
    ),
)

SHOE_TOKENS_ZH = {"Wide": "宽楦版", "GTX": "GTX 防水版", "Lite": "轻量版", "Carbon": "碳板版"}
SHOE_WEIGHT_DELTA = {"Wide": 10, "GTX": 25, "Lite": -20, "Carbon": -10}
TERRAIN_ZH = {"road": "公路跑", "trail": "越野跑"}
LEVEL_ZH = {"low": "低", "medium": "中等", "high": "高"}


def shoe_model_zh(model: str) -> str:
    parts = []
    for token in model.split():
        parts.append(f"{token}代" if token.isdigit() else SHOE_TOKENS_ZH[token])
    return " ".join(parts)


def running_shoes(rng: random.Random) -> list[Draft]:
    drafts: list[Draft] = []
    for line in SHOE_LINES:
        for index, model in enumerate(line.models):
            tokens = model.split()
            waterproof = "GTX" in tokens
            weight = line.weight + sum(SHOE_WEIGHT_DELTA.get(t, 0) for t in tokens) + rng.randint(-6, 6)
            color = rng.choice(PALETTES["running_shoes"])
            attrs: dict[str, AttributeValue] = {
                "terrain": line.terrain,
                "cushioning": line.cushioning,
                "waterproof": waterproof,
                "weight_g": weight,
                "drop_mm": line.drop,
                "color": color,
            }
            wp_en = "waterproof GTX membrane" if waterproof else "breathable mesh upper, not waterproof"
            wp_zh = "GTX 防水膜" if waterproof else "透气网面，不防水"
            drafts.append(
                Draft(
                    category="running_shoes",
                    brand=line.brand,
                    name=f"{line.brand} {line.en} {model}",
                    name_zh=f"{line.brand} {line.zh} {shoe_model_zh(model)}",
                    price=spread(line.low, line.high, index, len(line.models)),
                    attributes=attrs,
                    uses=line.uses,
                    description=(
                        f"{line.tag_en} {line.cushioning.capitalize()} cushioning for {line.terrain} "
                        f"running, about {weight} g per shoe (EU 42) with a heel drop of {line.drop} mm; "
                        f"{wp_en}."
                    ),
                    description_zh=(
                        f"{line.tag_zh}适合{TERRAIN_ZH[line.terrain]}，{LEVEL_ZH[line.cushioning]}缓震，"
                        f"单只约{weight}克（42码），足跟差{line.drop}毫米，{wp_zh}。"
                    ),
                )
            )
    return drafts


# --------------------------------------------------------------------------- headphones


class Headphone(NamedTuple):
    brand: str
    line: str
    model: str
    model_zh: str
    kind: str
    wireless: bool
    anc: bool
    battery: int
    weight: int
    price: int


HEADPHONE_LINES: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    "Quietude": (
        "静界头戴式降噪耳机",
        ("commuting", "travel", "office", "gift"),
        "Flagship over-ear headphones for flights and open offices.",
        "旗舰头戴式耳机，适合飞机出行和开放式办公室。",
    ),
    "AirBuds": (
        "灵动真无线耳机",
        ("commuting", "gym", "travel", "gift"),
        "Compact true wireless earbuds with a pocketable charging case.",
        "小巧真无线耳机，充电盒可轻松放入口袋。",
    ),
    "Studio": (
        "录音室监听耳机",
        ("office", "study"),
        "Closed-back studio monitor headphones with a flat, accurate sound.",
        "封闭式录音室监听耳机，声音平直准确。",
    ),
    "SoundLoop": (
        "声环真无线耳机",
        ("commuting", "study", "gift"),
        "Budget-friendly true wireless earbuds for everyday listening.",
        "高性价比真无线耳机，适合日常听歌。",
    ),
    "Thunder": (
        "雷霆游戏耳机",
        ("gaming",),
        "A gaming headset with a detachable boom microphone and 7.1 virtual surround.",
        "游戏耳机，配可拆卸麦克风，支持7.1虚拟环绕声。",
    ),
    "SprintBuds": (
        "疾跑运动耳机",
        ("running", "gym"),
        "Sweat-resistant ear-hook sports earbuds that stay put on fast runs.",
        "防汗耳挂式运动耳机，跑步时佩戴稳固。",
    ),
    "Pods": (
        "随心真无线耳机",
        ("commuting", "study", "office", "gift"),
        "Everyday earbuds that pair instantly with Lumo phones and laptops.",
        "日常真无线耳机，可与 Lumo 手机和电脑快速配对。",
    ),
    "Arc": (
        "弧光头戴式耳机",
        ("commuting", "travel", "study"),
        "Lightweight foldable over-ear headphones with long battery life.",
        "轻量可折叠头戴式耳机，续航持久。",
    ),
    "KidSafe": (
        "儿童护耳耳机",
        ("kids", "study", "gift"),
        "Kids' headphones with an 85 dB volume limit to protect young ears.",
        "儿童耳机，音量限制在85分贝以内，保护孩子听力。",
    ),
    "Core": (
        "经典入耳式有线耳机",
        ("commuting", "study"),
        "Simple wired earbuds with an inline mic.",
        "简约入耳式有线耳机，带线控麦克风。",
    ),
}

HEADPHONES: tuple[Headphone, ...] = (
    Headphone("Auralis", "Quietude", "3", "3代", "over-ear", True, True, 30, 265, 899),
    Headphone("Auralis", "Quietude", "4", "4代", "over-ear", True, True, 35, 258, 1299),
    Headphone("Auralis", "Quietude", "5", "5代", "over-ear", True, True, 40, 250, 2299),
    Headphone("Auralis", "Quietude", "5 Pro", "5代 Pro", "over-ear", True, True, 42, 254, 2999),
    Headphone("Auralis", "AirBuds", "2", "2代", "in-ear", True, False, 24, 5, 299),
    Headphone("Auralis", "AirBuds", "3", "3代", "in-ear", True, False, 28, 5, 499),
    Headphone("Auralis", "AirBuds", "3 Pro", "3代 Pro", "in-ear", True, True, 30, 5, 899),
    Headphone("Auralis", "AirBuds", "4 Pro", "4代 Pro", "in-ear", True, True, 36, 5, 1299),
    Headphone("Auralis", "Studio", "M20", "M20", "over-ear", False, False, 0, 240, 399),
    Headphone("Auralis", "Studio", "M40", "M40", "over-ear", False, False, 0, 260, 799),
    Headphone("Auralis", "Studio", "M50", "M50", "over-ear", False, False, 0, 285, 1199),
    Headphone("Auralis", "KidSafe", "1", "1代", "over-ear", True, False, 25, 150, 149),
    Headphone("Auralis", "KidSafe", "2", "2代", "over-ear", True, False, 30, 145, 249),
    Headphone("Veyra", "SoundLoop", "Lite", "青春版", "in-ear", True, False, 20, 4, 99),
    Headphone("Veyra", "SoundLoop", "1", "1代", "in-ear", True, False, 24, 5, 169),
    Headphone("Veyra", "SoundLoop", "2", "2代", "in-ear", True, False, 28, 5, 249),
    Headphone("Veyra", "SoundLoop", "2 ANC", "2代 降噪版", "in-ear", True, True, 30, 5, 349),
    Headphone("Veyra", "Thunder", "G1", "G1", "over-ear", False, False, 0, 320, 199),
    Headphone("Veyra", "Thunder", "G3 Wireless", "G3 无线版", "over-ear", True, False, 50, 300, 499),
    Headphone("Veyra", "Thunder", "G5 Wireless", "G5 无线版", "over-ear", True, True, 60, 310, 899),
    Headphone("Veyra", "SprintBuds", "1", "1代", "in-ear", True, False, 20, 7, 199),
    Headphone("Veyra", "SprintBuds", "2", "2代", "in-ear", True, False, 28, 7, 299),
    Headphone("Veyra", "SprintBuds", "2 Plus", "2代 Plus", "in-ear", True, False, 36, 7, 399),
    Headphone("Veyra", "Core", "1", "1代", "in-ear", False, False, 0, 4, 99),
    Headphone("Lumo", "Pods", "SE", "SE", "in-ear", True, False, 24, 4, 199),
    Headphone("Lumo", "Pods", "2", "2代", "in-ear", True, False, 30, 5, 449),
    Headphone("Lumo", "Pods", "2 Pro", "2代 Pro", "in-ear", True, True, 36, 5, 799),
    Headphone("Lumo", "Arc", "1", "1代", "over-ear", True, False, 45, 230, 399),
    Headphone("Lumo", "Arc", "2", "2代", "over-ear", True, False, 50, 220, 599),
    Headphone("Lumo", "Arc", "2 ANC", "2代 降噪版", "over-ear", True, True, 40, 240, 899),
)


def headphones(rng: random.Random) -> list[Draft]:
    drafts: list[Draft] = []
    for hp in HEADPHONES:
        line_zh, uses, tag_en, tag_zh = HEADPHONE_LINES[hp.line]
        attrs: dict[str, AttributeValue] = {
            "type": hp.kind,
            "wireless": hp.wireless,
            "noise_cancelling": hp.anc,
            "battery_hours": hp.battery,
            "weight_g": hp.weight,
            "color": rng.choice(PALETTES["headphones"]),
        }
        in_ear = hp.kind == "in-ear"
        kind_en = "In-ear" if in_ear else "Over-ear"
        kind_zh = "入耳式" if in_ear else "头戴式"
        link_en = "Bluetooth 5.3 wireless" if hp.wireless else "wired 3.5 mm"
        link_zh = "蓝牙5.3无线连接" if hp.wireless else "3.5毫米有线连接"
        anc_en = "active noise cancelling" if hp.anc else "no active noise cancelling"
        anc_zh = "支持主动降噪" if hp.anc else "不支持主动降噪"
        weight_en = f"{hp.weight} g per earbud" if in_ear else f"{hp.weight} g"
        weight_zh = f"单耳{hp.weight}克" if in_ear else f"重{hp.weight}克"
        if hp.wireless:
            case_en = " with the charging case" if in_ear else ""
            case_zh = "（含充电盒）" if in_ear else ""
            battery_en = f"up to {hp.battery} hours of playback{case_en}"
            battery_zh = f"续航最长{hp.battery}小时{case_zh}"
        else:
            battery_en = "no battery needed"
            battery_zh = "无需充电"
        drafts.append(
            Draft(
                category="headphones",
                brand=hp.brand,
                name=f"{hp.brand} {hp.line} {hp.model}",
                name_zh=f"{hp.brand} {line_zh} {hp.model_zh}",
                price=hp.price,
                attributes=attrs,
                uses=uses,
                description=f"{tag_en} {kind_en}, {link_en}, {anc_en}, {battery_en}; {weight_en}.",
                description_zh=f"{tag_zh}{kind_zh}，{link_zh}，{anc_zh}，{battery_zh}，{weight_zh}。",
            )
        )
    return drafts


# --------------------------------------------------------------------------- laptops


class Laptop(NamedTuple):
    brand: str
    series: str
    cpu: str
    ram: int
    storage: int
    gpu: str
    price: int


class LaptopSeries(NamedTuple):
    zh: str
    screen: float
    weight: float
    battery: int
    uses: tuple[str, ...]
    tag_en: str
    tag_zh: str


LAPTOP_SERIES: dict[str, LaptopSeries] = {
    "Summit 14": LaptopSeries(
        "峰境 14 轻薄本",
        14.0,
        1.25,
        14,
        ("office", "travel", "study"),
        "A thin-and-light business ultrabook with a 2.8K display.",
        "轻薄商务本，配2.8K屏幕。",
    ),
    "Summit 16": LaptopSeries(
        "峰境 16 大屏轻薄本",
        16.0,
        1.78,
        12,
        ("office", "study"),
        "A big-screen productivity laptop that still fits in a backpack.",
        "大屏高效办公本，依然便于携带。",
    ),
    "Forge 15": LaptopSeries(
        "锻炉 15 游戏本",
        15.6,
        2.3,
        6,
        ("gaming",),
        "A gaming laptop with a 165 Hz display and advanced cooling.",
        "游戏本，165Hz高刷屏，强力散热。",
    ),
    "Forge 16": LaptopSeries(
        "锻炉 16 游戏本",
        16.0,
        2.5,
        6,
        ("gaming",),
        "A 16-inch gaming laptop with a 240 Hz QHD+ display.",
        "16英寸游戏本，240Hz 2.5K高刷屏。",
    ),
    "Forge 17": LaptopSeries(
        "锻炉 17 游戏本",
        17.3,
        2.9,
        5,
        ("gaming",),
        "A desktop-replacement gaming laptop with a 17.3-inch screen.",
        "17.3英寸大屏游戏本，可替代台式机。",
    ),
    "Scholar 13": LaptopSeries(
        "学霸 13 学生本",
        13.3,
        1.3,
        10,
        ("study", "office"),
        "An affordable student laptop for classes and homework.",
        "高性价比学生本，适合上课和写作业。",
    ),
    "Scholar 14": LaptopSeries(
        "学霸 14 学生本",
        14.0,
        1.4,
        11,
        ("study", "office"),
        "A durable 14-inch student laptop with a spill-resistant keyboard.",
        "耐用14英寸学生本，键盘防泼溅。",
    ),
    "Creator 16": LaptopSeries(
        "创想 16 创作本",
        16.0,
        2.0,
        9,
        ("photography", "office"),
        "A creator laptop with a colour-calibrated 3.2K OLED screen.",
        "创作本，配出厂校色3.2K OLED屏。",
    ),
    "Book Air 13": LaptopSeries(
        "Book Air 13 轻薄本",
        13.3,
        1.15,
        15,
        ("office", "study", "travel"),
        "An ultra-light, fanless-quiet laptop for work on the go.",
        "超轻薄静音笔记本，适合移动办公。",
    ),
    "Book Air 15": LaptopSeries(
        "Book Air 15 轻薄本",
        15.3,
        1.45,
        14,
        ("office", "study", "travel"),
        "A light laptop with a roomy 15.3-inch screen.",
        "轻薄笔记本，配15.3英寸大屏。",
    ),
    "Book Pro 14": LaptopSeries(
        "Book Pro 14 创作本",
        14.5,
        1.55,
        12,
        ("photography", "office"),
        "A compact creator laptop with a 2.8K 120 Hz screen.",
        "小巧创作本，2.8K 120Hz屏幕。",
    ),
    "Book 15": LaptopSeries(
        "Book 15 家用办公本",
        15.6,
        1.7,
        9,
        ("office", "study"),
        "A no-nonsense 15.6-inch laptop for home and office.",
        "实用15.6英寸家用办公本。",
    ),
    "Flip 14": LaptopSeries(
        "Flip 14 二合一翻转本",
        14.0,
        1.5,
        11,
        ("study", "office", "travel"),
        "A 2-in-1 convertible with a touch screen and stylus support.",
        "二合一翻转本，支持触屏和手写笔。",
    ),
    "Play 15": LaptopSeries(
        "Play 15 游戏本",
        15.6,
        2.2,
        6,
        ("gaming", "study"),
        "An entry gaming laptop with a 144 Hz display.",
        "入门游戏本，144Hz高刷屏。",
    ),
    "Book Mini 12": LaptopSeries(
        "Book Mini 12 便携本",
        12.4,
        0.98,
        10,
        ("travel", "study"),
        "A pocket-friendly 12-inch laptop for notes and travel.",
        "小巧12英寸便携本，适合记笔记和出差。",
    ),
}

LAPTOPS: tuple[Laptop, ...] = (
    Laptop("Nordpeak", "Summit 14", "Intel Core Ultra 5 125H", 16, 512, "integrated", 5999),
    Laptop("Nordpeak", "Summit 14", "Intel Core Ultra 5 125H", 32, 1024, "integrated", 6999),
    Laptop("Nordpeak", "Summit 14", "Intel Core Ultra 7 155H", 16, 1024, "integrated", 7299),
    Laptop("Nordpeak", "Summit 14", "Intel Core Ultra 7 155H", 32, 1024, "integrated", 8499),
    Laptop("Nordpeak", "Summit 16", "Intel Core Ultra 7 155H", 16, 1024, "integrated", 7999),
    Laptop("Nordpeak", "Summit 16", "Intel Core Ultra 7 155H", 32, 1024, "integrated", 8999),
    Laptop("Nordpeak", "Forge 15", "Intel Core i7-13650HX", 16, 512, "NVIDIA GeForce RTX 4060", 7999),
    Laptop("Nordpeak", "Forge 15", "Intel Core i7-14650HX", 16, 1024, "NVIDIA GeForce RTX 4060", 8999),
    Laptop("Nordpeak", "Forge 15", "Intel Core i9-14900HX", 32, 1024, "NVIDIA GeForce RTX 4070", 11999),
    Laptop("Nordpeak", "Forge 16", "Intel Core i7-14650HX", 32, 1024, "NVIDIA GeForce RTX 4070", 10999),
    Laptop("Nordpeak", "Forge 17", "Intel Core i7-14650HX", 16, 1024, "NVIDIA GeForce RTX 4070", 11499),
    Laptop("Nordpeak", "Forge 17", "Intel Core i9-14900HX", 32, 2048, "NVIDIA GeForce RTX 4080", 14999),
    Laptop("Nordpeak", "Scholar 13", "Intel Core i5-1335U", 8, 256, "integrated", 3499),
    Laptop("Nordpeak", "Scholar 13", "Intel Core i5-1335U", 16, 512, "integrated", 3999),
    Laptop("Nordpeak", "Scholar 14", "Intel Core i5-1335U", 16, 512, "integrated", 4299),
    Laptop("Nordpeak", "Scholar 14", "Intel Core i7-1355U", 16, 1024, "integrated", 4999),
    Laptop("Nordpeak", "Creator 16", "Intel Core Ultra 7 155H", 32, 1024, "NVIDIA GeForce RTX 4050", 10499),
    Laptop("Nordpeak", "Creator 16", "Intel Core Ultra 9 185H", 32, 2048, "NVIDIA GeForce RTX 4060", 12999),
    Laptop("Lumo", "Book Air 13", "AMD Ryzen 5 7530U", 16, 512, "integrated", 4299),
    Laptop("Lumo", "Book Air 13", "AMD Ryzen 7 7730U", 16, 1024, "integrated", 4999),
    Laptop("Lumo", "Book Air 15", "AMD Ryzen 7 7730U", 16, 1024, "integrated", 5499),
    Laptop("Lumo", "Book Pro 14", "AMD Ryzen 7 8845HS", 32, 1024, "integrated", 6999),
    Laptop("Lumo", "Book Pro 14", "AMD Ryzen 9 8945HS", 32, 2048, "integrated", 8999),
    Laptop("Lumo", "Book 15", "Intel Core i5-1335U", 16, 512, "integrated", 3799),
    Laptop("Lumo", "Book 15", "Intel Core i7-1355U", 16, 1024, "integrated", 4599),
    Laptop("Lumo", "Flip 14", "Intel Core i5-1335U", 16, 512, "integrated", 5299),
    Laptop("Lumo", "Flip 14", "Intel Core i7-1355U", 16, 1024, "integrated", 6299),
    Laptop("Lumo", "Play 15", "AMD Ryzen 7 7840HS", 16, 512, "NVIDIA GeForce RTX 4050", 6499),
    Laptop("Lumo", "Play 15", "AMD Ryzen 7 7840HS", 16, 1024, "NVIDIA GeForce RTX 4060", 7499),
    Laptop("Lumo", "Book Mini 12", "Intel N100", 8, 512, "integrated", 3499),
)


def cpu_short(cpu: str, zh: bool) -> str:
    short = cpu.removeprefix("Intel ").removeprefix("AMD ")
    if zh:
        short = short.replace("Core ", "酷睿 ").replace("Ryzen ", "锐龙 ")
    return short


def laptops(rng: random.Random) -> list[Draft]:
    drafts: list[Draft] = []
    for lp in LAPTOPS:
        series = LAPTOP_SERIES[lp.series]
        attrs: dict[str, AttributeValue] = {
            "cpu": lp.cpu,
            "ram_gb": lp.ram,
            "storage_gb": lp.storage,
            "screen_inch": series.screen,
            "weight_kg": series.weight,
            "battery_hours": series.battery,
            "gpu": lp.gpu,
            "color": rng.choice(PALETTES["laptops"]),
        }
        storage = storage_label(lp.storage)
        gpu_en = "integrated graphics" if lp.gpu == "integrated" else lp.gpu
        gpu_zh = "集成显卡" if lp.gpu == "integrated" else f"{lp.gpu} 独立显卡"
        drafts.append(
            Draft(
                category="laptops",
                brand=lp.brand,
                name=f"{lp.brand} {lp.series} ({cpu_short(lp.cpu, zh=False)}, {lp.ram}GB/{storage})",
                name_zh=f"{lp.brand} {series.zh} {cpu_short(lp.cpu, zh=True)} {lp.ram}GB+{storage}",
                price=lp.price,
                attributes=attrs,
                uses=series.uses,
                description=(
                    f"{series.tag_en} {series.screen}-inch screen, {lp.cpu}, {lp.ram} GB RAM, "
                    f"{storage} SSD and {gpu_en}; {series.weight} kg with up to {series.battery} hours "
                    "of battery life."
                ),
                description_zh=(
                    f"{series.tag_zh}{series.screen}英寸屏幕，{lp.cpu} 处理器，{lp.ram}GB 内存，"
                    f"{storage} 固态硬盘，{gpu_zh}；重{series.weight}千克，续航最长{series.battery}小时。"
                ),
            )
        )
    return drafts


# --------------------------------------------------------------------------- phones


class Phone(NamedTuple):
    brand: str
    model: str
    model_zh: str
    ram: int
    storage: int
    screen: float
    battery: int
    camera: int
    charging: int
    price: int
    uses: tuple[str, ...]


FLAGSHIP = ("photography", "office", "gift")
MIDRANGE = ("gift", "study", "photography")
BUDGET = ("study", "gift", "kids")
GAMING = ("gaming",)
IMAGING = ("photography", "travel")
MUSIC = ("gift", "commuting")
FOLD = ("office", "gift", "travel")

PHONES: tuple[Phone, ...] = (
    Phone("Lumo", "X5 mini", "X5 mini", 12, 256, 6.1, 4500, 50, 67, 4299, FLAGSHIP),
    Phone("Lumo", "X5", "X5", 12, 256, 6.3, 5000, 50, 90, 4999, FLAGSHIP),
    Phone("Lumo", "X5", "X5", 16, 512, 6.3, 5000, 50, 90, 5699, FLAGSHIP),
    Phone("Lumo", "X5 Pro", "X5 Pro", 16, 512, 6.7, 5400, 50, 100, 6499, FLAGSHIP),
    Phone("Lumo", "X5 Pro", "X5 Pro", 16, 1024, 6.7, 5400, 50, 100, 7299, FLAGSHIP),
    Phone("Lumo", "X5 Ultra", "X5 Ultra", 16, 1024, 6.8, 5500, 200, 100, 8999, IMAGING),
    Phone("Lumo", "Nova 12 Lite", "新星 12 青春版", 6, 128, 6.5, 5000, 50, 33, 1299, BUDGET),
    Phone("Lumo", "Nova 12 Lite", "新星 12 青春版", 8, 256, 6.5, 5000, 50, 33, 1499, BUDGET),
    Phone("Lumo", "Nova 12", "新星 12", 8, 256, 6.6, 5500, 108, 67, 1999, MIDRANGE),
    Phone("Lumo", "Nova 12", "新星 12", 12, 256, 6.6, 5500, 108, 67, 2299, MIDRANGE),
    Phone("Lumo", "Nova 12 Pro", "新星 12 Pro", 12, 512, 6.7, 5200, 200, 100, 2799, MIDRANGE),
    Phone("Lumo", "Nova 12 Pro", "新星 12 Pro", 16, 512, 6.7, 5200, 200, 100, 2999, MIDRANGE),
    Phone("Lumo", "Fold 2", "Fold 2 折叠屏", 12, 256, 7.9, 4800, 50, 66, 7999, FOLD),
    Phone("Lumo", "Fold 2", "Fold 2 折叠屏", 16, 512, 7.9, 4800, 50, 66, 8999, FOLD),
    Phone("Veyra", "Spark 8", "星火 8", 4, 128, 6.7, 6000, 50, 33, 799, BUDGET),
    Phone("Veyra", "Spark 8", "星火 8", 6, 128, 6.7, 6000, 50, 33, 999, BUDGET),
    Phone("Veyra", "Spark 8", "星火 8", 8, 256, 6.7, 6000, 50, 33, 1199, BUDGET),
    Phone("Veyra", "Spark 8 Plus", "星火 8 Plus", 8, 256, 6.8, 6000, 108, 45, 1399, BUDGET),
    Phone("Veyra", "Titan 3", "泰坦 3 电竞版", 12, 256, 6.8, 6000, 50, 120, 3299, GAMING),
    Phone("Veyra", "Titan 3", "泰坦 3 电竞版", 16, 512, 6.8, 6000, 50, 120, 3999, GAMING),
    Phone("Veyra", "Titan 3 Pro", "泰坦 3 Pro 电竞版", 16, 1024, 6.8, 6500, 50, 120, 4799, GAMING),
    Phone("Veyra", "Edge 20", "锋 20", 8, 256, 6.67, 5000, 64, 67, 1699, MIDRANGE),
    Phone("Veyra", "Edge 20", "锋 20", 12, 256, 6.67, 5000, 64, 67, 1899, MIDRANGE),
    Phone("Veyra", "Edge 20 Pro", "锋 20 Pro", 12, 512, 6.7, 5100, 200, 90, 2499, MIDRANGE),
    Phone("Veyra", "Lens 5", "影像 Lens 5", 12, 256, 6.7, 5200, 50, 80, 3999, IMAGING),
    Phone("Veyra", "Lens 5", "影像 Lens 5", 16, 512, 6.7, 5200, 50, 80, 4599, IMAGING),
    Phone("Veyra", "Lens 5 Ultra", "影像 Lens 5 Ultra", 16, 1024, 6.8, 5500, 200, 90, 6299, IMAGING),
    Phone("Auralis", "Tune 2", "律动 2 音乐手机", 8, 256, 6.6, 5000, 50, 67, 2199, MUSIC),
    Phone("Auralis", "Tune 2", "律动 2 音乐手机", 12, 512, 6.6, 5000, 50, 67, 2599, MUSIC),
    Phone("Auralis", "Tune 2 Pro", "律动 2 Pro 音乐手机", 12, 512, 6.7, 5300, 64, 80, 2999, MUSIC),
)

PHONE_TAGS: dict[str, tuple[str, str]] = {
    "X5": ("A compact flagship with a premium aluminium frame.", "精致旗舰手机，铝合金中框。"),
    "X5 mini": ("A one-hand flagship with a small 6.1-inch screen.", "小屏旗舰，单手好握。"),
    "X5 Pro": ("A flagship with a 5x periscope telephoto lens.", "旗舰手机，配5倍潜望式长焦镜头。"),
    "X5 Ultra": ("The top camera flagship with a 1-inch main sensor.", "顶级影像旗舰，1英寸大底主摄。"),
    "Nova 12 Lite": ("An affordable everyday phone with a big battery.", "入门日常手机，大电池。"),
    "Nova 12": ("A stylish mid-range phone with a 120 Hz OLED screen.", "时尚中端手机，120Hz OLED屏幕。"),
    "Nova 12 Pro": ("A mid-range phone with a flagship-class camera.", "中端手机，旗舰级影像。"),
    "Fold 2": ("A book-style foldable that opens into a mini tablet.", "书本式折叠屏手机，展开即是小平板。"),
    "Spark 8": ("A budget phone with a 6000 mAh battery for two days of use.", "千元机，大电池可用两天。"),
    "Spark 8 Plus": (
        "A budget phone with a bigger screen and better camera.",
        "千元机，屏幕更大、拍照更好。",
    ),
    "Titan 3": (
        "A gaming phone with shoulder triggers and a cooling fan.",
        "电竞游戏手机，带肩键和散热风扇。",
    ),
    "Titan 3 Pro": (
        "The top gaming phone with a larger battery and cooling.",
        "旗舰电竞手机，更大电池和更强散热。",
    ),
    "Edge 20": ("A slim mid-range phone with a curved display.", "轻薄中端手机，曲面屏。"),
    "Edge 20 Pro": ("A slim mid-range phone with a 200 MP camera.", "轻薄中端手机，2亿像素主摄。"),
    "Lens 5": (
        "A camera phone co-tuned for street and travel photography.",
        "影像手机，适合街拍和旅行摄影。",
    ),
    "Lens 5 Ultra": ("The flagship camera phone with a 200 MP periscope.", "旗舰影像手机，2亿像素潜望长焦。"),
    "Tune 2": (
        "A music phone with stereo speakers and a headphone jack.",
        "音乐手机，双扬声器并保留耳机孔。",
    ),
    "Tune 2 Pro": (
        "A music phone with a hi-res DAC and stereo speakers.",
        "音乐手机，内置高解析音频芯片和双扬声器。",
    ),
}


def phones(rng: random.Random) -> list[Draft]:
    drafts: list[Draft] = []
    for ph in PHONES:
        tag_en, tag_zh = PHONE_TAGS[ph.model]
        storage = storage_label(ph.storage)
        attrs: dict[str, AttributeValue] = {
            "ram_gb": ph.ram,
            "storage_gb": ph.storage,
            "screen_inch": ph.screen,
            "battery_mah": ph.battery,
            "camera_mp": ph.camera,
            "charging_w": ph.charging,
            "color": rng.choice(PALETTES["phones"]),
        }
        drafts.append(
            Draft(
                category="phones",
                brand=ph.brand,
                name=f"{ph.brand} {ph.model} {ph.ram}GB+{storage}",
                name_zh=f"{ph.brand} {ph.model_zh} 5G手机 {ph.ram}GB+{storage}",
                price=ph.price,
                attributes=attrs,
                uses=ph.uses,
                description=(
                    f"{tag_en} {ph.screen}-inch screen, {ph.ram} GB RAM and {storage} storage, "
                    f"{ph.battery} mAh battery with {ph.charging} W fast charging and a {ph.camera} MP "
                    "main camera."
                ),
                description_zh=(
                    f"{tag_zh}{ph.screen}英寸屏幕，{ph.ram}GB 运行内存 + {storage} 存储，"
                    f"{ph.battery}mAh 电池，支持{ph.charging}W快充，{ph.camera}MP 主摄。"
                ),
            )
        )
    return drafts


# --------------------------------------------------------------------------- backpacks


class Backpack(NamedTuple):
    brand: str
    line: str
    capacity: int
    waterproof: bool
    sleeve: float
    weight: int
    price: int


BACKPACK_LINES: dict[str, tuple[str, str, tuple[str, ...], str, str]] = {
    "Metro": (
        "Backpack",
        "都市通勤双肩包",
        ("commuting", "office", "study"),
        "A clean-lined commuter backpack with a quick-access front pocket.",
        "简约通勤双肩包，前置快取口袋。",
    ),
    "Metro Pro": (
        "Backpack",
        "都市通勤双肩包 Pro",
        ("commuting", "office", "travel"),
        "The commuter backpack in waterproof TPU-coated fabric.",
        "通勤双肩包防水版，TPU涂层面料。",
    ),
    "Alpine": (
        "Hiking Pack",
        "阿尔卑登山包",
        ("hiking", "outdoor", "travel"),
        "A trekking pack with an adjustable back system and hip belt.",
        "可调背负系统登山包，带腰带。",
    ),
    "Campus": (
        "Backpack",
        "学院书包",
        ("study", "commuting"),
        "A student backpack with a bottle pocket and reflective strips.",
        "学生书包，带水杯袋和反光条。",
    ),
    "Executive": (
        "Business Backpack",
        "商务双肩包",
        ("office", "travel"),
        "A sleek business backpack with a luggage pass-through strap.",
        "商务双肩包，背面可套拉杆箱。",
    ),
    "Trailhead": (
        "Daypack",
        "径途日用背包",
        ("hiking", "commuting", "outdoor"),
        "A light daypack for short hikes and city days.",
        "轻量日用背包，适合短途徒步和城市出行。",
    ),
    "Voyager": (
        "Travel Pack",
        "远行旅行背包",
        ("travel",),
        "A carry-on travel pack that opens flat like a suitcase.",
        "登机旅行背包，可像行李箱一样全开。",
    ),
    "ShutterPack": (
        "Camera Backpack",
        "快门摄影双肩包",
        ("photography", "travel"),
        "A camera backpack with padded dividers and side access.",
        "摄影双肩包，带软隔板和侧开取机口。",
    ),
    "DrySeal": (
        "Roll-Top Backpack",
        "密封防水卷口背包",
        ("outdoor", "commuting", "travel"),
        "A welded roll-top backpack for cycling and boating.",
        "高周波焊接卷口背包，适合骑行和水上活动。",
    ),
    "Junior": (
        "Kids Backpack",
        "儿童书包",
        ("kids", "study"),
        "A light kids' backpack with a chest strap.",
        "轻量儿童书包，带胸扣。",
    ),
    "Roam": (
        "Packable Backpack",
        "可折叠旅行包",
        ("travel", "hiking"),
        "An ultralight backpack that folds into its own pocket.",
        "超轻背包，可收纳进自身口袋。",
    ),
    "RunVest": (
        "Running Vest",
        "跑步背心包",
        ("running", "hiking"),
        "A bounce-free running vest with soft-flask pockets.",
        "贴身不晃的跑步背心包，带软水壶袋。",
    ),
    "GymPack": (
        "Backpack",
        "健身双肩包",
        ("gym", "commuting"),
        "A gym backpack with a separate ventilated shoe compartment.",
        "健身双肩包，独立透气鞋仓。",
    ),
}

BACKPACKS: tuple[Backpack, ...] = (
    Backpack("Nordpeak", "Metro", 20, False, 14.0, 750, 299),
    Backpack("Nordpeak", "Metro", 24, False, 15.6, 850, 349),
    Backpack("Nordpeak", "Metro", 28, False, 16.0, 980, 429),
    Backpack("Nordpeak", "Metro Pro", 24, True, 16.0, 900, 499),
    Backpack("Nordpeak", "Alpine", 35, False, 0.0, 1150, 599),
    Backpack("Nordpeak", "Alpine", 45, False, 0.0, 1400, 799),
    Backpack("Nordpeak", "Alpine", 55, False, 0.0, 1650, 999),
    Backpack("Nordpeak", "Alpine", 65, False, 0.0, 1900, 1299),
    Backpack("Nordpeak", "Campus", 22, False, 15.6, 700, 229),
    Backpack("Nordpeak", "Campus", 26, False, 16.0, 780, 269),
    Backpack("Nordpeak", "Executive", 18, True, 14.0, 950, 699),
    Backpack("Nordpeak", "Executive", 22, True, 16.0, 1050, 799),
    Backpack("Kestrel", "Trailhead", 18, False, 0.0, 520, 259),
    Backpack("Kestrel", "Trailhead", 22, False, 14.0, 600, 299),
    Backpack("Kestrel", "Trailhead", 28, False, 15.6, 720, 369),
    Backpack("Kestrel", "Trailhead", 32, False, 15.6, 820, 429),
    Backpack("Kestrel", "Voyager", 30, False, 16.0, 1250, 599),
    Backpack("Kestrel", "Voyager", 40, False, 16.0, 1450, 749),
    Backpack("Kestrel", "ShutterPack", 20, True, 14.0, 1300, 899),
    Backpack("Kestrel", "ShutterPack", 28, True, 16.0, 1550, 1199),
    Backpack("Tidewell", "DrySeal", 20, True, 14.0, 680, 329),
    Backpack("Tidewell", "DrySeal", 30, True, 16.0, 820, 429),
    Backpack("Tidewell", "Junior", 12, False, 0.0, 380, 159),
    Backpack("Tidewell", "Junior", 16, False, 0.0, 450, 199),
    Backpack("Tidewell", "Roam", 18, False, 0.0, 220, 129),
    Backpack("Tidewell", "Roam", 25, False, 0.0, 280, 169),
    Backpack("Stridex", "RunVest", 5, False, 0.0, 180, 299),
    Backpack("Stridex", "RunVest", 12, False, 0.0, 260, 459),
    Backpack("Stridex", "GymPack", 25, False, 15.6, 750, 279),
    Backpack("Stridex", "GymPack", 30, False, 16.0, 850, 339),
)


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

BOTTLE_LINES: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    "ThermoFlask": (
        "恒温保温杯",
        ("office", "commuting", "gift"),
        "A double-wall vacuum flask with a one-hand flip lid.",
        "双层真空保温杯，单手弹盖。",
    ),
    "Glass Bottle": (
        "玻璃水杯",
        ("office", "study"),
        "A clear glass bottle with a protective sleeve.",
        "透明玻璃水杯，带防烫保护套。",
    ),
    "Kids Sipper": (
        "儿童吸管杯",
        ("kids",),
        "A spill-proof straw bottle sized for small hands.",
        "防漏吸管杯，适合小朋友握持。",
    ),
    "Kids Sipper Insulated": (
        "儿童保温吸管杯",
        ("kids", "gift"),
        "An insulated straw bottle that keeps school drinks cool.",
        "儿童保温吸管杯，上学饮品保冷。",
    ),
    "Sport Bottle": (
        "运动水壶",
        ("gym", "running"),
        "A squeezable sports bottle with a push-pull cap.",
        "可挤压运动水壶，推拉式瓶盖。",
    ),
    "Commuter Tumbler": (
        "车载随行杯",
        ("commuting", "office"),
        "A cup-holder-friendly tumbler with a straw lid.",
        "可放车载杯架的随行杯，吸管盖设计。",
    ),
    "Pocket Mini": (
        "口袋保温杯",
        ("gift", "commuting"),
        "A pocket-sized insulated flask for a single coffee.",
        "口袋大小的保温杯，刚好一杯咖啡。",
    ),
    "HydroTrack": (
        "刻度提醒大水壶",
        ("gym", "office"),
        "A large bottle with hourly time markers to help you drink enough.",
        "大容量水壶，带时间刻度提醒喝水。",
    ),
    "Fold": (
        "折叠硅胶水杯",
        ("travel", "hiking"),
        "A collapsible bottle that rolls flat when empty.",
        "可折叠水杯，喝完后可卷起收纳。",
    ),
    "Titanium Bottle": (
        "钛水壶",
        ("hiking", "outdoor"),
        "An ultralight single-wall titanium bottle you can heat on a stove.",
        "超轻单层钛水壶，可直接上炉加热。",
    ),
    "Trail Flask": (
        "径途保温壶",
        ("hiking", "outdoor", "travel"),
        "A rugged insulated flask with a cup lid for the trail.",
        "坚固户外保温壶，杯盖可当水杯。",
    ),
    "SoftFlask": (
        "跑步软水壶",
        ("running",),
        "A squeezable soft flask that fits running vest pockets.",
        "可挤压软水壶，可放入跑步背心口袋。",
    ),
    "Shaker": (
        "健身摇摇杯",
        ("gym",),
        "A protein shaker with a mixing ball.",
        "蛋白粉摇摇杯，内置搅拌球。",
    ),
    "Shaker Pro": (
        "健身摇摇杯 Pro",
        ("gym",),
        "A protein shaker with a stackable powder compartment.",
        "蛋白粉摇摇杯，底部带可叠加粉仓。",
    ),
}

BOTTLES: tuple[Bottle, ...] = (
    Bottle("Tidewell", "ThermoFlask", 350, True, "stainless steel", 210, True, 129),
    Bottle("Tidewell", "ThermoFlask", 500, True, "stainless steel", 280, True, 149),
    Bottle("Tidewell", "ThermoFlask", 750, True, "stainless steel", 360, True, 179),
    Bottle("Tidewell", "ThermoFlask", 1000, True, "stainless steel", 450, True, 219),
    Bottle("Tidewell", "Glass Bottle", 400, False, "borosilicate glass", 300, True, 59),
    Bottle("Tidewell", "Glass Bottle", 550, False, "borosilicate glass", 360, True, 69),
    Bottle("Tidewell", "Glass Bottle", 700, False, "borosilicate glass", 420, True, 79),
    Bottle("Tidewell", "Kids Sipper", 350, False, "Tritan plastic", 150, True, 69),
    Bottle("Tidewell", "Kids Sipper", 450, False, "Tritan plastic", 170, True, 89),
    Bottle("Tidewell", "Kids Sipper Insulated", 400, True, "stainless steel", 260, True, 139),
    Bottle("Tidewell", "Sport Bottle", 600, False, "Tritan plastic", 120, False, 49),
    Bottle("Tidewell", "Sport Bottle", 750, False, "Tritan plastic", 135, False, 59),
    Bottle("Tidewell", "Sport Bottle", 1000, False, "Tritan plastic", 160, False, 69),
    Bottle("Tidewell", "Commuter Tumbler", 600, True, "stainless steel", 330, False, 169),
    Bottle("Tidewell", "Commuter Tumbler", 900, True, "stainless steel", 420, False, 199),
    Bottle("Tidewell", "Pocket Mini", 200, True, "stainless steel", 150, True, 99),
    Bottle("Tidewell", "HydroTrack", 1000, False, "Tritan plastic", 190, True, 79),
    Bottle("Tidewell", "HydroTrack", 2000, False, "Tritan plastic", 300, True, 99),
    Bottle("Tidewell", "Fold", 500, False, "silicone", 110, True, 59),
    Bottle("Tidewell", "Fold", 750, False, "silicone", 140, True, 69),
    Bottle("Kestrel", "Titanium Bottle", 400, False, "titanium", 95, True, 299),
    Bottle("Kestrel", "Titanium Bottle", 750, False, "titanium", 130, True, 349),
    Bottle("Kestrel", "Titanium Bottle", 1100, False, "titanium", 165, True, 399),
    Bottle("Kestrel", "Trail Flask", 750, True, "stainless steel", 380, True, 199),
    Bottle("Kestrel", "Trail Flask", 1000, True, "stainless steel", 460, True, 239),
    Bottle("Kestrel", "Trail Flask", 1500, True, "stainless steel", 620, True, 289),
    Bottle("Stridex", "SoftFlask", 250, False, "TPU", 30, True, 49),
    Bottle("Stridex", "SoftFlask", 500, False, "TPU", 40, True, 69),
    Bottle("Stridex", "Shaker", 600, False, "PP plastic", 160, True, 39),
    Bottle("Stridex", "Shaker Pro", 700, False, "PP plastic", 200, True, 59),
)


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


WATCH_LINES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "Pace": (
        ("running", "gym", "outdoor"),
        "A GPS running watch with training load and race predictor.",
        "GPS跑步手表，支持训练负荷和比赛成绩预测。",
    ),
    "Trek": (
        ("hiking", "outdoor", "travel"),
        "A rugged outdoor watch with offline topo maps and a barometer.",
        "坚固户外手表，支持离线地形图和气压计。",
    ),
    "Band": (
        ("gym", "running", "gift"),
        "A slim fitness band with heart-rate and sleep tracking.",
        "轻薄运动手环，支持心率和睡眠监测。",
    ),
    "Watch": (
        ("commuting", "gym", "office", "gift"),
        "A full smartwatch with apps, calls and notifications.",
        "全功能智能手表，支持应用、通话和消息提醒。",
    ),
    "Watch Ultra": (
        ("outdoor", "hiking", "gift"),
        "A titanium adventure smartwatch with a dual-band GPS and siren.",
        "钛金属探险智能手表，双频GPS并带警报器。",
    ),
    "Kids Watch": (
        ("kids", "gift"),
        "A kids' phone watch with video calls and location sharing.",
        "儿童电话手表，支持视频通话和定位。",
    ),
    "Fit": (
        ("gym", "gift"),
        "A light health band with SpO2 and stress tracking.",
        "轻巧健康手环，支持血氧和压力监测。",
    ),
    "Chrono": (
        ("office", "gift", "commuting"),
        "A classic-looking smartwatch with a stainless steel case.",
        "经典外观智能手表，不锈钢表壳。",
    ),
    "Active": (
        ("gym", "running"),
        "An affordable sports watch with 100+ workout modes.",
        "高性价比运动手表，100多种运动模式。",
    ),
}

WATCHES: tuple[Watch, ...] = (
    Watch("Stridex", "Pace 3", "配速 3", True, 10, "5ATM", 1.2, False, 1299),
    Watch("Stridex", "Pace 3 Pro", "配速 3 Pro", True, 14, "5ATM", 1.3, True, 1799),
    Watch("Stridex", "Pace 5", "配速 5", True, 12, "5ATM", 1.3, True, 2299),
    Watch("Stridex", "Pace 5 Pro", "配速 5 Pro", True, 16, "5ATM", 1.4, True, 2999),
    Watch("Stridex", "Trek 2", "探峰 2", True, 20, "10ATM", 1.3, False, 2499),
    Watch("Stridex", "Trek 2 Solar", "探峰 2 太阳能版", True, 30, "10ATM", 1.3, False, 2999),
    Watch("Stridex", "Trek 3", "探峰 3", True, 24, "10ATM", 1.4, True, 3499),
    Watch("Stridex", "Trek 3 Solar", "探峰 3 太阳能版", True, 40, "10ATM", 1.4, True, 3999),
    Watch("Stridex", "Band 6", "运动手环 6", False, 14, "5ATM", 1.5, False, 199),
    Watch("Stridex", "Band 7", "运动手环 7", False, 16, "5ATM", 1.6, False, 249),
    Watch("Stridex", "Band 7 NFC", "运动手环 7 NFC版", False, 15, "5ATM", 1.6, True, 299),
    Watch("Lumo", "Watch 4 41mm", "Watch 4 智能手表 41mm", True, 3, "5ATM", 1.3, True, 1499),
    Watch("Lumo", "Watch 4 45mm", "Watch 4 智能手表 45mm", True, 3, "5ATM", 1.4, True, 1699),
    Watch("Lumo", "Watch 4 Pro", "Watch 4 Pro 智能手表", True, 4, "5ATM", 1.5, True, 2499),
    Watch("Lumo", "Watch 5 41mm", "Watch 5 智能手表 41mm", True, 3, "5ATM", 1.3, True, 1899),
    Watch("Lumo", "Watch 5 45mm", "Watch 5 智能手表 45mm", True, 4, "5ATM", 1.4, True, 2099),
    Watch("Lumo", "Watch 5 Pro", "Watch 5 Pro 智能手表", True, 5, "5ATM", 1.5, True, 2999),
    Watch("Lumo", "Watch Ultra 2", "Watch Ultra 2 探险手表", True, 7, "10ATM", 1.9, True, 4999),
    Watch("Lumo", "Kids Watch 3", "儿童电话手表 3", True, 2, "IP68", 1.4, False, 599),
    Watch("Lumo", "Kids Watch 4", "儿童电话手表 4", True, 2, "IP68", 1.6, True, 899),
    Watch("Lumo", "Fit 2", "Fit 2 健康手环", False, 10, "5ATM", 1.6, False, 199),
    Watch("Lumo", "Fit 3", "Fit 3 健康手环", False, 14, "5ATM", 1.7, True, 279),
    Watch("Veyra", "Chrono 2", "时光 2", True, 10, "5ATM", 1.4, True, 1199),
    Watch("Veyra", "Chrono 2 Classic", "时光 2 经典真皮款", True, 10, "5ATM", 1.4, True, 1399),
    Watch("Veyra", "Chrono 3", "时光 3", True, 14, "5ATM", 1.4, True, 1599),
    Watch("Veyra", "Chrono 3 Classic", "时光 3 经典真皮款", True, 14, "5ATM", 1.4, True, 1799),
    Watch("Veyra", "Chrono 3 Titanium", "时光 3 钛金属款", True, 14, "5ATM", 1.5, True, 2599),
    Watch("Veyra", "Active 1", "活力 1", False, 7, "3ATM", 1.4, False, 399),
    Watch("Veyra", "Active 2", "活力 2", True, 9, "5ATM", 1.4, False, 599),
    Watch("Veyra", "Active 2 Plus", "活力 2 Plus", True, 12, "5ATM", 1.5, True, 799),
)

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

JACKETS: tuple[Jacket, ...] = (
    Jacket(
        "Kestrel",
        "Storm Shell 2",
        "风暴冲锋衣 2代",
        True,
        False,
        "none",
        420,
        "regular",
        True,
        899,
        SHELL,
        "A 2.5-layer hardshell for wet hikes.",
        "2.5层硬壳冲锋衣，雨天徒步必备。",
    ),
    Jacket(
        "Kestrel",
        "Storm Shell 3",
        "风暴冲锋衣 3代",
        True,
        False,
        "none",
        380,
        "regular",
        True,
        1299,
        SHELL,
        "A breathable 3-layer hardshell with pit zips.",
        "透气3层硬壳冲锋衣，带腋下透气拉链。",
    ),
    Jacket(
        "Kestrel",
        "Storm Shell 3 Pro",
        "风暴冲锋衣 3代 Pro",
        True,
        False,
        "none",
        360,
        "regular",
        True,
        1899,
        SHELL,
        "The alpine hardshell with a helmet-compatible hood.",
        "高山硬壳冲锋衣，兜帽可兼容头盔。",
    ),
    Jacket(
        "Kestrel",
        "Windrunner",
        "轻风皮肤衣",
        False,
        False,
        "none",
        130,
        "slim",
        True,
        299,
        RUN,
        "A featherweight windbreaker that packs into its pocket.",
        "超轻防风皮肤衣，可收纳进口袋。",
    ),
    Jacket(
        "Kestrel",
        "Windrunner 2",
        "轻风皮肤衣 2代",
        False,
        False,
        "none",
        110,
        "slim",
        True,
        399,
        RUN,
        "An even lighter windbreaker with UPF 50 sun protection.",
        "更轻的防风皮肤衣，UPF50防晒。",
    ),
    Jacket(
        "Kestrel",
        "Windrunner 2 Hoodless",
        "轻风皮肤衣 2代 无帽款",
        False,
        False,
        "none",
        100,
        "slim",
        False,
        369,
        RUN,
        "The hoodless windbreaker for racing and cycling.",
        "无帽防风皮肤衣，适合比赛和骑行。",
    ),
    Jacket(
        "Kestrel",
        "DownLite 2",
        "轻羽绒服 2代",
        False,
        True,
        "down",
        280,
        "regular",
        False,
        799,
        CITY,
        "A packable 800-fill goose down jacket.",
        "可收纳轻羽绒服，800蓬松度鹅绒。",
    ),
    Jacket(
        "Kestrel",
        "DownLite 2 Hooded",
        "轻羽绒服 2代 连帽款",
        False,
        True,
        "down",
        310,
        "regular",
        True,
        899,
        CITY,
        "The packable down jacket with an insulated hood.",
        "连帽款可收纳轻羽绒服。",
    ),
    Jacket(
        "Kestrel",
        "Polar Parka",
        "极地羽绒派克",
        True,
        True,
        "down",
        1350,
        "relaxed",
        True,
        2499,
        ("outdoor", "travel", "commuting"),
        "An expedition parka for deep winter.",
        "严寒远征派克大衣。",
    ),
    Jacket(
        "Kestrel",
        "Polar Parka Long",
        "极地羽绒派克 长款",
        True,
        True,
        "down",
        1550,
        "relaxed",
        True,
        2999,
        ("outdoor", "travel", "commuting"),
        "A knee-length expedition parka.",
        "及膝长款远征派克大衣。",
    ),
    Jacket(
        "Kestrel",
        "Trio 3-in-1 Jacket",
        "三合一冲锋衣",
        True,
        True,
        "fleece",
        1100,
        "regular",
        True,
        1299,
        SHELL,
        "A waterproof shell with a zip-in fleece liner.",
        "防水外壳搭配可拆卸抓绒内胆。",
    ),
    Jacket(
        "Kestrel",
        "Trio 3-in-1 Jacket Pro",
        "三合一冲锋衣 Pro",
        True,
        True,
        "down",
        1050,
        "regular",
        True,
        1699,
        SHELL,
        "A waterproof shell with a zip-in down liner.",
        "防水外壳搭配可拆卸羽绒内胆。",
    ),
    Jacket(
        "Kestrel",
        "Puddle Kids Rain Jacket",
        "儿童防水外套",
        True,
        False,
        "none",
        260,
        "regular",
        True,
        259,
        ("kids", "outdoor"),
        "A kids' rain jacket with reflective trim.",
        "儿童防水外套，带反光条。",
    ),
    Jacket(
        "Kestrel",
        "Puddle Kids Insulated Jacket",
        "儿童防水棉服",
        True,
        True,
        "synthetic",
        480,
        "regular",
        True,
        399,
        ("kids", "outdoor"),
        "A warm, waterproof kids' winter jacket.",
        "保暖防水儿童冬季棉服。",
    ),
    Jacket(
        "Kestrel",
        "Swift Run Jacket",
        "疾风跑步夹克",
        False,
        False,
        "none",
        150,
        "slim",
        False,
        349,
        ("running",),
        "A reflective running jacket with a back vent.",
        "反光跑步夹克，背部透气。",
    ),
    Jacket(
        "Kestrel",
        "Swift Thermal Run Jacket",
        "疾风保暖跑步夹克",
        False,
        True,
        "synthetic",
        260,
        "slim",
        False,
        499,
        ("running",),
        "A thermal running jacket for winter miles.",
        "冬季保暖跑步夹克。",
    ),
    Jacket(
        "Kestrel",
        "Ember Puffer",
        "余烬棉服",
        False,
        True,
        "synthetic",
        520,
        "regular",
        False,
        599,
        CITY,
        "A synthetic puffer that stays warm when damp.",
        "合成棉服，受潮依然保暖。",
    ),
    Jacket(
        "Kestrel",
        "Ember Puffer Hooded",
        "余烬棉服 连帽款",
        False,
        True,
        "synthetic",
        560,
        "regular",
        True,
        699,
        CITY,
        "The hooded synthetic puffer.",
        "连帽款合成棉服。",
    ),
    Jacket(
        "Nordpeak",
        "City Trench",
        "都市风衣",
        False,
        False,
        "none",
        850,
        "regular",
        False,
        1199,
        ("commuting", "office"),
        "A water-repellent cotton-blend trench coat.",
        "防泼水棉混纺风衣。",
    ),
    Jacket(
        "Nordpeak",
        "City Trench Long",
        "都市风衣 长款",
        False,
        False,
        "none",
        980,
        "relaxed",
        False,
        1499,
        ("commuting", "office"),
        "A longer relaxed-cut trench coat.",
        "宽松长款风衣。",
    ),
    Jacket(
        "Nordpeak",
        "Metro Rain Jacket",
        "都市通勤防水夹克",
        True,
        False,
        "none",
        450,
        "regular",
        True,
        599,
        ("commuting", "travel"),
        "A city rain jacket with taped seams.",
        "城市通勤防水夹克，全压胶。",
    ),
    Jacket(
        "Nordpeak",
        "Metro Rain Jacket Pro",
        "都市通勤防水夹克 Pro",
        True,
        False,
        "none",
        420,
        "slim",
        True,
        899,
        ("commuting", "travel"),
        "A tailored rain jacket with a stretch face fabric.",
        "修身防水夹克，弹力面料。",
    ),
    Jacket(
        "Nordpeak",
        "Polar Fleece 200",
        "抓绒外套 200",
        False,
        True,
        "fleece",
        380,
        "regular",
        False,
        199,
        ("hiking", "outdoor"),
        "A midweight fleece for layering.",
        "中厚抓绒外套，适合叠穿。",
    ),
    Jacket(
        "Nordpeak",
        "Polar Fleece 300",
        "抓绒外套 300",
        False,
        True,
        "fleece",
        520,
        "relaxed",
        False,
        299,
        ("hiking", "outdoor"),
        "A heavyweight fleece for cold camps.",
        "厚款抓绒外套，适合寒冷营地。",
    ),
    Jacket(
        "Nordpeak",
        "Ridge Softshell",
        "山脊软壳夹克",
        False,
        False,
        "none",
        550,
        "slim",
        False,
        499,
        ("hiking", "commuting"),
        "A stretchy, wind-resistant softshell.",
        "弹力防风软壳夹克。",
    ),
    Jacket(
        "Nordpeak",
        "Ridge Softshell Hooded",
        "山脊软壳夹克 连帽款",
        False,
        False,
        "none",
        590,
        "slim",
        True,
        599,
        ("hiking", "commuting"),
        "The hooded stretch softshell.",
        "连帽款弹力软壳夹克。",
    ),
    Jacket(
        "Nordpeak",
        "Aurora Down Jacket",
        "极光羽绒服",
        False,
        True,
        "down",
        650,
        "regular",
        False,
        1299,
        ("commuting", "travel", "gift"),
        "A city down jacket with 90% white duck down.",
        "城市羽绒服，90%白鸭绒。",
    ),
    Jacket(
        "Nordpeak",
        "Aurora Down Hooded",
        "极光羽绒服 连帽款",
        False,
        True,
        "down",
        700,
        "regular",
        True,
        1499,
        ("commuting", "travel", "gift"),
        "The hooded city down jacket.",
        "连帽款城市羽绒服。",
    ),
    Jacket(
        "Nordpeak",
        "Aurora Down Long",
        "极光羽绒服 长款",
        False,
        True,
        "down",
        1100,
        "relaxed",
        True,
        1999,
        ("commuting", "travel", "gift"),
        "A mid-thigh long down coat.",
        "过臀长款羽绒服。",
    ),
    Jacket(
        "Nordpeak",
        "Metro Bomber",
        "都市飞行夹克",
        False,
        False,
        "none",
        780,
        "regular",
        False,
        699,
        ("commuting", "office"),
        "A clean nylon bomber jacket.",
        "简约尼龙飞行夹克。",
    ),
)

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


# --------------------------------------------------------------------------- catalog assembly

BUILDERS = (
    ("running_shoes", running_shoes),
    ("headphones", headphones),
    ("laptops", laptops),
    ("phones", phones),
    ("backpacks", backpacks),
    ("water_bottles", water_bottles),
    ("smartwatches", smartwatches),
    ("jackets", jackets),
)


def build_products(rng: random.Random) -> list[Product]:
    drafts: list[Draft] = []
    for category, builder in BUILDERS:
        built = builder(rng)
        if any(d.category != category for d in built):
            raise ValueError(f"builder for {category} produced a foreign category")
        drafts.extend(built)

    total = len(drafts)
    out_of_stock = set(rng.sample(range(total), round(total * OUT_OF_STOCK_SHARE)))
    no_image = set(rng.sample(range(total), round(total * NO_IMAGE_SHARE)))
    counters: dict[str, int] = defaultdict(int)
    products: list[Product] = []
    for index, draft in enumerate(drafts):
        counters[draft.category] += 1
        sku = f"SG-{CATEGORY_CODES[draft.category]}-{counters[draft.category]:04d}"
        if index in out_of_stock:
            stock = 0
        elif rng.random() < 0.2:
            stock = rng.randint(1, 9)
        else:
            stock = rng.randint(10, 200)
        slug = sku.lower()
        products.append(
            Product(
                sku=sku,
                name=draft.name,
                name_zh=draft.name_zh,
                category=draft.category,
                brand=draft.brand,
                price=float(draft.price),
                currency="CNY",
                stock=stock,
                attributes=draft.attributes,
                uses=list(draft.uses),
                description=draft.description,
                description_zh=draft.description_zh,
                url=f"{BASE_URL}/p/{slug}",
                image_url="" if index in no_image else f"{BASE_URL}/img/{slug}.jpg",
            )
        )
    return products


# --------------------------------------------------------------------------- reviews


class Aspects:
    """Review sentences keyed by (band, language); ``add`` keeps en/zh lists aligned."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], list[str]] = defaultdict(list)

    def add(self, band: str, en: str, zh: str, when: bool = True) -> None:
        if when:
            self.items[(band, "en")].append(en)
            self.items[(band, "zh")].append(zh)


def _shoe_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    weight, cushion = a["weight_g"], a["cushioning"]
    trail, wp = a["terrain"] == "trail", a["waterproof"] is True
    asp.add(
        "pos",
        f"Really comfortable out of the box, and at about {weight} g they feel light on long runs.",
        f"上脚就很舒服，单只{weight}克左右，跑长距离也觉得轻。",
    )
    asp.add("pos", "True to size, I got my usual EU 42.", "尺码标准，按平时的42码买刚好。")
    asp.add(
        "pos",
        "Super soft cushioning, my knees feel much better after long runs.",
        "缓震特别软，跑完长距离膝盖舒服多了。",
        cushion == "high",
    )
    asp.add(
        "pos",
        "Firm and fast, exactly what I wanted for race day.",
        "脚感扎实有推进力，比赛用正合适。",
        cushion == "low",
    )
    asp.add(
        "pos",
        "Nice balance of cushioning and bounce for daily training.",
        "缓震和回弹很平衡，适合日常训练。",
        cushion == "medium",
    )
    asp.add("pos", "Grip on wet rocks and muddy trails is excellent.", "湿滑岩石和泥地上抓地力都很好。", trail)
    asp.add("pos", "Ran through puddles and my socks stayed dry.", "踩过水坑袜子都没湿。", wp)
    asp.add("pos", "Outsole still looks new after 200 km on the road.", "公路跑了200公里，大底几乎没磨损。", not trail)
    asp.add("mid", "Comfortable enough, but the toe box is a bit narrow for me.", "还算舒服，就是鞋头对我来说有点窄。")
    asp.add("mid", "Decent shoe, though it runs half a size small.", "鞋还可以，不过偏小半码。")
    asp.add("mid", "Keeps water out but gets hot on summer days.", "防水没问题，但夏天穿有点闷热。", wp)
    asp.add("mid", "Very soft, maybe too soft for faster runs.", "很软，但跑快的时候稍显太软。", cushion == "high")
    asp.add("mid", "A bit firm for easy recovery runs.", "恢复跑穿的话略硬。", cushion == "low")
    asp.add("neg", "The sole started peeling after about a month.", "穿了一个月左右鞋底就开胶了。")
    asp.add("neg", "Gave me blisters on the heel, had to return them.", "后跟磨出水泡，只能退货。")
    asp.add("neg", f"Feels heavier than the listed {weight} g.", f"感觉比标称的{weight}克要重。")
    asp.add(
        "neg",
        "Not waterproof at all, my feet were soaked at the first stream crossing.",
        "完全不防水，第一次过溪脚就湿透了。",
        trail and not wp,
    )
    asp.add("neg", "Outsole wore down far too fast for the price.", "这个价格，大底磨损也太快了。", not trail)


def _headphone_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    hours, wireless, anc = a["battery_hours"], a["wireless"] is True, a["noise_cancelling"] is True
    in_ear = a["type"] == "in-ear"
    asp.add(
        "pos",
        f"Battery life is great, I get close to the claimed {hours} hours.",
        f"续航很给力，基本能用到标称的{hours}小时。",
        wireless,
    )
    asp.add(
        "pos",
        "Noise cancelling is excellent on the subway and on flights.",
        "降噪效果很好，地铁和飞机上都很安静。",
        anc,
    )
    asp.add("pos", "Comfortable for hours, the ear cushions are soft.", "戴几个小时也舒服，耳罩很软。", not in_ear)
    asp.add("pos", "Fits securely and doesn't fall out even at the gym.", "佩戴稳固，健身时也不会掉。", in_ear)
    asp.add(
        "pos",
        "Clear, detailed sound and zero latency since it's wired.",
        "声音清晰细节多，有线连接没有延迟。",
        not wireless,
    )
    asp.add("pos", "Great sound for the price, punchy bass without being muddy.", "这个价位音质很好，低音有力不浑浊。")
    asp.add("mid", "Sound is fine, but the companion app is clunky.", "音质还行，配套App不太好用。", wireless)
    asp.add("mid", "Gets a bit warm on the ears after an hour.", "戴一个小时耳朵有点热。", not in_ear)
    asp.add(
        "mid",
        "The charging case is a bit bulky for small pockets.",
        "充电盒有点大，小口袋放不下。",
        in_ear and wireless,
    )
    asp.add("mid", "ANC is decent but not as strong as I hoped.", "降噪还可以，但没有预期的强。", anc)
    asp.add(
        "mid",
        "No noise cancelling, so it's hard to hear on a noisy bus.",
        "没有降噪，在嘈杂的公交上听不太清。",
        not anc,
    )
    asp.add(
        "neg",
        f"Battery is nowhere near {hours} hours, more like half after a few months.",
        f"续航远达不到{hours}小时，用了几个月只剩一半左右。",
        wireless,
    )
    asp.add("neg", "Bluetooth keeps dropping when my phone is in my pocket.", "手机放口袋里蓝牙就频繁断连。", wireless)
    asp.add(
        "neg", "The left earbud stopped charging after three weeks.", "用了三周左耳就充不进电了。", in_ear and wireless
    )
    asp.add("neg", "The headband cracked after two months.", "头梁用了两个月就裂了。", not in_ear)
    asp.add("neg", "The microphone is terrible, people can't hear me on calls.", "麦克风太差，打电话对方听不清。")
    asp.add("neg", "The cable frayed near the plug quickly.", "线材在插头附近很快就磨破了。", not wireless)


def _laptop_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    kg, ram, hours, gpu = float(a["weight_kg"]), int(a["ram_gb"]), a["battery_hours"], str(a["gpu"])
    gaming = gpu != "integrated"
    asp.add(
        "pos",
        f"Very light at {kg} kg, I carry it every day without noticing.",
        f"{kg}千克很轻，每天背着几乎感觉不到。",
        kg < 1.6,
    )
    asp.add(
        "pos",
        f"{ram} GB of RAM handles dozens of tabs and Office without lag.",
        f"{ram}GB内存开几十个网页加Office都不卡。",
        ram >= 16,
    )
    asp.add("pos", f"The {gpu} runs most games at high settings.", f"{gpu}显卡大部分游戏都能开高画质。", gaming)
    asp.add(
        "pos",
        f"Battery lasts most of a workday, close to {hours} hours with light use.",
        f"轻度使用续航接近{hours}小时，基本能撑一个工作日。",
        not gaming,
    )
    asp.add("pos", "Bright, sharp screen and a great keyboard.", "屏幕明亮清晰，键盘手感很好。")
    asp.add("mid", "Fast machine, but the fans get loud under load.", "性能很强，但高负载时风扇很吵。")
    asp.add("mid", "Good value, though the speakers are weak.", "性价比不错，就是扬声器比较弱。")
    asp.add(
        "mid",
        f"Only {ram} GB of RAM, fine for documents but it struggles with multitasking.",
        f"只有{ram}GB内存，处理文档够用，多开就吃力。",
        ram <= 8,
    )
    asp.add(
        "mid",
        f"Powerful, but at {kg} kg it's not something I want to carry around.",
        f"性能强，但{kg}千克不太想天天背。",
        kg >= 2.0,
    )
    asp.add("neg", "The screen had a dead pixel out of the box, had to exchange it.", "到手屏幕就有坏点，只能换货。")
    asp.add("neg", "Gets really hot, the bottom is uncomfortable on my lap.", "发热严重，放腿上很烫。")
    asp.add("neg", "The trackpad clicks inconsistently, very annoying.", "触控板按压时灵时不灵，很烦。")
    asp.add("neg", f"Battery life is far below the advertised {hours} hours.", f"续航远低于宣传的{hours}小时。")


def _phone_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    mah, watts, mp, storage = a["battery_mah"], a["charging_w"], a["camera_mp"], int(a["storage_gb"])
    asp.add(
        "pos", f"The {mah} mAh battery easily lasts a full day of heavy use.", f"{mah}毫安电池重度使用也能轻松撑一天。"
    )
    asp.add("pos", f"{watts} W charging is amazing, topped up in no time.", f"{watts}W快充太香了，很快就充满。")
    asp.add(
        "pos", f"The {mp} MP main camera takes fantastic photos, even at night.", f"{mp}MP主摄拍照很出色，夜景也不错。"
    )
    asp.add("pos", "The screen is gorgeous and scrolling is buttery smooth.", "屏幕素质很好，滑动非常流畅。")
    asp.add("mid", "Good phone, but it's a bit heavy.", "手机不错，就是有点重。")
    asp.add("mid", "Camera is good in daylight but noisy at night.", "白天拍照不错，晚上噪点多。")
    asp.add("mid", "Gets warm after a long gaming session.", "长时间玩游戏会发热。")
    asp.add("mid", "Too many preinstalled apps, I had to remove them.", "预装软件太多，得一个个卸载。")
    asp.add("neg", "Battery drains fast since the latest update.", "最近一次系统更新后掉电很快。")
    asp.add("neg", "It started restarting randomly after two weeks.", "用了两周开始莫名其妙自动重启。")
    asp.add("neg", "Signal is weak in my apartment compared to my old phone.", "和旧手机比，家里信号明显变弱。")
    asp.add(
        "neg",
        f"Only {storage} GB fills up quickly, I regret not buying the bigger version.",
        f"{storage}GB很快就满了，后悔没买大存储版本。",
        storage <= 128,
    )


def _backpack_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    cap, wp, sleeve = a["capacity_l"], a["waterproof"] is True, float(a["laptop_sleeve_inch"])
    asp.add("pos", f"{cap} L is the perfect size for what I carry every day.", f"{cap}升的容量刚好装下日常用品。")
    asp.add(
        "pos",
        f"My {sleeve}-inch laptop fits perfectly in the padded sleeve.",
        f"我的{sleeve}英寸笔记本放进电脑仓刚好。",
        sleeve > 0,
    )
    asp.add("pos", "Got caught in heavy rain and everything inside stayed dry.", "遇到大雨，包里的东西一点没湿。", wp)
    asp.add("pos", "The straps are well padded, comfortable even fully loaded.", "肩带很厚实，装满了背着也舒服。")
    asp.add("pos", "Lots of pockets, easy to stay organized.", "隔层口袋很多，收纳很方便。")
    asp.add("mid", "Nice bag, but the side pockets are too small for a big bottle.", "包不错，就是侧袋放不下大水杯。")
    asp.add("mid", "Not waterproof, so I need a rain cover in bad weather.", "不防水，下雨天得套防雨罩。", not wp)
    asp.add("mid", "The zippers feel a bit stiff.", "拉链有点涩。")
    asp.add(
        "mid", "No laptop sleeve, which I didn't notice before buying.", "没有电脑隔层，买之前没注意到。", sleeve == 0
    )
    asp.add("neg", "A zipper broke after a month.", "用了一个月拉链就坏了。")
    asp.add("neg", "Stitching on the shoulder strap came loose quickly.", "肩带的缝线很快就开了。")
    asp.add("neg", f"Much smaller inside than I expected for {cap} L.", f"实际空间比{cap}升小很多。")
    asp.add("neg", "A strong chemical smell that took weeks to go away.", "有很重的异味，放了几周才散。")


def _bottle_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    ml, ins, leak, grams = a["capacity_ml"], a["insulated"] is True, a["leakproof"] is True, a["weight_g"]
    asp.add(
        "pos", "Keeps my coffee hot all morning and water cold all day.", "咖啡一上午都是热的，冰水一整天都凉。", ins
    )
    asp.add(
        "pos", "Completely leakproof, I throw it in my bag without worrying.", "完全不漏水，直接扔包里很放心。", leak
    )
    asp.add("pos", f"{ml} ml is just the right size for me.", f"{ml}毫升的容量对我来说刚刚好。")
    asp.add("pos", "No plastic taste at all and easy to clean.", "没有塑料味，很好清洗。")
    asp.add("pos", "Incredibly light for hiking.", "徒步用非常轻。", a["material"] == "titanium")
    asp.add("mid", "Good bottle, but the lid is hard to clean.", "杯子不错，就是盖子不好洗。")
    asp.add(
        "mid",
        f"Keeps drinks warm, but it's heavier than I expected at {grams} g.",
        f"保温不错，但{grams}克比想象中重。",
        ins,
    )
    asp.add("mid", "The paint chipped a little after a few weeks.", "用了几周漆面有点掉。")
    asp.add("mid", "Not insulated, so the water gets warm in the car.", "不保温，放车里水就变温了。", not ins)
    asp.add("neg", "It leaked in my bag on the first day.", "第一天就在包里漏水了。")
    asp.add(
        "neg",
        "Stopped keeping drinks hot after a month, the seal must be bad.",
        "一个月后就不保温了，应该是密封有问题。",
        ins,
    )
    asp.add("neg", "The lid cracked the first time I dropped it.", "掉了一次盖子就裂了。")
    asp.add("neg", "A weird smell that won't go away even after washing.", "有股怪味，洗了好几次都去不掉。")


def _watch_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    days, gps, nfc = a["battery_days"], a["gps"] is True, a["nfc"] is True
    swim = a["waterproof_rating"] in ("5ATM", "10ATM")
    asp.add("pos", f"Battery really lasts about {days} days for me.", f"续航确实能用{days}天左右。")
    asp.add("pos", "GPS locks fast and my running tracks are accurate.", "GPS定位很快，跑步轨迹很准。", gps)
    asp.add("pos", "Heart-rate readings match my chest strap closely.", "心率和我的心率带数据很接近。")
    asp.add("pos", "NFC payment on the metro is super convenient.", "NFC刷地铁太方便了。", nfc)
    asp.add("pos", "I swim with it every week, no problems.", "每周戴着游泳，没有任何问题。", swim)
    asp.add("mid", "Nice watch, but the app needs improvement.", "手表不错，App有待改进。")
    asp.add(
        "mid", "No built-in GPS, so I still have to carry my phone on runs.", "没有独立GPS，跑步还得带手机。", not gps
    )
    asp.add("mid", "The screen is hard to read in direct sunlight.", "强光下屏幕看不太清。")
    asp.add("mid", "The strap was a bit uncomfortable at first.", "表带刚开始戴有点不舒服。")
    asp.add(
        "neg", f"Battery only lasts about half of the advertised {days} days.", f"续航只有宣传的{days}天的一半左右。"
    )
    asp.add("neg", "Sleep tracking is way off.", "睡眠监测很不准。")
    asp.add("neg", "It keeps losing the connection to my phone.", "经常和手机断开连接。")
    asp.add("neg", "The GPS track drifts a lot near tall buildings.", "在高楼附近GPS轨迹漂移严重。", gps)
    asp.add("neg", "The screen scratched within a week.", "一周屏幕就有划痕了。")


def _jacket_aspects(a: dict[str, AttributeValue], asp: Aspects) -> None:
    wp, ins, grams, fit = a["waterproof"] is True, a["insulated"] is True, int(a["weight_g"]), a["fit"]
    asp.add("pos", "Stayed completely dry through a full day of rain.", "下了一整天雨，里面完全是干的。", wp)
    asp.add(
        "pos",
        "Very warm, I wore it at -10°C with just a sweater underneath.",
        "非常保暖，零下10度里面只穿一件毛衣就够了。",
        ins,
    )
    asp.add("pos", f"Light at about {grams} g and packs down small.", f"才{grams}克左右，收纳起来很小。", grams < 600)
    asp.add("pos", "Fits true to size with good sleeve length.", "尺码标准，袖长合适。")
    asp.add("pos", "A perfect layer for windy spring days.", "春天刮风的时候穿正合适。", not wp and not ins)
    asp.add(
        "mid",
        "Slim cut, size up if you want to layer underneath.",
        "版型偏修身，想里面多穿的话建议大一码。",
        fit == "slim",
    )
    asp.add("mid", "A bit boxy for my taste.", "版型对我来说有点宽大。", fit == "relaxed")
    asp.add("mid", "Keeps rain out but feels clammy on steep climbs.", "防雨没问题，但爬坡时里面有点闷。", wp)
    asp.add("mid", "Nice jacket, but the zipper is a bit stiff.", "衣服不错，就是拉链有点涩。")
    asp.add("mid", "Not waterproof: fine for drizzle, not for real rain.", "不防水，毛毛雨还行，大雨不行。", not wp)
    asp.add("neg", "The zipper broke after two weeks.", "穿了两周拉链就坏了。")
    asp.add("neg", "Feathers keep poking through the fabric.", "一直往外钻毛。", a["fill"] == "down")
    asp.add("neg", "It wetted out at the shoulders after an hour of rain.", "淋雨一小时肩膀就渗水了。", wp)
    asp.add("neg", "The colour looks very different from the photos.", "颜色和图片差别很大。")
    asp.add("neg", "Seams started fraying after the first wash.", "洗了一次缝线就开始脱线。")


ASPECT_BUILDERS = {
    "running_shoes": _shoe_aspects,
    "headphones": _headphone_aspects,
    "laptops": _laptop_aspects,
    "phones": _phone_aspects,
    "backpacks": _backpack_aspects,
    "water_bottles": _bottle_aspects,
    "smartwatches": _watch_aspects,
    "jackets": _jacket_aspects,
}

GENERIC: dict[tuple[str, str], tuple[str, ...]] = {
    ("pos", "en"): (
        "Fast delivery.",
        "Would buy again.",
        "Great value for money.",
        "Bought it as a gift and they loved it.",
        "Neatly packaged.",
    ),
    ("pos", "zh"): ("物流很快。", "会回购。", "性价比很高。", "买来送人，对方很喜欢。", "包装很用心。"),
    ("mid", "en"): (
        "Okay for the price.",
        "Not bad, not amazing.",
        "Delivery took a bit longer than expected.",
    ),
    ("mid", "zh"): ("这个价位还行。", "中规中矩吧。", "物流比预期慢了一点。"),
    ("neg", "en"): ("Customer service was slow to respond.", "Would not buy again.", "Disappointing at this price."),
    ("neg", "zh"): ("客服回复很慢。", "不会再买了。", "这个价格太让人失望了。"),
}

RATING_WEIGHTS: dict[str, tuple[int, ...]] = {
    "good": (1, 1, 2, 6, 10),
    "mixed": (2, 3, 4, 5, 3),
    "poor": (5, 4, 3, 2, 1),
}


def band_of(rating: int) -> str:
    if rating >= 4:
        return "pos"
    return "mid" if rating == 3 else "neg"


def build_reviews(products: list[Product], rng: random.Random) -> list[Review]:
    by_category: dict[str, list[Product]] = defaultdict(list)
    for product in products:
        by_category[product.category].append(product)
    reviews: list[Review] = []
    for category, _builder in BUILDERS:
        for product in rng.sample(by_category[category], REVIEWED_PER_CATEGORY):
            aspects = Aspects()
            ASPECT_BUILDERS[category](product.attributes, aspects)
            quality = rng.choices(("good", "mixed", "poor"), weights=(6, 3, 1))[0]
            seen: set[str] = set()
            for _ in range(rng.randint(5, 15)):
                rating = rng.choices((1, 2, 3, 4, 5), weights=RATING_WEIGHTS[quality])[0]
                language: Literal["zh", "en"] = "zh" if rng.random() < 0.55 else "en"
                band = band_of(rating)
                text = ""
                for _attempt in range(20):
                    text = rng.choice(aspects.items[(band, language)])
                    if rng.random() < 0.5:
                        extra = rng.choice(GENERIC[(band, language)])
                        text = f"{text}{extra}" if language == "zh" else f"{text} {extra}"
                    if text not in seen:
                        break
                seen.add(text)
                reviews.append(Review(sku=product.sku, rating=rating, text=text, language=language))
    return reviews


# --------------------------------------------------------------------------- FAQ and policies

POLICIES_EN = """\
# Shop policies

These policies apply to every order placed on shop.example.com.

## Shipping fees
- Free standard shipping on orders over ¥99 (after discounts).
- Orders under ¥99 pay a flat ¥8 standard shipping fee.
- Express shipping costs ¥15 per order and is never free.

## Delivery times
- Standard delivery takes 2–4 business days.
- Express is delivered next day in major cities (Beijing, Shanghai, Guangzhou, Shenzhen,
  Hangzhou, Chengdu) for orders paid before 16:00.
- Remote areas such as Xinjiang and Tibet take 5–7 business days.

## International shipping
- We do not ship internationally: we deliver to addresses in mainland China only.
- Addresses in Hong Kong, Macau and Taiwan are not supported.

## 7-day no-reason returns
- You can return an item within 7 days of delivery without giving a reason, as long as it is
  unused and in its original packaging with all tags and accessories.
- For hygiene reasons, opened earphones and headphones can only be returned for defects.
- For no-reason returns the buyer pays the return shipping.

## Exchanges for defects
- If an item is defective you can exchange it within 15 days of delivery; we pay shipping both ways.
- Unworn running shoes and jackets can be exchanged for another size within 7 days of delivery.

## Refunds
- Refunds are issued within 3 business days after the returned item arrives at our warehouse
  and passes inspection.
- Money goes back to the original payment method; bank card refunds may take another
  1–5 business days to show up, depending on your bank.

## Warranty
- Electronics (headphones, laptops, phones and smartwatches) have a 1-year warranty from the
  delivery date.
- Nordpeak laptops have an extended 2-year warranty.
- Running shoes, jackets, backpacks and water bottles are covered for 90 days against
  manufacturing defects.
- The warranty does not cover accidental damage, liquid damage beyond the rated water
  resistance, or normal wear and tear.
- A battery counts as defective if it holds less than 80% of its rated capacity during the
  warranty period.

## Price protection
- If the price of an item you bought drops within 7 days of payment, we refund the difference.
- Applies to the same SKU sold by us; flash sales, coupons and member-only prices are excluded.
- Contact customer service with your order number to claim it.

## Payment methods
- We accept Alipay, WeChat Pay, UnionPay and Visa/Mastercard credit cards.
- Cash on delivery is not available.
- Unpaid orders are cancelled automatically after 30 minutes.

## Installments
- Orders over ¥1000 can be paid in 3, 6 or 12 monthly installments with Huabei or a credit card.
- 3- and 6-month plans are interest-free; 12-month plans carry a fee set by the provider.

## Customer service hours
- Online chat and the hotline 400-800-1234 are staffed 9:00–21:00 daily, including public holidays.
- You can email service@shop.example.com at any time; we reply within 24 hours.
"""

POLICIES_ZH = """\
# 商城服务政策

以下政策适用于在 shop.example.com 下的所有订单。

## 运费
- 订单满 ¥99（按优惠后金额计算）免标准运费。
- 不满 ¥99 的订单收取标准运费 ¥8。
- 加急快递每单 ¥15，不参与包邮。

## 配送时效
- 标准配送需 2–4 个工作日。
- 加急快递：主要城市（北京、上海、广州、深圳、杭州、成都）
  16:00 前付款的订单次日送达。
- 新疆、西藏等偏远地区需 5–7 个工作日。

## 国际配送
- 暂不支持国际配送，仅配送至中国大陆地址。
- 暂不支持香港、澳门和台湾地址。

## 7天无理由退货
- 签收后 7 天内，商品未使用、保持原包装且吊牌和配件齐全，可无理由退货。
- 出于卫生原因，已拆封的耳机仅在存在质量问题时可退。
- 无理由退货的寄回运费由买家承担。

## 质量问题换货
- 商品存在质量问题的，签收后 15 天内可换货，往返运费由我们承担。
- 未穿着的跑鞋和外套可在签收后 7 天内更换尺码。

## 退款
- 退货到达仓库并验收通过后 3 个工作日内退款。
- 款项原路退回；银行卡退款到账可能还需 1–5 个工作日，以银行为准。

## 保修
- 电子产品（耳机、笔记本电脑、手机和智能手表）自签收之日起享受 1 年保修。
- Nordpeak 品牌笔记本电脑享受延长至 2 年的保修。
- 跑鞋、外套、背包和水杯针对制造缺陷提供 90 天保修。
- 人为损坏、超出防水等级的进液损坏以及正常磨损不在保修范围内。
- 保修期内电池容量低于标称容量的 80% 视为故障。

## 价格保护
- 付款后 7 天内所购商品降价，我们退还差价。
- 仅限我们销售的同一 SKU；秒杀、优惠券和会员专享价除外。
- 请提供订单号联系客服申请。

## 支付方式
- 支持支付宝、微信支付、银联以及 Visa/Mastercard 信用卡。
- 不支持货到付款。
- 未付款订单 30 分钟后自动取消。

## 分期付款
- 订单金额超过 ¥1000 可使用花呗或信用卡分 3、6 或 12 期付款。
- 3 期和 6 期免息；12 期手续费以服务商为准。

## 客服时间
- 在线客服和热线 400-800-1234 的服务时间为每天 9:00–21:00，节假日无休。
- 可随时发送邮件至 service@shop.example.com，我们会在 24 小时内回复。
"""

SHOE_SIZES = (
    (36, 22.5),
    (37, 23.0),
    (38, 23.5),
    (39, 24.5),
    (40, 25.0),
    (41, 25.5),
    (42, 26.5),
    (43, 27.0),
    (44, 27.5),
    (45, 28.5),
)
JACKET_SIZES = (
    ("S", "160–165", "88–92"),
    ("M", "165–170", "92–96"),
    ("L", "170–175", "96–100"),
    ("XL", "175–180", "100–104"),
    ("XXL", "180–185", "104–108"),
)


def shoe_table(size_header: str, length_header: str) -> str:
    rows = [f"| {size_header} | {length_header} |", "|---|---|"]
    rows += [f"| {size} | {length} |" for size, length in SHOE_SIZES]
    return "\n".join(rows)


def jacket_table(size_header: str, height_header: str, chest_header: str) -> str:
    rows = [f"| {size_header} | {height_header} | {chest_header} |", "|---|---|---|"]
    rows += [f"| {size} | {height} | {chest} |" for size, height, chest in JACKET_SIZES]
    return "\n".join(rows)


FAQ_EN = f"""\
# Frequently asked questions

## How do I track my order?
- Once your order ships we send the courier name and tracking number by SMS, usually within 24 hours.
- You can also follow the parcel under My Account → Orders.

## Can I change my delivery address?
- You can edit the address yourself under My Account → Orders until the order ships.
- After shipping, contact customer service and we will ask the courier to redirect the parcel,
  but this cannot be guaranteed.

## Can I cancel my order?
- Orders can be cancelled free of charge before they ship; the refund arrives within 3 business days.
- After shipping, refuse the delivery or use the 7-day no-reason return.

## How do I get an invoice (fapiao)?
- We issue an electronic VAT invoice (fapiao) for every order.
- Request it on the order page within 30 days of delivery; for a company fapiao, enter the
  company name and tax ID.
- The electronic fapiao is emailed within 3 business days of your request.

## How do membership points work?
- You earn 1 point for every ¥1 you pay (shipping fees excluded).
- 100 points are worth ¥1 off at checkout.
- Points expire 12 months after they are earned and are deducted again if you return the item.

## Do you offer gift wrapping?
- Yes. Gift wrapping costs ¥10 per item and includes a greeting card.
- Add it at checkout with a message of up to 50 characters; prices are never printed on the packing slip.

## Running shoe size guide
- Measure your foot from heel to longest toe in the afternoon, then pick the size below.

{shoe_table("EU/CN size", "Foot length (cm)")}

- Between two sizes, or running long distances? Go half a size up. Models marked Wide have a
  roomier toe box.

## Jacket size guide
- Sizes are for Kestrel and Nordpeak adult jackets; measure around the fullest part of your chest.

{jacket_table("Size", "Height (cm)", "Chest (cm)")}

- Slim fit jackets sit close to the body, so size up if you want to layer a fleece underneath.
  Relaxed fit jackets are roomy; regular fit is true to size.

## What if an item is out of stock?
- Out-of-stock items are marked on the product page and cannot be ordered.
- Tap "Notify me" and we will message you when it is back in stock, usually within 14 days.

## How do I contact customer service?
- Online chat or the hotline 400-800-1234, 9:00–21:00 daily.
- Email service@shop.example.com; we reply within 24 hours.
"""

FAQ_ZH = f"""\
# 常见问题

## 如何查询物流？
- 订单发货后，我们会通过短信发送快递公司和运单号，通常在 24 小时内。
- 也可以在"我的账户 → 我的订单"中查看物流进度。

## 可以修改收货地址吗？
- 订单发货前，可在"我的账户 → 我的订单"中自行修改地址。
- 发货后请联系客服，我们会尝试联系快递改派，但无法保证成功。

## 可以取消订单吗？
- 发货前可免费取消订单，退款在 3 个工作日内原路退回。
- 已发货的订单可拒收，或签收后使用 7 天无理由退货。

## 如何开具发票？
- 每笔订单均可开具电子增值税发票。
- 请在签收后 30 天内在订单页面申请；开具企业发票需填写公司名称和税号。
- 电子发票将在申请后 3 个工作日内发送到您的邮箱。

## 会员积分怎么算？
- 每实付 ¥1 累积 1 积分（运费不计）。
- 结算时 100 积分可抵扣 ¥1。
- 积分自获得之日起 12 个月后过期；退货时相应积分会被扣回。

## 提供礼品包装吗？
- 提供。礼品包装每件 ¥10，含一张贺卡。
- 结算时勾选即可，并可填写不超过 50 个字的祝福语；装箱单上不会显示价格。

## 跑鞋尺码指南
- 建议下午测量脚长（脚后跟到最长脚趾），再对照下表选择尺码。

{shoe_table("欧码/国码", "脚长（cm）")}

- 如果介于两个尺码之间，或经常跑长距离，建议选大半码。标注 Wide（宽楦版）的型号鞋头更宽松。

## 外套尺码指南
- 适用于 Kestrel 和 Nordpeak 成人外套；胸围请测量胸部最丰满处一周。

{jacket_table("尺码", "身高（cm）", "胸围（cm）")}

- 修身版型贴身，如需内搭抓绒建议选大一码；宽松版型较为宽大；标准版型按正常尺码选择即可。

## 商品缺货怎么办？
- 缺货商品会在商品页标注，暂时无法下单。
- 点击"到货通知"，商品补货后我们会第一时间通知您，补货通常在 14 天内。

## 如何联系客服？
- 在线客服或热线 400-800-1234，每天 9:00–21:00。
- 发送邮件至 service@shop.example.com，我们会在 24 小时内回复。
"""

DOCUMENTS: dict[str, str] = {
    "policies.md": POLICIES_EN,
    "policies.zh.md": POLICIES_ZH,
    "faq.md": FAQ_EN,
    "faq.zh.md": FAQ_ZH,
}


# --------------------------------------------------------------------------- output


def write_jsonl(path: Path, rows: list[Product] | list[Review]) -> None:
    lines = [json.dumps(row.model_dump(mode="json"), ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    rng = random.Random(SEED)
    products = build_products(rng)
    reviews = build_reviews(products, rng)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write_jsonl(OUT_DIR / "products.jsonl", products)
    write_jsonl(OUT_DIR / "reviews.jsonl", reviews)
    for filename, text in DOCUMENTS.items():
        (OUT_DIR / filename).write_text(text, encoding="utf-8")
    print(f"wrote {len(products)} products, {len(reviews)} reviews, {len(DOCUMENTS)} documents to {OUT_DIR}")


if __name__ == "__main__":
    main()
