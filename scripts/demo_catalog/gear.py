"""Demo builders for the electronics and running lines: shoes, headphones, laptops and phones."""

from __future__ import annotations

import random
from typing import NamedTuple

from knowledge.models import AttributeValue
from scripts.demo_catalog.tables import PALETTES, Draft, demo_table, spread, storage_label

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


SHOE_LINES: tuple[ShoeLine, ...] = demo_table("shoe_lines", ShoeLine)

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

HEADPHONES: tuple[Headphone, ...] = demo_table("headphones", Headphone)


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


LAPTOP_SERIES: dict[str, LaptopSeries] = demo_table("laptop_series", LaptopSeries)

LAPTOPS: tuple[Laptop, ...] = demo_table("laptops", Laptop)


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

PHONES: tuple[Phone, ...] = demo_table("phones", Phone)

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
