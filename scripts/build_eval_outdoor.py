"""Write the second evaluation catalog (a camping-gear shop, Shopify product export) and its labelled questions.

The shop, its products and its questions are the stand-in for "the next shop": nothing in ``assistant/`` is
written for them. The catalog is generated once from the tables below with a fixed seed and written as data:

- ``knowledge/data/eval/outdoor/catalog/products_export.csv``: a Shopify product export (real Shopify headers;
  one row per variant; Chinese title and description in ``product.metafields.custom.*`` columns; some
  products without a price, some whose stock is not tracked, some sold out),
- ``knowledge/data/eval/outdoor/catalog/faq.md`` and ``policies.md``: the shop's FAQ and policies,
- ``knowledge/data/eval/outdoor/questions.jsonl``: zh and en questions with mechanically checkable gold
  fields (see ``assistant/evaluation/catalog_eval.py`` for the schema and the judging rules).

Run: ``python scripts/build_eval_outdoor.py`` (rewrites the files; the output is deterministic).
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "eval" / "outdoor"
CATALOG = ROOT / "catalog"
SEED = 20261202

SHOPIFY_HEADERS = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name", "Option3 Value",
    "Variant SKU", "Variant Grams", "Variant Inventory Tracker", "Variant Inventory Qty",
    "Variant Inventory Policy", "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price",
    "Variant Requires Shipping", "Variant Taxable", "Variant Barcode", "Image Src", "Image Position",
    "Image Alt Text", "Gift Card", "SEO Title", "SEO Description", "Variant Image", "Variant Weight Unit",
    "Cost per item", "Status",
    "Chinese title (product.metafields.custom.title_zh)",
    "Chinese description (product.metafields.custom.description_zh)",
]  # fmt: skip

BRANDS = ("Trailforge", "Northcairn", "Pinewake", "Kestrel Outdoor", "Emberlite", "Basalt & Birch")
TAXONOMY = "Sporting Goods > Outdoor Recreation > Camping & Hiking > "


@dataclass
class Item:
    """One product (one variant) with its facts, before it is written as Shopify rows."""

    category: str
    category_zh: str
    taxonomy: str
    handle: str
    title: str
    title_zh: str
    brand: str
    sku: str
    price: float | None
    stock: int | None  # None: inventory not tracked
    grams: int
    intro: str
    intro_zh: str
    bullets: list[str]
    bullets_zh: list[str]
    tags: list[str]
    facts: dict[str, Any] = field(default_factory=dict)  # numbers and yes/no features, for the questions
    option: tuple[str, str] | None = None


def _yn(flag: bool, yes: str, no: str) -> str:
    return yes if flag else no


# ---- categories: each returns (title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, grams) ----------


def tent(rng: random.Random, series: tuple[str, str], size: int) -> tuple[Any, ...]:
    name, name_zh = series
    weight = round(0.7 + 0.45 * size + rng.uniform(-0.2, 0.6), 2)
    hh = rng.choice((1500, 2000, 3000, 4000, 5000))
    free = rng.random() < 0.6
    footprint = rng.random() < 0.45
    doors = 2 if size >= 2 and rng.random() < 0.7 else 1
    season = rng.choice((3, 3, 3, 4))
    included = ["tent body", "rain fly", f"{6 + 2 * size} aluminium stakes", "guylines", "stuff sack"]
    included_zh = ["内帐", "外帐", f"{6 + 2 * size}根铝合金地钉", "防风绳", "收纳袋"]
    if footprint:
        included.append("footprint")
        included_zh.append("地布")
    title = f"{name} {size} {'Ultralight ' if weight < 1.6 else ''}Tent"
    title_zh = f"{name_zh} {size}人{'超轻' if weight < 1.6 else ''}帐篷"
    intro = (
        f"A {season}-season, {size}-person tent for backpacking and campsite trips, with "
        f"{doors} door{'s' if doors > 1 else ''} and a fly rated to {hh} mm."
    )
    intro_zh = f"{season}季{size}人帐篷，适合徒步和营地露营，{doors}个门，外帐防水指数{hh}毫米。"
    bullets = [
        f"Sleeps: {size} {'person' if size == 1 else 'people'}",
        f"Packed weight: {weight} kg",
        f"Fly waterproof rating: {hh} mm",
        f"Doors: {doors}",
        f"Freestanding: {_yn(free, 'yes', 'no (pitch it with stakes and guylines)')}",
        f"Footprint: {_yn(footprint, 'included', 'sold separately')}",
        f"What's included: {', '.join(included)}",
    ]
    bullets_zh = [
        f"容纳人数：{size}人",
        f"打包重量：{weight}千克",
        f"外帐防水指数：{hh}毫米",
        f"门数：{doors}",
        f"自立式：{_yn(free, '是', '否（需用地钉和防风绳搭建）')}",
        f"地布：{_yn(footprint, '随附', '需另购')}",
        f"包装清单：{'、'.join(included_zh)}",
    ]
    facts = {"weight_kg": weight, "persons": size, "waterproof_mm": hh,
             "yes_no": {"freestanding": free, "footprint": footprint}}  # fmt: skip
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, int(weight * 1000)


def sleeping_bag(rng: random.Random, series: tuple[str, str], temp: int) -> tuple[Any, ...]:
    name, name_zh = series
    down = rng.random() < 0.55
    weight = int((700 if down else 1100) + (10 - temp) * rng.uniform(25, 45))
    hood = rng.random() < 0.7
    compression = rng.random() < 0.5
    fill = f"{rng.choice((650, 750, 800))}-fill-power duck down" if down else "synthetic insulation"
    fill_zh = "鸭绒" if down else "合成棉"
    title = f"{name} {temp}°C {'Down' if down else 'Synthetic'} Sleeping Bag"
    title_zh = f"{name_zh} {temp}°C {'羽绒' if down else '棉'}睡袋"
    intro = f"A mummy sleeping bag with {fill}, comfortable down to {temp} °C."
    intro_zh = f"木乃伊式睡袋，填充{fill_zh}，舒适温度{temp}°C。"
    sack = "compression sack" if compression else "stuff sack"
    bullets = [
        f"Comfort temperature: {temp} °C",
        f"Weight: {weight} g",
        f"Fill: {fill}",
        f"Hood: {_yn(hood, 'yes, with drawcord', 'no (rectangular top)')}",
        f"Fits sleepers up to {rng.choice((180, 185, 195))} cm",
        f"What's included: sleeping bag, {sack}{', storage sack' if compression else ''}",
        f"Compression sack: {_yn(compression, 'included', 'not included (stuff sack only)')}",
    ]
    bullets_zh = [
        f"舒适温度：{temp}°C",
        f"重量：{weight}克",
        f"填充：{fill_zh}",
        f"帽兜：{_yn(hood, '有，带抽绳', '无')}",
        f"压缩袋：{_yn(compression, '随附', '不含（仅收纳袋）')}",
    ]
    facts = {"weight_g": weight, "temp_c": temp, "yes_no": {"hood": hood, "compression_sack": compression}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 150


def sleeping_pad(rng: random.Random, series: tuple[str, str], thickness: int) -> tuple[Any, ...]:
    name, name_zh = series
    kind = rng.choice(("inflatable", "self-inflating"))
    r_value = round(rng.uniform(1.8, 6.5), 1)
    weight = int(300 + thickness * rng.uniform(40, 90))
    pump = kind == "inflatable" and rng.random() < 0.6
    title = f"{name} {thickness} cm {'Air' if kind == 'inflatable' else 'Self-Inflating'} Sleeping Pad"
    title_zh = f"{name_zh} {thickness}厘米{'充气' if kind == 'inflatable' else '自动充气'}睡垫"
    intro = f"An {kind} sleeping pad, {thickness} cm thick, with an R-value of {r_value}."
    intro_zh = f"{'充气' if kind == 'inflatable' else '自动充气'}睡垫，厚{thickness}厘米，R值{r_value}。"
    bullets = [
        f"Thickness: {thickness} cm",
        f"R-value: {r_value}",
        f"Weight: {weight} g",
        f"Size: 183 x {rng.choice((51, 55, 64))} cm",
        f"Pump sack: {_yn(pump, 'included', 'not included')}",
        f"What's included: pad, stuff sack, repair kit{', pump sack' if pump else ''}",
    ]
    bullets_zh = [
        f"厚度：{thickness}厘米",
        f"R值：{r_value}",
        f"重量：{weight}克",
        f"充气袋：{_yn(pump, '随附', '不含')}",
        f"包装清单：睡垫、收纳袋、修补贴{'、充气袋' if pump else ''}",
    ]
    facts = {"weight_g": weight, "r_value": r_value, "yes_no": {"pump_sack": pump}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 80


def stove(rng: random.Random, series: tuple[str, str], variant: int) -> tuple[Any, ...]:
    name, name_zh = series
    integrated = variant == 2
    output = rng.choice((2100, 2300, 2600, 2800, 3000, 3200))
    weight = rng.randint(380, 560) if integrated else rng.randint(68, 190)
    piezo = rng.random() < 0.55
    boil = round(rng.uniform(2.5, 4.5), 1)
    title = f"{name} {'Cook System' if integrated else 'Canister Stove'}"
    title_zh = f"{name_zh}{'一体式炉具套装' if integrated else '气罐炉头'}"
    pot = "1 L pot with lid" if integrated else "no pot"
    kit = "comes as a cook system with a 1 L pot" if integrated else "stove head only"
    intro = f"A canister stove for isobutane-propane gas; {kit}."
    intro_zh = f"使用异丁烷/丙烷混合气罐的炉头；{'一体式套装，含1升锅' if integrated else '仅炉头'}。"
    bullets = [
        f"Output: {output} W",
        f"Weight: {weight} g",
        f"Boils 1 L of water in about {boil} minutes",
        f"Piezo igniter: {_yn(piezo, 'yes', 'no (light it with a lighter or fire steel)')}",
        "Fuel: screw-on isobutane-propane canister (not included)",
        f"Pot included: {_yn(integrated, 'yes, ' + pot, 'no')}",
    ]
    bullets_zh = [
        f"功率：{output}瓦",
        f"重量：{weight}克",
        f"烧开1升水约{boil}分钟",
        f"电子点火：{_yn(piezo, '有', '无（需用打火机或打火石）')}",
        "燃料：螺口气罐（不含）",
        f"含锅：{_yn(integrated, '是，1升带盖锅', '否')}",
    ]
    facts = {"weight_g": weight, "output_w": output, "yes_no": {"piezo": piezo, "pot_included": integrated}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 60


def headlamp(rng: random.Random, series: tuple[str, str], lumens: int) -> tuple[Any, ...]:
    name, name_zh = series
    rechargeable = rng.random() < 0.6
    red = rng.random() < 0.55
    ipx = rng.choice((4, 4, 7))
    weight = int(45 + lumens / 20 + rng.uniform(0, 25))
    runtime = rng.choice((4, 5, 6, 8, 10))
    title = f"{name} {lumens} Headlamp"
    title_zh = f"{name_zh} {lumens}流明头灯"
    power = "built-in 1500 mAh battery, USB-C charging" if rechargeable else "3 x AAA batteries (included)"
    power_zh = "内置1500毫安时电池，USB-C充电" if rechargeable else "3节7号电池（随附）"
    intro = f"A {lumens}-lumen headlamp for camp and trail, IPX{ipx} water resistant."
    intro_zh = f"{lumens}流明头灯，适合营地和夜行，IPX{ipx}防水。"
    bullets = [
        f"Max output: {lumens} lumens",
        f"Run time on high: {runtime} hours",
        f"Power: {power}",
        f"Red light mode: {_yn(red, 'yes', 'no')}",
        f"Water resistance: IPX{ipx}",
        f"Weight: {weight} g with batteries",
    ]
    bullets_zh = [
        f"最大亮度：{lumens}流明",
        f"高亮续航：{runtime}小时",
        f"供电：{power_zh}",
        f"红光模式：{_yn(red, '有', '无')}",
        f"防水等级：IPX{ipx}",
        f"重量：{weight}克（含电池）",
    ]
    facts = {"weight_g": weight, "lumens": lumens, "runtime_h": runtime,
             "yes_no": {"red_light": red, "rechargeable": rechargeable}}  # fmt: skip
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 40


def poles(rng: random.Random, series: tuple[str, str], variant: int) -> tuple[Any, ...]:
    name, name_zh = series
    carbon = variant == 2
    folding = rng.random() < 0.5
    cork = rng.random() < 0.5
    weight = rng.randint(330, 430) if carbon else rng.randint(460, 620)
    low, high = (110, 130) if folding else (100, 135)
    material = "carbon fibre" if carbon else "7075 aluminium"
    title = f"{name} {'Carbon' if carbon else 'Aluminium'} Trekking Poles"
    title_zh = f"{name_zh}{'碳纤维' if carbon else '铝合金'}登山杖"
    intro = f"A pair of {'folding' if folding else 'telescoping'} {material} trekking poles."
    intro_zh = f"一对{'折叠式' if folding else '伸缩式'}{'碳纤维' if carbon else '7075铝合金'}登山杖。"
    bullets = [
        f"Sold as a pair; weight {weight} g per pair",
        f"Material: {material}",
        f"Length: adjustable {low}-{high} cm",
        f"Folding (Z-fold): {_yn(folding, 'yes', 'no (telescoping)')}",
        f"Grips: {_yn(cork, 'natural cork', 'EVA foam')}",
        "What's included: 2 poles, rubber tips, trekking baskets, snow baskets",
    ]
    bullets_zh = [
        f"一对装，每对重{weight}克",
        f"材质：{'碳纤维' if carbon else '7075铝合金'}",
        f"长度：{low}-{high}厘米可调",
        f"折叠：{_yn(folding, '是（三节折叠）', '否（伸缩式）')}",
        f"握把：{_yn(cork, '天然软木', 'EVA泡棉')}",
    ]
    facts = {"weight_g": weight, "yes_no": {"folding": folding, "cork": cork, "carbon": carbon}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 120


def chair(rng: random.Random, series: tuple[str, str], variant: int) -> tuple[Any, ...]:
    name, name_zh = series
    high_back = variant == 2
    load = rng.choice((100, 120, 136, 150))
    weight = round(rng.uniform(0.9, 1.6) if not high_back else rng.uniform(2.2, 4.4), 1)
    cup = rng.random() < 0.5
    bag = rng.random() < 0.6
    title = f"{name} {'High-Back' if high_back else 'Compact'} Camp Chair"
    title_zh = f"{name_zh}{'高背' if high_back else '便携'}露营椅"
    intro = f"A {'high-back' if high_back else 'compact, packable'} camp chair that holds up to {load} kg."
    intro_zh = f"{'高背' if high_back else '轻便可收纳'}露营椅，承重{load}千克。"
    bullets = [
        f"Max load: {load} kg",
        f"Weight: {weight} kg",
        f"Seat height: {rng.choice((28, 33, 38, 45))} cm",
        f"Cup holder: {_yn(cup, 'yes', 'no')}",
        f"Carry bag: {_yn(bag, 'included', 'not included')}",
        "Frame: aluminium; seat: 600D polyester",
    ]
    bullets_zh = [
        f"最大承重：{load}千克",
        f"重量：{weight}千克",
        f"杯架：{_yn(cup, '有', '无')}",
        f"收纳袋：{_yn(bag, '随附', '不含')}",
        "框架：铝合金；椅面：600D涤纶",
    ]
    facts = {"weight_kg": weight, "max_load_kg": load, "yes_no": {"cup_holder": cup, "carry_bag": bag}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, int(weight * 1000) + 200


def cooler(rng: random.Random, series: tuple[str, str], litres: int) -> tuple[Any, ...]:
    name, name_zh = series
    wheels = litres >= 40 and rng.random() < 0.7
    drain = rng.random() < 0.6
    days = rng.choice((2, 3, 4, 5, 7)) if litres >= 25 else rng.choice((1, 2))
    weight = round(2.0 + litres * rng.uniform(0.12, 0.2), 1)
    title = f"{name} {litres} L {'Wheeled ' if wheels else ''}Cooler"
    title_zh = f"{name_zh} {litres}升{'拉杆' if wheels else ''}保温箱"
    intro = f"A {litres}-litre hard cooler that keeps ice for up to {days} days."
    intro_zh = f"{litres}升硬壳保温箱，冰块最长保持{days}天。"
    bullets = [
        f"Capacity: {litres} L",
        f"Ice retention: up to {days} days",
        f"Empty weight: {weight} kg",
        f"Wheels: {_yn(wheels, 'yes, with a telescoping handle', 'no')}",
        f"Drain plug: {_yn(drain, 'yes', 'no')}",
        "Insulation: pressure-injected polyurethane foam",
    ]
    bullets_zh = [
        f"容量：{litres}升",
        f"保冰时间：最长{days}天",
        f"空箱重量：{weight}千克",
        f"轮子：{_yn(wheels, '有，带拉杆', '无')}",
        f"排水塞：{_yn(drain, '有', '无')}",
    ]
    facts = {"capacity_l": litres, "weight_kg": weight, "ice_days": days, "yes_no": {"wheels": wheels, "drain": drain}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, int(weight * 1000) + 300


def lantern(rng: random.Random, series: tuple[str, str], lumens: int) -> tuple[Any, ...]:
    name, name_zh = series
    mah = rng.choice((2600, 4400, 5200, 10000))
    usb_out = mah >= 4400 and rng.random() < 0.7
    dimmable = rng.random() < 0.6
    runtime = int(mah / lumens * 1.2) + rng.randint(1, 4)
    weight = int(150 + mah / 30 + rng.uniform(0, 60))
    title = f"{name} {lumens} Lumen Lantern"
    title_zh = f"{name_zh} {lumens}流明营地灯"
    intro = f"A rechargeable camp lantern with {lumens} lumens and a {mah} mAh battery."
    intro_zh = f"可充电营地灯，{lumens}流明，电池{mah}毫安时。"
    bullets = [
        f"Max output: {lumens} lumens",
        f"Battery: {mah} mAh, USB-C charging",
        f"Run time on high: {runtime} hours",
        f"Power bank (USB output to charge a phone): {_yn(usb_out, 'yes', 'no')}",
        f"Dimmable: {_yn(dimmable, 'yes, stepless', 'no (high / low only)')}",
        f"Weight: {weight} g",
    ]
    bullets_zh = [
        f"最大亮度：{lumens}流明",
        f"电池：{mah}毫安时，USB-C充电",
        f"高亮续航：{runtime}小时",
        f"充电宝功能（USB输出可给手机充电）：{_yn(usb_out, '有', '无')}",
        f"无极调光：{_yn(dimmable, '支持', '不支持（仅高/低两档）')}",
        f"重量：{weight}克",
    ]
    facts = {"weight_g": weight, "lumens": lumens, "runtime_h": runtime, "battery_mah": mah,
             "yes_no": {"power_bank": usb_out, "dimmable": dimmable}}  # fmt: skip
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 100


def water_filter(rng: random.Random, series: tuple[str, str], variant: int) -> tuple[Any, ...]:
    name, name_zh = series
    purifier = variant == 2
    flow = round(rng.uniform(0.5, 2.0), 1)
    life = rng.choice((1000, 1500, 4000, 100000)) if not purifier else rng.choice((1000, 1500, 2000))
    weight = rng.randint(45, 140) if not purifier else rng.randint(220, 350)
    syringe = rng.random() < 0.5
    title = f"{name} {'Purifier' if purifier else 'Squeeze Filter'}"
    title_zh = f"{name_zh}{'净水器' if purifier else '挤压式滤水器'}"
    intro = (
        "A pump purifier that removes bacteria, protozoa and viruses."
        if purifier
        else "A squeeze filter with a 0.1 micron hollow-fibre membrane for bacteria and protozoa."
    )
    intro_zh = (
        "泵式净水器，可去除细菌、原虫和病毒。" if purifier else "挤压式滤水器，0.1微米中空纤维膜，去除细菌和原虫。"
    )
    bullets = [
        f"Flow rate: {flow} L per minute",
        f"Filter life: up to {life} L",
        f"Weight: {weight} g",
        f"Removes viruses: {_yn(purifier, 'yes', 'no (bacteria and protozoa only)')}",
        f"Backflush syringe: {_yn(syringe, 'included', 'not included')}",
    ]
    bullets_zh = [
        f"流速：每分钟{flow}升",
        f"滤芯寿命：最多{life}升",
        f"重量：{weight}克",
        f"去除病毒：{_yn(purifier, '是', '否（仅细菌和原虫）')}",
        f"反冲洗针筒：{_yn(syringe, '随附', '不含')}",
    ]
    facts = {"weight_g": weight, "filter_life_l": life, "yes_no": {"removes_viruses": purifier, "syringe": syringe}}
    return title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, weight + 80


Maker = Callable[[random.Random, tuple[str, str], int], tuple[Any, ...]]


@dataclass(frozen=True)
class Category:
    key: str
    type_name: str
    zh: str
    taxonomy: str
    code: str
    maker: Maker
    series: tuple[tuple[str, str], ...]
    sizes: tuple[int, ...]
    price_range: tuple[int, int]
    tags: tuple[str, ...]


CATEGORIES = (
    Category("tents", "Tents", "帐篷", "Tents", "TNT", tent,
             (("Ridgeback", "山脊"), ("Skyhollow", "天穹"), ("Driftwood", "浮木"), ("Cirrus", "卷云"),
              ("Basecamp", "大本营"), ("Moraine", "冰碛"), ("Talus", "岩屑"), ("Larkspur", "飞燕")),
             (1, 2, 3, 4), (499, 3299), ("backpacking", "camping", "shelter", "露营", "帐篷")),
    Category("sleeping_bags", "Sleeping Bags", "睡袋", "Sleeping Bags", "SLB", sleeping_bag,
             (("Ember", "余烬"), ("Nightjar", "夜鹰"), ("Solstice", "至日"), ("Aurora", "极光"),
              ("Hearth", "炉火"), ("Snowline", "雪线"), ("Dormouse", "睡鼠"), ("Quill", "翎羽")),
             (-10, -5, 0, 5, 10), (259, 2199), ("sleeping", "camping", "睡袋", "露营")),
    Category("sleeping_pads", "Sleeping Pads", "睡垫", "Sleeping Pads", "PAD", sleeping_pad,
             (("Cloudrest", "云憩"), ("Featherbed", "羽床"), ("Drift", "漂流"), ("Pillowtop", "软顶"),
              ("Stratus", "层云"), ("Marsh", "沼泽"), ("Loam", "沃土"), ("Tundra", "苔原")),
             (3, 5, 7, 10), (159, 1199), ("sleeping", "camping", "睡垫", "防潮垫")),
    Category("camp_stoves", "Camp Stoves", "炉具", "Camping Cookware & Stoves", "STV", stove,
             (("Flicker", "火苗"), ("Kindle", "引火"), ("Blaze", "烈焰"), ("Cinder", "炭火"),
              ("Torchwood", "火炬木"), ("Hotspring", "温泉"), ("Sparrow", "麻雀"), ("Brisket", "炖锅")),
             (1, 2), (129, 1299), ("cooking", "camping", "炉具", "野炊")),
    Category("headlamps", "Headlamps", "头灯", "Headlamps", "HLP", headlamp,
             (("Beacon", "灯塔"), ("Glowworm", "萤火虫"), ("Lumen Scout", "侦察兵"), ("Nightowl", "夜枭"),
              ("Starlight", "星光"), ("Moth", "飞蛾"), ("Lodestar", "北极星"), ("Wick", "灯芯")),
             (200, 350, 450, 600, 900, 1200), (59, 599), ("lighting", "hiking", "头灯", "照明")),
    Category("trekking_poles", "Trekking Poles", "登山杖", "Hiking Poles", "POL", poles,
             (("Switchback", "之字路"), ("Cairn", "石堆"), ("Ridgewalk", "山脊行"), ("Scree", "碎石坡"),
              ("Summit", "登顶"), ("Traverse", "横切"), ("Col", "山坳"), ("Gully", "沟谷")),
             (1, 2), (129, 1099), ("hiking", "trekking", "登山杖", "徒步")),
    Category("camp_chairs", "Camp Chairs", "露营椅", "Camping Furniture", "CHR", chair,
             (("Lakeside", "湖畔"), ("Fireside", "炉边"), ("Meadow", "草地"), ("Dune", "沙丘"),
              ("Porch", "门廊"), ("Canyon", "峡谷"), ("Harbor", "港湾"), ("Grove", "树林")),
             (1, 2), (89, 899), ("camping", "furniture", "露营椅", "折叠椅")),
    Category("coolers", "Coolers", "保温箱", "Coolers", "CLR", cooler,
             (("Icebox", "冰匣"), ("Glacier", "冰川"), ("Permafrost", "冻土"), ("Frostbite", "霜冻"),
              ("Polar", "极地"), ("Chillwater", "冷泉"), ("Hailstone", "冰雹"), ("Icefall", "冰瀑")),
             (15, 25, 45, 60), (199, 2499), ("camping", "picnic", "保温箱", "冰箱")),
    Category("lanterns", "Lanterns", "营地灯", "Camping Lights & Lanterns", "LTN", lantern,
             (("Campfire", "篝火"), ("Firefly", "流萤"), ("Hearthglow", "炉光"), ("Moonbeam", "月光"),
              ("Lighthouse", "灯塔港"), ("Twilight", "暮光"), ("Halo", "光环"), ("Sunset", "落日")),
             (150, 300, 500, 1000), (79, 699), ("lighting", "camping", "营地灯", "露营灯")),
    Category("water_filters", "Water Filters", "净水器", "Water Filters & Purifiers", "WTR", water_filter,
             (("Clearbrook", "清溪"), ("Riffle", "浅滩"), ("Springwell", "泉眼"), ("Rill", "细流"),
              ("Oxbow", "牛轭湖"), ("Tarn", "冰斗湖"), ("Freshet", "春汛"), ("Eddy", "回流")),
             (1, 2), (99, 1299), ("hiking", "water", "净水器", "滤水器")),
)  # fmt: skip
PRODUCTS_PER_CATEGORY = 16
# Products without a price (a content-only listing), stock not tracked, sold out: counts across the shop.
NO_PRICE = 5
UNTRACKED = 6
SOLD_OUT = 14
# Share of a price set by the model's size or tier; the rest is spread within the category's range.
PRICE_BY_SIZE = 0.6
# Two-variant products (Regular / Long sleeping bags): each variant is its own SKU and price.
LONG_VARIANT_SURCHARGE = 80


def build_items(rng: random.Random) -> list[Item]:
    items: list[Item] = []
    for cat in CATEGORIES:
        used_prices: set[int] = set()
        for index in range(PRODUCTS_PER_CATEGORY):
            series = cat.series[index // 2]
            rank = (index + index // 2) % len(cat.sizes)
            size = cat.sizes[rank]
            title, title_zh, intro, intro_zh, bullets, bullets_zh, facts, grams = cat.maker(rng, series, size)
            # Bigger, warmer or better-equipped models cost more, with a random spread within a line.
            step = rank / max(1, len(cat.sizes) - 1)
            if cat.key == "sleeping_bags":
                step = 1 - step
            low, high = cat.price_range
            price = int(low + (high - low) * (PRICE_BY_SIZE * step + (1 - PRICE_BY_SIZE) * rng.random()))
            price = price // 10 * 10 + 8
            while price in used_prices:
                price += 10
            used_prices.add(price)
            brand = BRANDS[(index + len(items)) % len(BRANDS)]
            handle = title.lower().replace("°c", "c").replace(" ", "-").replace("&", "and")
            handle = "".join(ch for ch in handle if ch.isalnum() or ch == "-")
            sku = f"CL-{cat.code}-{index + 1:03d}"
            if handle in {i.handle for i in items}:
                handle = f"{handle}-{index + 1}"
            items.append(
                Item(
                    category=cat.key, category_zh=cat.zh, taxonomy=TAXONOMY + cat.taxonomy, handle=handle,
                    title=title, title_zh=f"{brand} {title_zh}", brand=brand, sku=sku, price=float(price),
                    stock=rng.randint(1, 60), grams=grams, intro=intro, intro_zh=intro_zh, bullets=bullets,
                    bullets_zh=bullets_zh, tags=[*cat.tags, brand.lower()], facts=facts,
                )
            )  # fmt: skip
    # Shop-wide quirks, on products picked once by the seeded generator.
    picks = rng.sample(range(len(items)), NO_PRICE + UNTRACKED + SOLD_OUT)
    for i in picks[:NO_PRICE]:
        items[i].price = None
    for i in picks[NO_PRICE : NO_PRICE + UNTRACKED]:
        items[i].stock = None
    for i in picks[NO_PRICE + UNTRACKED :]:
        items[i].stock = 0
    return _with_long_variants(items)


def _with_long_variants(items: list[Item]) -> list[Item]:
    """Sleeping bags come in Regular and Long: the Long variant is a second SKU under the same handle."""
    out: list[Item] = []
    for item in items:
        out.append(item)
        if item.category == "sleeping_bags" and item.price is not None and item.sku.endswith(("1", "4", "7")):
            item.option = ("Size", "Regular")
            long = Item(**{**item.__dict__, "facts": dict(item.facts)})
            long.sku = item.sku + "-L"
            long.price = item.price + LONG_VARIANT_SURCHARGE
            long.option = ("Size", "Long")
            long.stock = 0 if item.stock == 0 else 3
            out.append(long)
    return out


def body_html(item: Item) -> str:
    bullets = "".join(f"<li>{b}</li>" for b in item.bullets)
    return f"<p>{item.intro}</p><ul>{bullets}</ul>"


def write_catalog(items: list[Item]) -> None:
    CATALOG.mkdir(parents=True, exist_ok=True)
    with (CATALOG / "products_export.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=SHOPIFY_HEADERS)
        writer.writeheader()
        seen: set[str] = set()
        for item in items:
            first = item.handle not in seen
            seen.add(item.handle)
            row = dict.fromkeys(SHOPIFY_HEADERS, "")
            if first:
                row.update({
                    "Title": item.title, "Body (HTML)": body_html(item), "Vendor": item.brand,
                    "Product Category": item.taxonomy, "Type": CATEGORY_BY_KEY[item.category].type_name,
                    "Tags": ", ".join(item.tags), "Published": "TRUE", "Gift Card": "FALSE",
                    "SEO Title": item.title, "Status": "active",
                    "Image Src": f"https://cdn.example.com/cairnline/{item.handle}.jpg", "Image Position": "1",
                    "Image Alt Text": item.title,
                    "Chinese title (product.metafields.custom.title_zh)": item.title_zh,
                    "Chinese description (product.metafields.custom.description_zh)":
                        item.intro_zh + "".join(f"\n- {b}" for b in item.bullets_zh),
                })  # fmt: skip
            row.update({
                "Handle": item.handle,
                "Option1 Name": item.option[0] if item.option and first else ("Title" if first else ""),
                "Option1 Value": item.option[1] if item.option else "Default Title",
                "Variant SKU": item.sku, "Variant Grams": str(item.grams),
                "Variant Inventory Tracker": "" if item.stock is None else "shopify",
                "Variant Inventory Qty": "" if item.stock is None else str(item.stock),
                "Variant Inventory Policy": "continue" if item.stock is None else "deny",
                "Variant Fulfillment Service": "manual",
                "Variant Price": "" if item.price is None else f"{item.price:.2f}",
                "Variant Requires Shipping": "TRUE", "Variant Taxable": "TRUE", "Variant Weight Unit": "kg",
            })  # fmt: skip
            writer.writerow(row)


CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}

FAQ_MD = """# Cairnline Outfitters — frequently asked questions

## Do you ship gas canisters?
- Gas canisters are sold in our Chengdu and Kunming stores only; couriers will not carry them, so they cannot
  be ordered online. Stoves ship without fuel.

## How do I look after a down sleeping bag?
- Store it loose in the storage sack, never compressed for weeks.
- Wash it with down soap on a gentle cycle and tumble-dry on low with two clean tennis balls.

## Can I try a tent before buying?
- Yes. Every tent on this site is pitched in our Chengdu showroom (Saturday and Sunday, 10:00–18:00).

## How do I choose a sleeping bag temperature?
- Pick a comfort temperature about 5 °C below the coldest night you expect.
- Women and cold sleepers often prefer a bag rated 3–5 °C warmer than the listed comfort temperature.

## Do you repair gear?
- We repair tent poles, zips and small fabric tears in our workshop; send us photos for a quote first.
"""

FAQ_ZH_MD = """# Cairnline 户外 常见问题

## 气罐可以邮寄吗？
- 气罐只在成都和昆明门店销售，快递不收，所以无法在线购买。炉具发货不含燃料。

## 羽绒睡袋怎么保养？
- 平时松散放在储存袋里，不要长期压缩。
- 用羽绒专用洗涤剂轻柔洗涤，低温烘干并放入两个干净的网球。

## 买帐篷前可以试搭吗？
- 可以。本店所有帐篷都在成都展厅搭好展示（周六、周日 10:00–18:00）。

## 维修装备吗？
- 我们的工坊维修帐篷杆、拉链和小面积破损；请先发照片报价。
"""

POLICIES_MD = """# Cairnline Outfitters — shop policies

## Shipping
- Orders over ¥299 ship free within mainland China; below that, standard shipping costs ¥12.
- Orders placed before 15:00 leave our warehouse the same day; delivery takes 2–4 business days.

## Returns
- Unused gear can be returned within 30 days of delivery for a full refund.
- Tents and sleeping bags that have been used outdoors can only be returned if they are faulty.

## Warranty
- Tents, stoves, lanterns and headlamps carry a 2-year warranty against manufacturing defects.
- Sleeping pads carry a 1-year warranty; punctures are not covered.
"""

POLICIES_ZH_MD = """# Cairnline 户外 店铺政策

## 配送
- 中国大陆订单满299元包邮；不满299元，标准运费12元。
- 15:00前下单当天出库，2–4个工作日送达。

## 退货
- 未使用的装备可在签收后30天内退货，全额退款。
- 已在户外使用过的帐篷和睡袋，只有质量问题才可退货。

## 保修
- 帐篷、炉具、营地灯和头灯对制造缺陷提供2年保修。
- 睡垫保修1年，刺破不在保修范围内。
"""


def write_docs() -> None:
    (CATALOG / "faq.md").write_text(FAQ_MD, encoding="utf-8")
    (CATALOG / "faq.zh.md").write_text(FAQ_ZH_MD, encoding="utf-8")
    (CATALOG / "policies.md").write_text(POLICIES_MD, encoding="utf-8")
    (CATALOG / "policies.zh.md").write_text(POLICIES_ZH_MD, encoding="utf-8")


if __name__ == "__main__":
    import build_eval_outdoor_questions as questions

    rng = random.Random(SEED)
    items = build_items(rng)
    write_catalog(items)
    write_docs()
    rows = questions.build_questions(items, random.Random(SEED + 1))
    with (ROOT / "questions.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    print(f"{len(items)} SKUs, {len(rows)} questions: {kinds}")
