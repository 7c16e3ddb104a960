"""A synthetic bilingual catalog of any size for the knowledge-base benches (deterministic per seed)."""

from __future__ import annotations

import random

from knowledge.models import Product

CATEGORIES = [
    ("running_shoes", "running shoes", "跑鞋"), ("headphones", "headphones", "耳机"),
    ("laptops", "laptop", "笔记本电脑"), ("phones", "phone", "手机"), ("backpacks", "backpack", "双肩包"),
    ("water_bottles", "water bottle", "水杯"),
    ("smartwatches", "smartwatch", "智能手表"), ("jackets", "jacket", "外套"), ("tents", "tent", "帐篷"),
    ("desk_lamps", "desk lamp", "台灯"), ("keyboards", "keyboard", "键盘"), ("coffee_makers", "coffee maker", "咖啡机"),
    ("yoga_mats", "yoga mat", "瑜伽垫"), ("suitcases", "suitcase", "行李箱"), ("cameras", "camera", "相机"),
    ("speakers", "speaker", "音箱"), ("bicycles", "bicycle", "自行车"), ("sunglasses", "sunglasses", "太阳镜"),
    ("blenders", "blender", "搅拌机"), ("monitors", "monitor", "显示器"),
]  # fmt: skip
BRANDS = ["Stridex", "Auralis", "Nordpeak", "Lumo", "Kestrel", "Tidewell", "Veyra", "Orbis", "Quanta", "Helio",
          "Marlow", "Sable", "Zephyr", "Corvid", "Aster", "Brio", "Cobalt", "Dune", "Ember", "Fjord"]  # fmt: skip
FEATURES = [
    ("waterproof", "防水"), ("lightweight", "轻量"), ("wireless", "无线"), ("foldable", "可折叠"),
    ("insulated", "保温"), ("rechargeable", "可充电"), ("compact", "小巧"), ("durable", "耐用"),
    ("breathable", "透气"), ("noise cancelling", "降噪"), ("ergonomic", "人体工学"), ("quick-dry", "速干"),
]  # fmt: skip
USES = ["running", "travel", "office", "gift", "outdoor", "study", "gaming", "hiking", "kids", "commuting"]
COLORS = [("black", "黑色"), ("white", "白色"), ("red", "红色"), ("blue", "蓝色"), ("grey", "灰色"), ("green", "绿色")]
MIN_PRICE, MAX_PRICE = 19.0, 19999.0
OUT_OF_STOCK_SHARE = 0.1


def synthetic_products(n: int, seed: int = 7, price_shift: float = 0.0) -> list[Product]:
    """``n`` products; ``price_shift`` is added to every price (a bench marks each release this way)."""
    rng = random.Random(seed)
    products = []
    for i in range(n):
        key, en, zh = rng.choice(CATEGORIES)
        brand = rng.choice(BRANDS)
        feats = rng.sample(FEATURES, 2)
        color, color_zh = rng.choice(COLORS)
        model = f"{brand[:2].upper()}{rng.randint(100, 999)}"
        price = round(MIN_PRICE * (MAX_PRICE / MIN_PRICE) ** rng.random()) + price_shift
        stock = 0 if rng.random() < OUT_OF_STOCK_SHARE else rng.randint(1, 200)
        scene = rng.choice(["通勤", "旅行", "户外", "办公"])
        products.append(
            Product(
                sku=f"SYN-{i:06d}",
                name=f"{brand} {feats[0][0].title()} {en.title()} {model}",
                name_zh=f"{brand} {feats[0][1]}{zh} {model}",
                category=key,
                brand=brand,
                price=price,
                stock=stock,
                attributes={"color": color, feats[0][0].replace(" ", "_"): True},
                uses=rng.sample(USES, 2),
                description=f"A {feats[0][0]}, {feats[1][0]} {en} in {color} from {brand}, "
                f"made for {rng.choice(USES)} and everyday use. Model {model}.",
                description_zh=f"{brand}出品的{color_zh}{feats[0][1]}{feats[1][1]}{zh}，适合日常和{scene}使用。",
            )
        )
    return products


def query_texts(n: int, seed: int = 11) -> list[tuple[str, str]]:
    """(text, language) shopper queries over the synthetic catalog, half English, half Chinese."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        _, en, zh = rng.choice(CATEGORIES)
        feat_en, feat_zh = rng.choice(FEATURES)
        if i % 2:
            out.append((f"{feat_zh}{zh}", "zh"))
        else:
            out.append((f"{feat_en} {en} for {rng.choice(USES)}", "en"))
    return out
