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
from typing import Any, Literal, NamedTuple

from knowledge.models import AttributeValue, Product, Review

# The demo's product lines, specs and tags are data: one JSON file per table beside this script.
TABLES_DIR = Path(__file__).resolve().parent / "demo_tables"


def demo_table(name: str) -> Any:
    """One table of the demo catalog, as the tuples and rows the builders read."""
    return _decoded(json.loads((TABLES_DIR / f"{name}.json").read_text(encoding="utf-8")))


def _decoded(value: Any) -> Any:
    # JSON arrays are the tables' tuples; an object tagged "__type__" is a row of that NamedTuple class,
    # which is defined above the table that uses it.
    if isinstance(value, list):
        return tuple(_decoded(item) for item in value)
    if isinstance(value, dict):
        fields = {key: _decoded(item) for key, item in value.items() if key != "__type__"}
        kind = value.get("__type__")
        return globals()[kind](**fields) if kind else fields
    return value


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

COLORS_ZH: dict[str, str] = demo_table("colors_zh")

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


SHOE_LINES: tuple[ShoeLine, ...] = demo_table("shoe_lines")

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


HEADPHONE_LINES: dict[str, tuple[str, tuple[str, ...], str, str]] = demo_table("headphone_lines")

HEADPHONES: tuple[Headphone, ...] = demo_table("headphones")


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


LAPTOP_SERIES: dict[str, LaptopSeries] = demo_table("laptop_series")

LAPTOPS: tuple[Laptop, ...] = demo_table("laptops")


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

PHONES: tuple[Phone, ...] = demo_table("phones")

PHONE_TAGS: dict[str, tuple[str, str]] = demo_table("phone_tags")


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


BACKPACK_LINES: dict[str, tuple[str, str, tuple[str, ...], str, str]] = demo_table("backpack_lines")

BACKPACKS: tuple[Backpack, ...] = demo_table("backpacks")


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

BOTTLES: tuple[Bottle, ...] = demo_table("bottles")


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

WATCHES: tuple[Watch, ...] = demo_table("watches")

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

JACKETS: tuple[Jacket, ...] = demo_table("jackets")

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
