"""Build the labelled retrieval query set (zh + en, graded relevance) from the bundled demo catalog.

Relevance comes from catalog facts, not from any retriever: 3 = the product named in the query,
2 = right category and every asked-for property holds, 1 = right category (or a named product's
sibling) without all properties. Run: ``python bench/build_query_set.py`` (writes the JSONL next to
the demo data); the output is committed so benches and the release gate read a fixed set.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "knowledge" / "data" / "demo" / "products.jsonl"
OUT = ROOT / "knowledge" / "data" / "eval" / "retrieval_queries.jsonl"
SEED = 4  # fixed so the committed set is reproducible
NAMED_QUERIES = 48

Pred = Callable[[dict[str, Any]], bool]


def attr(key: str, value: Any) -> Pred:
    return lambda p: p["attributes"].get(key) == value


def at_least(key: str, value: float) -> Pred:
    return lambda p: float(p["attributes"].get(key) or 0) >= value


def has_use(use: str) -> Pred:
    return lambda p: use in p["uses"]


# (category, english query, chinese query, predicates, optional filters)
CONCEPTS: list[tuple[str, str, str, list[Pred], dict[str, Any]]] = [
    ("running_shoes", "trail running shoes", "越野跑鞋", [attr("terrain", "trail")], {}),
    ("running_shoes", "waterproof running shoes", "防水跑鞋", [attr("waterproof", True)], {}),
    (
        "running_shoes",
        "road running shoes with high cushioning",
        "高缓震公路跑鞋",
        [attr("terrain", "road"), attr("cushioning", "high")],
        {},
    ),
    ("running_shoes", "light running shoes for the gym", "适合健身房的轻便跑鞋", [has_use("gym")], {}),
    ("running_shoes", "cheap running shoes", "便宜的跑步鞋", [], {"price_max": 400}),
    ("headphones", "noise cancelling headphones", "降噪耳机", [attr("noise_cancelling", True)], {}),
    ("headphones", "wireless earbuds", "无线入耳式耳机", [attr("type", "in-ear"), attr("wireless", True)], {}),
    (
        "headphones",
        "over-ear headphones for travel",
        "出差旅行用的头戴式耳机",
        [attr("type", "over-ear"), has_use("travel")],
        {},
    ),
    ("headphones", "wired headphones", "有线耳机", [attr("wireless", False)], {}),
    ("headphones", "headphones for running", "跑步用的耳机", [has_use("running")], {}),
    (
        "laptops",
        "gaming laptop with RTX graphics",
        "带独立显卡的游戏本",
        [lambda p: "RTX" in str(p["attributes"].get("gpu"))],
        {},
    ),
    ("laptops", "laptop with 32GB RAM", "32GB内存的笔记本电脑", [attr("ram_gb", 32)], {}),
    ("laptops", "lightweight laptop for students", "适合学生的轻薄笔记本", [has_use("study")], {}),
    ("laptops", "laptop with long battery life", "续航长的笔记本电脑", [at_least("battery_hours", 12)], {}),
    (
        "laptops",
        "laptop with a 16 inch screen",
        "16英寸屏幕的笔记本",
        [lambda p: float(p["attributes"].get("screen_inch", 0)) >= 16],
        {},
    ),
    ("phones", "phone with a 200MP camera", "2亿像素拍照手机", [attr("camera_mp", 200)], {}),
    ("phones", "phone with a big battery", "大电池长续航手机", [at_least("battery_mah", 5500)], {}),
    ("phones", "phone with 1TB storage", "1TB存储的手机", [attr("storage_gb", 1024)], {}),
    ("phones", "fast charging phone 100W", "100W快充手机", [at_least("charging_w", 100)], {}),
    ("phones", "foldable phone", "折叠屏手机", [lambda p: float(p["attributes"].get("screen_inch", 0)) >= 7.5], {}),
    ("backpacks", "waterproof backpack", "防水双肩包", [attr("waterproof", True)], {}),
    (
        "backpacks",
        "backpack with a 16 inch laptop sleeve",
        "能放16寸电脑的背包",
        [at_least("laptop_sleeve_inch", 16)],
        {},
    ),
    ("backpacks", "hiking backpack", "徒步登山背包", [has_use("hiking")], {}),
    ("backpacks", "small backpack for kids", "儿童小书包", [has_use("kids")], {}),
    ("backpacks", "large 30L backpack", "30升大容量背包", [at_least("capacity_l", 30)], {}),
    ("water_bottles", "insulated water bottle", "保温杯", [attr("insulated", True)], {}),
    ("water_bottles", "glass water bottle", "玻璃水杯", [attr("material", "borosilicate glass")], {}),
    ("water_bottles", "titanium bottle", "钛水杯", [attr("material", "titanium")], {}),
    ("water_bottles", "1 litre water bottle", "1升大容量水壶", [at_least("capacity_ml", 1000)], {}),
    ("water_bottles", "collapsible silicone bottle", "可折叠硅胶水杯", [attr("material", "silicone")], {}),
    ("smartwatches", "smartwatch with GPS", "带GPS的智能手表", [attr("gps", True)], {}),
    ("smartwatches", "smartwatch with NFC payments", "支持NFC支付的手表", [attr("nfc", True)], {}),
    ("smartwatches", "watch for diving 10ATM", "10ATM防水潜水手表", [attr("waterproof_rating", "10ATM")], {}),
    ("smartwatches", "smartwatch with two weeks battery", "续航两周的智能手表", [at_least("battery_days", 14)], {}),
    ("smartwatches", "kids smartwatch", "儿童智能手表", [has_use("kids")], {}),
    ("jackets", "waterproof rain jacket", "防水冲锋衣", [attr("waterproof", True)], {}),
    ("jackets", "down jacket", "羽绒服", [attr("fill", "down")], {}),
    ("jackets", "fleece jacket", "抓绒外套", [attr("fill", "fleece")], {}),
    ("jackets", "jacket with a hood", "带帽子的外套", [attr("hood", True)], {}),
    (
        "jackets",
        "insulated winter jacket under 800",
        "800元以下的保暖冬季外套",
        [attr("insulated", True)],
        {"price_max": 800},
    ),
    ("jackets", "running jacket", "跑步夹克", [has_use("running")], {}),
    (
        "headphones",
        "noise cancelling headphones in stock",
        "有货的降噪耳机",
        [attr("noise_cancelling", True)],
        {"in_stock_only": True},
    ),
]


def passes(p: dict[str, Any], filters: dict[str, Any]) -> bool:
    if "price_max" in filters and p["price"] > filters["price_max"]:
        return False
    if "price_min" in filters and p["price"] < filters["price_min"]:
        return False
    return not (filters.get("in_stock_only") and p["stock"] <= 0)


def family(name: str) -> str:
    """``"Stridex AeroRun 3"`` -> ``"stridex aerorun"``: the product line without its generation/spec."""
    return re.sub(r"\s*(\(.*\)|\d.*)$", "", name).strip().lower()


def main() -> None:
    products = [json.loads(line) for line in CATALOG.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(SEED)
    queries: list[dict[str, Any]] = []
    for category, en, zh, preds, filters in CONCEPTS:
        relevance: dict[str, int] = {}
        for p in products:
            if p["category"] != category or not passes(p, filters):
                continue
            relevance[p["sku"]] = 2 if all(pred(p) for pred in preds) else 1
        if not any(g == 2 for g in relevance.values()):
            raise SystemExit(f"no product satisfies {en!r}")
        for language, text in (("en", en), ("zh", zh)):
            queries.append(
                {
                    "id": f"q{len(queries) + 1:03d}",
                    "text": text,
                    "language": language,
                    "kind": "need",
                    "filters": filters,
                    "relevance": relevance,
                }
            )
    for p in rng.sample(products, NAMED_QUERIES):
        language = rng.choice(["en", "zh"])
        text = p["name_zh"] if language == "zh" and p["name_zh"] else p["name"]
        relevance = {
            q["sku"]: 1 for q in products if q["category"] == p["category"] and family(q["name"]) == family(p["name"])
        }
        relevance[p["sku"]] = 3
        queries.append(
            {
                "id": f"q{len(queries) + 1:03d}",
                "text": text,
                "language": language,
                "kind": "named",
                "filters": {},
                "relevance": relevance,
            }
        )
    brands = sorted({(p["brand"], p["category"]) for p in products})
    cat_words = {
        "running_shoes": ("running shoes", "跑鞋"),
        "headphones": ("headphones", "耳机"),
        "laptops": ("laptop", "笔记本电脑"),
        "phones": ("phone", "手机"),
        "backpacks": ("backpack", "背包"),
        "water_bottles": ("water bottle", "水杯"),
        "smartwatches": ("smartwatch", "智能手表"),
        "jackets": ("jacket", "外套"),
    }
    for brand, category in rng.sample(brands, min(len(brands), 24)):
        en, zh = cat_words[category]
        language = rng.choice(["en", "zh"])
        relevance = {p["sku"]: 2 if p["brand"] == brand else 1 for p in products if p["category"] == category}
        text = f"{brand} {en}" if language == "en" else f"{brand}{zh}"
        queries.append(
            {
                "id": f"q{len(queries) + 1:03d}",
                "text": text,
                "language": language,
                "kind": "brand",
                "filters": {},
                "relevance": relevance,
            }
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries), encoding="utf-8")
    langs = {lang: sum(q["language"] == lang for q in queries) for lang in ("en", "zh")}
    print(f"wrote {len(queries)} queries ({langs}) to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
