"""Build the bundled fact-accuracy gold set from the demo catalog and policies (deterministic).

Run ``python -m assistant.evaluation.build_facts_gold`` after changing the demo catalog.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from knowledge.models import Product

DEMO = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "demo" / "products.jsonl"
OUT = Path(__file__).resolve().parent / "data" / "facts_gold.jsonl"
PER_KIND = 6  # products per question kind and language

SPEC_QUESTIONS: dict[str, tuple[str, str]] = {
    "battery_hours": ("How many hours does the battery of {name} last?", "{name}的电池续航多少小时？"),
    "weight_g": ("How much does {name} weigh in grams?", "{name}重多少克？"),
    "ram_gb": ("How much RAM does {name} have?", "{name}的内存是多少GB？"),
    "capacity_ml": ("What is the capacity of {name} in ml?", "{name}的容量是多少毫升？"),
    "capacity_l": ("How many litres is {name}?", "{name}的容量是多少升？"),
}
POLICY_QUESTIONS: list[dict[str, Any]] = [
    {"q": "How many days do I have to return an item without a reason?", "lang": "en", "gold": ["7"]},
    {"q": "不喜欢的话几天内可以无理由退货？", "lang": "zh", "gold": ["7"]},
    {"q": "What is the minimum order for free shipping?", "lang": "en", "gold": ["99"]},
    {"q": "满多少钱包邮？", "lang": "zh", "gold": ["99"]},
    {"q": "How much does express shipping cost?", "lang": "en", "gold": ["15"]},
    {"q": "加急快递要多少钱？", "lang": "zh", "gold": ["15"]},
    {"q": "How long until I get my refund after the return arrives?", "lang": "en", "gold": ["3"]},
    {"q": "退货到仓后多久退款？", "lang": "zh", "gold": ["3"]},
    {"q": "How long is the warranty on headphones?", "lang": "en", "gold": ["1", "one", "12"]},
    {"q": "耳机保修多长时间？", "lang": "zh", "gold": ["1", "一", "12"]},
    {"q": "What are your customer service hours?", "lang": "en", "gold": ["9", "21"]},
    {"q": "客服几点上班？", "lang": "zh", "gold": ["9", "21"]},
]
NOT_CARRIED = [
    {"q": "Do you sell TVs?", "lang": "en"},
    {"q": "I want to buy a refrigerator", "lang": "en"},
    {"q": "有卖电视吗？", "lang": "zh"},
    {"q": "我想买一辆自行车", "lang": "zh"},
]


def build() -> list[dict[str, Any]]:
    products = [Product.model_validate_json(line) for line in DEMO.read_text(encoding="utf-8").splitlines() if line]
    rows: list[dict[str, Any]] = []
    by_category: dict[str, list[Product]] = {}
    for product in products:
        by_category.setdefault(product.category, []).append(product)
    spread = [items[i] for i in range(PER_KIND) for items in by_category.values() if i < len(items)]
    for index, product in enumerate(spread[: PER_KIND * 2]):
        lang = "en" if index % 2 == 0 else "zh"
        name = product.name if lang == "en" else product.name_zh
        q = f"How much is {name}?" if lang == "en" else f"{name}多少钱？"
        rows.append({"kind": "price", "q": q, "lang": lang, "sku": product.sku, "gold": [f"{product.price:g}"]})
    for index, product in enumerate(spread[PER_KIND * 2 : PER_KIND * 4]):
        lang = "en" if index % 2 == 0 else "zh"
        name = product.name if lang == "en" else product.name_zh
        q = f"Is {name} in stock?" if lang == "en" else f"{name}有货吗？"
        rows.append({"kind": "stock", "q": q, "lang": lang, "sku": product.sku, "in_stock": product.in_stock})
    spec_rows = 0
    for product in spread[PER_KIND * 4 :] + spread[: PER_KIND * 4]:
        for key, (en, zh) in SPEC_QUESTIONS.items():
            if key in product.attributes and spec_rows < PER_KIND * 3:
                lang = "en" if spec_rows % 2 == 0 else "zh"
                name = product.name if lang == "en" else product.name_zh
                q = (en if lang == "en" else zh).format(name=name)
                gold = (
                    f"{product.attributes[key]:g}"
                    if isinstance(product.attributes[key], float)
                    else str(product.attributes[key])
                )
                rows.append({"kind": "spec", "q": q, "lang": lang, "sku": product.sku, "gold": [gold]})
                spec_rows += 1
                break
    rows.extend({"kind": "policy", **row} for row in POLICY_QUESTIONS)
    rows.extend({"kind": "not_carried", **row} for row in NOT_CARRIED)
    return rows


def main() -> None:
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} questions to {OUT.name}")


if __name__ == "__main__":
    main()
