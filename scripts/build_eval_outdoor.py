"""Write the second evaluation catalog (a camping-gear shop, Shopify product export) and its labelled questions.

The shop, its products and its questions are the stand-in for "the next shop": nothing in ``assistant/`` is
written for them. The catalog is generated once from the tables below with a fixed seed and written as data:

- ``knowledge/data/eval/outdoor/catalog/products_export.csv``: a Shopify product export (real Shopify headers;
  one row per variant; Chinese title and description in ``product.metafields.custom.*`` columns; some
  products without a price, some whose stock is not tracked, some sold out),
- ``knowledge/data/eval/outdoor/catalog/faq.md`` and ``policies.md``: the shop's FAQ and policies,
- ``knowledge/data/eval/outdoor/questions.jsonl``: zh and en questions with mechanically checkable gold
  fields (see ``assistant/evaluation/catalog_eval.py`` for the schema and the judging rules).

Run: ``python -m scripts.build_eval_outdoor`` (rewrites the files; the output is deterministic). The ten
product kinds' makers are in ``scripts/eval_outdoor_makers.py``.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.eval_outdoor_makers import (
    Maker,
    chair,
    cooler,
    headlamp,
    lantern,
    poles,
    sleeping_bag,
    sleeping_pad,
    stove,
    tent,
    water_filter,
)

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
    from scripts import build_eval_outdoor_questions as questions

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
