"""Labelled zh and en questions for the camping-gear evaluation catalog (see build_eval_outdoor.py).

Every question carries gold fields a judge can check without reading prose: the SKU(s) the answer is about,
the price, in-stock state, the yes/no answer of a feature question, whether the product is not sold at all,
or whether the catalog cannot answer it (then an honest "I don't know" is the right answer).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, Protocol

# Shopper's words for each category, singular (en) and as written in Chinese.
CATEGORY_WORDS = {
    "tents": ("tent", "帐篷"),
    "sleeping_bags": ("sleeping bag", "睡袋"),
    "sleeping_pads": ("sleeping pad", "睡垫"),
    "camp_stoves": ("camping stove", "炉具"),
    "headlamps": ("headlamp", "头灯"),
    "trekking_poles": ("pair of trekking poles", "登山杖"),
    "camp_chairs": ("camp chair", "露营椅"),
    "coolers": ("cooler", "保温箱"),
    "lanterns": ("lantern", "营地灯"),
    "water_filters": ("water filter", "净水器"),
}
PLURALS = {"pair of trekking poles": "trekking poles"}

FEATURE_QUESTIONS = {
    "freestanding": ("Is the {n} freestanding?", "{n}是自立式的吗？"),
    "footprint": ("Does the {n} come with a footprint?", "{n}带地布吗？"),
    "hood": ("Does the {n} have a hood?", "{n}有帽兜吗？"),
    "compression_sack": ("Does the {n} come with a compression sack?", "{n}送压缩袋吗？"),
    "pump_sack": ("Is a pump sack included with the {n}?", "{n}有没有附带充气袋？"),
    "piezo": ("Does the {n} have a piezo igniter?", "{n}有电子点火吗？"),
    "pot_included": ("Does the {n} include a pot?", "{n}带锅吗？"),
    "red_light": ("Does the {n} have a red light mode?", "{n}有红光模式吗？"),
    "rechargeable": ("Can I recharge the {n} over USB?", "{n}可以USB充电吗？"),
    "folding": ("Do the {n} fold down (Z-fold)?", "{n}是折叠式的吗？"),
    "cork": ("Do the {n} have cork grips?", "{n}是软木握把吗？"),
    "cup_holder": ("Does the {n} have a cup holder?", "{n}有杯架吗？"),
    "carry_bag": ("Does the {n} come with a carry bag?", "{n}配收纳袋吗？"),
    "wheels": ("Does the {n} have wheels?", "{n}有轮子吗？"),
    "drain": ("Does the {n} have a drain plug?", "{n}有排水塞吗？"),
    "power_bank": ("Can the {n} charge my phone?", "{n}能给手机充电吗？"),
    "dimmable": ("Is the {n} dimmable?", "{n}可以无极调光吗？"),
    "removes_viruses": ("Does the {n} remove viruses?", "{n}能过滤病毒吗？"),
    "syringe": ("Does the {n} come with a backflush syringe?", "{n}附带反冲洗针筒吗？"),
    "carbon": ("Are the {n} made of carbon fibre?", "{n}是碳纤维的吗？"),
}

NOT_SOLD = (
    ("Do you sell kayaks?", "en"),
    ("Do you have any fishing rods?", "en"),
    ("Do you sell hiking boots?", "en"),
    ("I'm looking for a hammock, do you have one?", "en"),
    ("Do you carry climbing ropes?", "en"),
    ("你们卖皮划艇吗？", "zh"),
    ("有卖钓鱼竿吗？", "zh"),
    ("你们有登山鞋吗？", "zh"),
    ("想买一个吊床，有吗？", "zh"),
    ("有没有攀岩绳？", "zh"),
    ("Do you sell binoculars?", "en"),
    ("有卖望远镜吗？", "zh"),
)

POLICY = (
    ("How much is shipping on a ¥200 order?", "en", [12]),
    ("Above what order amount is shipping free?", "en", [299]),
    ("How many days do I have to return unused gear?", "en", [30]),
    ("订单满多少钱包邮？", "zh", [299]),
    ("没用过的装备多少天内可以退？", "zh", [30]),
    ("帐篷保修多久？", "zh", [2]),
)

# Questions the catalog cannot answer; {n} is a product name. Shop-level ones have no product.
UNANSWERABLE_PRODUCT = (
    ("What colour {is} the {n}?", "{n}是什么颜色的？"),
    ("Where {is} the {n} made?", "{n}是哪里生产的？"),
    ("What do other customers say about the {n}?", "买过{n}的人评价怎么样？"),
    ("How long does it take to set up the {n}?", "{n}搭建需要多长时间？"),
)
UNANSWERABLE_SOLD_OUT = ("When will the {n} be back in stock?", "{n}什么时候补货？")
UNANSWERABLE_SHOP = (
    ("What is the warranty on your trekking poles?", "en"),
    ("Can I pay in instalments?", "en"),
    ("露营椅保修多久？", "zh"),
    ("可以分期付款吗？", "zh"),
)


IN_STOCK_SUPERLATIVES = 6


class ItemLike(Protocol):
    category: str
    title: str
    title_zh: str
    sku: str
    price: float | None
    stock: int | None
    facts: dict[str, Any]
    option: tuple[str, str] | None


def display(item: ItemLike, lang: str, rng: random.Random) -> str:
    """How a shopper names the product: its English title, or (zh, half the time) its Chinese title."""
    if item.option and item.option[1] == "Long":
        return f"{item.title} (Long)" if lang == "en" else f"{item.title}（加长款）"
    if lang == "zh" and rng.random() < 0.5:
        return item.title_zh
    return item.title


def _plural(name: str) -> bool:
    return name.endswith(("Poles", "杖"))


def _is(name: str) -> str:
    return "are" if _plural(name) else "is"


def _does(name: str) -> str:
    return "do" if _plural(name) else "does"


def _weight_g(item: ItemLike) -> float | None:
    if "weight_g" in item.facts:
        return float(item.facts["weight_g"])
    if "weight_kg" in item.facts:
        return float(item.facts["weight_kg"]) * 1000
    return None


def _fill(template: str, name: str) -> str:
    return template.format(n=name, **{"is": _is(name)})


def _row(kind: str, lang: str, q: str, **gold: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"kind": kind, "lang": lang, "q": q}
    row.update({k: v for k, v in gold.items() if v is not None})
    return row


def _langs(n: int) -> list[str]:
    return ["en" if i % 2 == 0 else "zh" for i in range(n)]


def build_questions(items: Sequence[ItemLike], rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    priced = [i for i in items if i.price is not None and i.stock is not None and not i.option]
    by_cat: dict[str, list[ItemLike]] = {}
    for item in items:
        by_cat.setdefault(item.category, []).append(item)

    # Prices of named products (incl. one per variant), then stock, then both in one message.
    for lang, item in zip(
        _langs(20), rng.sample(priced, 18) + [i for i in items if i.option == ("Size", "Long")][:2], strict=False
    ):
        n = display(item, lang, rng)
        q = rng.choice(
            (f"How much {_is(n)} the {n}?", f"What {_does(n)} the {n} cost?", f"What's the price of the {n}?")
            if lang == "en"
            else (f"{n}多少钱？", f"{n}的价格是多少？", f"{n}卖多少钱")
        )
        rows.append(_row("price", lang, q, skus=[item.sku], price=item.price))
    sold_out = [i for i in items if i.stock == 0 and not i.option]
    in_stock = [i for i in priced if (i.stock or 0) > 0]
    for lang, item in zip(_langs(12), rng.sample(sold_out, 6) + rng.sample(in_stock, 6), strict=False):
        n = display(item, lang, rng)
        q = rng.choice(
            (f"{_is(n).capitalize()} the {n} in stock?", f"Do you have the {n} available right now?")
            if lang == "en"
            else (f"{n}有货吗？", f"{n}现在有现货吗？")
        )
        rows.append(_row("stock", lang, q, skus=[item.sku], in_stock=bool(item.stock)))
    for lang, item in zip(_langs(8), rng.sample(priced, 8), strict=False):
        n = display(item, lang, rng)
        q = (
            f"How much {_is(n)} the {n}, and {_is(n)} it in stock?".replace("are it", "are they")
            if lang == "en"
            else f"{n}多少钱？有货吗？"
        )
        rows.append(_row("price_stock", lang, q, skus=[item.sku], price=item.price, in_stock=bool(item.stock)))

    # Superlatives: cheapest / most expensive / cheapest in stock, and lightest, per category.
    cats = list(by_cat)
    in_stock_candidates: list[tuple[bool, dict[str, Any]]] = []
    for index, cat in enumerate(cats):
        en, zh = CATEGORY_WORDS[cat]
        plural = PLURALS.get(en, en + "s")
        with_price = [i for i in by_cat[cat] if i.price is not None]
        cheapest = min(with_price, key=lambda i: i.price or 0)
        dearest = max(with_price, key=lambda i: i.price or 0)
        lang = "en" if index % 2 == 0 else "zh"
        rows.append(
            _row("cheapest", lang,
                 f"What is the cheapest {en} you have?" if lang == "en" else f"最便宜的{zh}是哪款？",
                 skus=[cheapest.sku], price=cheapest.price, category=cat)
        )  # fmt: skip
        other = "zh" if lang == "en" else "en"
        rows.append(
            _row("most_expensive", other,
                 f"What's your most expensive {en}?" if other == "en" else f"你们最贵的{zh}是哪个？",
                 skus=[dearest.sku], price=dearest.price, category=cat)
        )  # fmt: skip
        stocked = [i for i in with_price if i.stock is None or i.stock > 0]
        cheapest_stocked = min(stocked, key=lambda i: i.price or 0)
        if cheapest_stocked.stock is not None:
            # Categories whose overall cheapest is sold out come first: there "in stock" changes the answer.
            in_stock_candidates.append((cheapest_stocked is cheapest,
                _row("cheapest_in_stock", lang,
                     f"Which is the cheapest {en} that is in stock right now?"
                     if lang == "en" else f"现在有货的{zh}里最便宜的是哪款？",
                     skus=[cheapest_stocked.sku], price=cheapest_stocked.price, in_stock=True, category=cat)
            ))  # fmt: skip
        if index < 4:
            weighed = [i for i in by_cat[cat] if _weight_g(i) is not None and not i.option]
            lightest = min(weighed, key=lambda i: _weight_g(i) or 0)
            rows.append(
                _row("lightest", other,
                     f"Which {en} is the lightest?" if other == "en" else f"最轻的{zh}是哪款？",
                     skus=[lightest.sku], category=cat)
            )  # fmt: skip
        _ = plural
    rows.extend(row for _, row in sorted(in_stock_candidates, key=lambda c: c[0])[:IN_STOCK_SUPERLATIVES])

    # Budget ranges: "under X" and "between X and Y", answered by any product of the category in range.
    for index, cat in enumerate(cats + cats[:2]):
        en, zh = CATEGORY_WORDS[cat]
        plural = PLURALS.get(en, en + "s")
        prices = sorted(i.price for i in by_cat[cat] if i.price is not None)
        lang = "en" if index % 2 == 0 else "zh"
        if index < len(cats):
            cap = int(round(prices[len(prices) // 3], -1) + 10)
            allowed = [i.sku for i in by_cat[cat] if i.price is not None and i.price <= cap]
            q = f"Do you have any {plural} under ¥{cap}?" if lang == "en" else f"有没有{cap}元以下的{zh}？"
            rows.append(_row("budget", lang, q, allowed_skus=allowed, price_max=cap, category=cat))
        else:
            low = int(round(prices[len(prices) // 3], -1))
            high = int(round(prices[2 * len(prices) // 3], -1))
            allowed = [i.sku for i in by_cat[cat] if i.price is not None and low <= i.price <= high]
            q = (
                f"Show me {plural} between {low} and {high} yuan."
                if lang == "en"
                else f"{low}到{high}元之间的{zh}有哪些？"
            )
            rows.append(_row("budget", lang, q, allowed_skus=allowed, price_min=low, price_max=high, category=cat))

    # Yes/no features written from the bullets: half yes, half no, each feature at most twice.
    yes_no: list[tuple[ItemLike, str, bool]] = [
        (i, feature, value)
        for i in items
        if not i.option
        for feature, value in i.facts.get("yes_no", {}).items()
        if feature in FEATURE_QUESTIONS
    ]
    rng.shuffle(yes_no)
    picked: list[tuple[ItemLike, str, bool]] = []
    used: dict[str, int] = {}
    for want in (True, False):
        count = 0
        for item, feature, value in yes_no:
            if value == want and used.get(feature, 0) < 2 and count < 13 and item not in [p[0] for p in picked]:
                picked.append((item, feature, value))
                used[feature] = used.get(feature, 0) + 1
                count += 1
    rng.shuffle(picked)
    for lang, (item, feature, value) in zip(_langs(len(picked)), picked, strict=False):
        n = display(item, lang, rng)
        template = FEATURE_QUESTIONS[feature][0 if lang == "en" else 1]
        rows.append(_row("yesno", lang, template.format(n=n), skus=[item.sku], answer="yes" if value else "no"))

    # Comparisons within a category: which is cheaper / lighter.
    for index, cat in enumerate(cats[:8]):
        pool = [i for i in by_cat[cat] if i.price is not None and not i.option]
        a, b = rng.sample(pool, 2)
        lang = "en" if index % 2 == 0 else "zh"
        na, nb = display(a, lang, rng), display(b, lang, rng)
        if index % 4 < 2:
            winner = a if (a.price or 0) < (b.price or 0) else b
            q = f"Which is cheaper, the {na} or the {nb}?" if lang == "en" else f"{na}和{nb}哪个便宜？"
            rows.append(_row("compare_price", lang, q, skus=[winner.sku], compared=[a.sku, b.sku]))
        else:
            wa, wb = _weight_g(a) or 0, _weight_g(b) or 0
            if wa == wb:
                continue
            winner = a if wa < wb else b
            q = f"Which is lighter, the {na} or the {nb}?" if lang == "en" else f"{na}和{nb}哪个更轻？"
            rows.append(_row("compare_weight", lang, q, skus=[winner.sku], compared=[a.sku, b.sku]))

    for q, lang in NOT_SOLD:
        rows.append(_row("not_sold", lang, q, absent=True))
    for q, lang, values in POLICY:
        rows.append(_row("policy", lang, q, values=values))

    # Unanswerable: facts the listing does not hold, restock dates, reviews that do not exist, missing prices.
    for index, (en_t, zh_t) in enumerate(UNANSWERABLE_PRODUCT * 2):
        lang = "en" if index % 2 == 0 else "zh"
        pool = by_cat["tents"] if "set up" in en_t else priced
        item = rng.choice(pool)
        rows.append(
            _row("unanswerable", lang, _fill(en_t if lang == "en" else zh_t, display(item, lang, rng)),
                 skus=[item.sku], unanswerable=True)
        )  # fmt: skip
    for lang, item in zip(_langs(2), rng.sample(sold_out, 2), strict=False):
        template = UNANSWERABLE_SOLD_OUT[0 if lang == "en" else 1]
        rows.append(
            _row("unanswerable", lang, template.format(n=display(item, lang, rng)), skus=[item.sku],
                 unanswerable=True)
        )  # fmt: skip
    for q, lang in UNANSWERABLE_SHOP:
        rows.append(_row("unanswerable", lang, q, unanswerable=True))
    for lang, item in zip(_langs(5), [i for i in items if i.price is None], strict=False):
        n = display(item, lang, rng)
        q = f"How much {_is(n)} the {n}?" if lang == "en" else f"{n}多少钱？"
        rows.append(_row("no_price", lang, q, skus=[item.sku], unanswerable=True))

    for index, row in enumerate(rows, start=1):
        row["id"] = f"cl{index:03d}"
    return [{"id": r.pop("id"), **r} for r in rows]
