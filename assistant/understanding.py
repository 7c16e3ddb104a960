"""Understand one shopper message: intent, slots (category, budget, use, brand, must-haves) and named products.

Rules and lexicons, not a model: they run in well under a millisecond, are predictable, and the
catalog itself supplies the vocabulary (categories, brands, attribute keys, product names, SKUs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from knowledge.models import AttributeValue, Product

from .conversation import Slots
from .superlatives import parse_sort
from .types import Intent, Language

# Category words per catalog category key. Unknown keys still match their own words ("water bottles").
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "running_shoes": (
        "running shoe",
        "running shoes",
        "runners",
        "sneaker",
        "trainers",
        "shoe",
        "shoes",
        "跑鞋",
        "跑步鞋",
        "运动鞋",
        "鞋",
    ),
    "headphones": ("headphone", "headphones", "earphone", "earphones", "earbuds", "headset", "耳机", "耳麦"),
    "laptops": ("laptop", "laptops", "notebook", "ultrabook", "笔记本", "电脑", "笔记本电脑"),
    "phones": ("phone", "phones", "smartphone", "mobile", "手机"),
    "backpacks": ("backpack", "backpacks", "rucksack", "bag", "daypack", "背包", "双肩包", "书包", "包包", "旅行包"),
    "water_bottles": ("water bottle", "bottle", "flask", "tumbler", "水杯", "水壶", "保温杯", "杯子", "水瓶"),
    "smartwatches": ("smartwatch", "smart watch", "watch", "fitness tracker", "手表", "智能手表", "运动手表"),
    "jackets": (
        "jacket",
        "jackets",
        "coat",
        "windbreaker",
        "parka",
        "shell",
        "夹克",
        "外套",
        "冲锋衣",
        "风衣",
        "羽绒服",
    ),
}
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "running_shoes": ("Running shoes", "跑鞋"),
    "headphones": ("Headphones", "耳机"),
    "laptops": ("Laptops", "笔记本电脑"),
    "phones": ("Phones", "手机"),
    "backpacks": ("Backpacks", "背包"),
    "water_bottles": ("Water bottles", "水杯"),
    "smartwatches": ("Smartwatches", "智能手表"),
    "jackets": ("Jackets", "外套"),
}
# Things shoppers ask for that the demo shop does not sell: answered plainly, never invented.
NOT_CARRIED_WORDS: tuple[str, ...] = (
    "tv",
    "tvs",
    "television",
    "televisions",
    "fridge",
    "refrigerator",
    "car",
    "cars",
    "sofa",
    "furniture",
    "camera",
    "drone",
    "bicycle",
    "bike",
    "tablet",
    "ipad",
    "printer",
    "perfume",
    "lipstick",
    "dress",
    "sunglasses",
    "电视",
    "冰箱",
    "汽车",
    "沙发",
    "家具",
    "相机",
    "无人机",
    "自行车",
    "平板",
    "打印机",
    "香水",
    "口红",
    "裙子",
    "墨镜",
)
USE_WORDS: dict[str, tuple[str, ...]] = {
    "running": ("running", "run", "jogging", "marathon", "跑步", "慢跑", "马拉松"),
    "hiking": ("hiking", "hike", "trekking", "mountain", "徒步", "登山", "爬山"),
    "commuting": ("commute", "commuting", "subway", "通勤", "上下班", "地铁"),
    "office": ("office", "work", "business", "meeting", "办公", "上班", "商务", "工作"),
    "gaming": ("gaming", "game", "games", "游戏", "打游戏", "电竞"),
    "travel": ("travel", "trip", "flight", "旅行", "旅游", "出差", "飞机"),
    "gym": ("gym", "workout", "fitness", "training", "健身", "锻炼", "训练"),
    "gift": ("gift", "present", "birthday", "礼物", "送礼", "送人", "生日"),
    "kids": ("kid", "kids", "child", "children", "son", "daughter", "孩子", "儿童", "小孩", "学生党"),
    "outdoor": ("outdoor", "outdoors", "camping", "户外", "露营", "野外"),
    "study": ("study", "student", "school", "university", "college", "学习", "学生", "上课", "大学"),
    "photography": ("photo", "photos", "photography", "camera quality", "拍照", "摄影", "拍摄"),
}
USE_LABELS: dict[str, tuple[str, str]] = {
    "running": ("Running", "跑步"),
    "hiking": ("Hiking", "徒步登山"),
    "commuting": ("Commuting", "通勤"),
    "office": ("Office work", "办公"),
    "gaming": ("Gaming", "游戏"),
    "travel": ("Travel", "旅行"),
    "gym": ("Gym", "健身"),
    "gift": ("A gift", "送礼"),
    "kids": ("For kids", "给孩子"),
    "outdoor": ("Outdoors", "户外"),
    "study": ("Study", "学习"),
    "photography": ("Photography", "拍照"),
}
# Must-have attributes: phrase -> (attribute key, required value). Only bools and enums: hard filters.
ATTRIBUTE_WORDS: tuple[tuple[tuple[str, ...], str, AttributeValue], ...] = (
    (("waterproof", "water-proof", "water resistant", "rainproof", "防水", "防雨"), "waterproof", True),
    (("wireless", "bluetooth", "无线", "蓝牙"), "wireless", True),
    (("noise cancelling", "noise-cancelling", "noise canceling", "anc", "降噪"), "noise_cancelling", True),
    (("gps", "定位"), "gps", True),
    (("insulated", "keeps warm", "keep warm", "thermal", "保温", "保暖"), "insulated", True),
    (("trail", "off-road", "越野"), "terrain", "trail"),
)
STOCK_WORDS = ("in stock", "available now", "ship today", "有货", "现货", "有库存")
GREETING_WORDS = ("hi", "hello", "hey", "good morning", "good evening", "你好", "您好", "嗨", "哈喽", "在吗", "在不在")
# Asking for a person, complaining or demanding a refund: a colleague should take over.
HUMAN_WORDS = (
    "talk to a human", "speak to a human", "talk to a person", "speak to a person", "real person",
    "human agent", "live agent", "talk to someone", "talk to customer service", "contact customer service",
    "complaint", "complain", "manager", "i want a refund", "refund me", "give me my money back",
    "转人工", "人工客服", "真人", "找客服", "联系客服", "投诉", "经理", "我要退款", "申请退款", "退钱",
)  # fmt: skip
# Bare words that mean "a person, please" only when they are (nearly) the whole message:
# "customer service hours?" is a policy question, "客服" alone is a request.
BARE_HUMAN_WORDS = ("human", "agent", "person", "customer service", "人工", "客服")
BARE_HUMAN_MAX_CHARS = 24
POLICY_WORDS = (
    "shipping",
    "delivery",
    "deliver",
    "return",
    "returns",
    "refund",
    "exchange",
    "warranty",
    "guarantee",
    "invoice",
    "fapiao",
    "payment",
    "pay with",
    "installment",
    "alipay",
    "wechat pay",
    "points",
    "membership",
    "gift wrap",
    "track my order",
    "tracking",
    "order status",
    "price protection",
    "change address",
    "customer service hours",
    "opening hours",
    "size guide",
    "size chart",
    "运费",
    "包邮",
    "发货",
    "快递",
    "配送",
    "送货",
    "退货",
    "退款",
    "换货",
    "保修",
    "质保",
    "售后",
    "发票",
    "支付",
    "付款",
    "分期",
    "积分",
    "会员",
    "礼品包装",
    "物流",
    "订单",
    "价保",
    "保价",
    "改地址",
    "客服时间",
    "客服几点",
    "几点上班",
    "营业时间",
    "service hours",
    "尺码",
    "七天无理由",
    "7天无理由",
)
COMPARE_WORDS = (
    "compare",
    "comparison",
    "versus",
    " vs ",
    " vs.",
    "difference between",
    "better than",
    "which is better",
    "or the",
    "比较",
    "对比",
    "区别",
    "哪个好",
    "哪个更",
    "还是",
)
INFO_WORDS = (
    "how much",
    "price",
    "cost",
    "spec",
    "specs",
    "battery",
    "weight",
    "how heavy",
    "how long",
    "capacity",
    "screen",
    "storage",
    "ram",
    "in stock",
    "stock",
    "available",
    "waterproof",
    "details",
    "detail",
    "tell me about",
    "多少钱",
    "价格",
    "价钱",
    "参数",
    "配置",
    "续航",
    "电池",
    "重量",
    "多重",
    "容量",
    "屏幕",
    "内存",
    "存储",
    "有货",
    "库存",
    "详情",
    "介绍",
    "怎么样",
)
RECOMMEND_WORDS = (
    "recommend",
    "suggest",
    "looking for",
    "i need",
    "i want",
    "want to buy",
    "buy",
    "shopping for",
    "best",
    "good",
    "cheap",
    "affordable",
    "show me",
    "any ",
    "options",
    "something",
    "推荐",
    "想买",
    "要买",
    "买",
    "有没有",
    "有什么",
    "找",
    "需要",
    "想要",
    "哪款",
    "合适",
    "便宜",
    "最好",
)
JUST_RECOMMEND_WORDS = (
    "anything",
    "whatever",
    "doesn't matter",
    "don't care",
    "just recommend",
    "surprise me",
    "随便",
    "都可以",
    "都行",
    "无所谓",
    "直接推荐",
)
ORDINALS: dict[str, int] = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "第一": 0,
    "第1": 0,
    "第二": 1,
    "第2": 1,
    "第三": 2,
    "第3": 2,
}
AROUND_TOLERANCE = 0.2  # "around 500" means 400..600
SKU_RE = re.compile(r"\b[A-Z]{2,4}-[A-Z]{2,4}-\d{3,6}\b", re.IGNORECASE)

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUM = r"(\d+(?:[.,]\d+)?\s*(?:k|K|千|万|w|W)?|[零一二两三四五六七八九十百千万]+)"
# Currency words around an amount; a shop may price in dollars or euros as well as yuan.
_CUR = r"(?:¥|￥|\$|€|£|rmb|cny|yuan|usd|us\$|dollars?|eur|euros?|元|块钱|块|美元|欧元)?"


def cn_to_number(text: str) -> float | None:
    """Chinese numerals to a number ("两千" -> 2000, "三百五" -> 350)."""
    total, section, digit = 0, 0, 0
    last_unit = 1
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == _CN_UNITS["万"]:
                total = (total + section + digit) * unit
                section, digit = 0, 0
            else:
                section += (digit or 1) * unit
                digit = 0
            last_unit = unit
        else:
            return None
    if digit and last_unit >= _CN_UNITS["百"]:
        # "三百五" means 350: a trailing digit counts in the next lower unit.
        digit *= last_unit // 10
    return float(total + section + digit)


def parse_amount(raw: str) -> float | None:
    raw = raw.strip().replace(",", "")
    if not raw:
        return None
    if re.fullmatch(r"[零一二两三四五六七八九十百千万]+", raw):
        return cn_to_number(raw)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(k|K|千|万|w|W)?", raw)
    if not match:
        return None
    value = float(match.group(1))
    unit = (match.group(2) or "").lower()
    if unit in ("k", "千"):
        value *= 1000
    elif unit in ("w", "万"):
        value *= 10000
    return value


_BUDGET_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"(?:between|from)\s*{_CUR}\s*{_NUM}\s*{_CUR}\s*(?:and|to|-)\s*{_CUR}\s*{_NUM}", re.I), "range"),
    (re.compile(rf"{_CUR}\s*{_NUM}\s*{_CUR}\s*(?:-|~|～|到|至|to)\s*{_CUR}\s*{_NUM}\s*{_CUR}", re.I), "range"),
    (
        re.compile(
            r"(?:under|below|less than|cheaper than|max(?:imum)?|at most|up to|within|no more than|<)"
            rf"\s*{_CUR}\s*{_NUM}",
            re.I,
        ),
        "max",
    ),
    (re.compile(rf"{_CUR}\s*{_NUM}\s*{_CUR}\s*(?:or less|and under|and below|max)", re.I), "max"),
    (re.compile(rf"(?:不超过|低于|少于|小于|最多|不到|别超过){_CUR}\s*{_NUM}"), "max"),
    (re.compile(rf"{_NUM}\s*{_CUR}\s*(?:以内|以下|之内|内|封顶)"), "max"),
    (re.compile(rf"(?:over|above|more than|at least|>)\s*{_CUR}\s*{_NUM}", re.I), "min"),
    (re.compile(rf"(?:超过|高于|至少|不低于){_CUR}\s*{_NUM}"), "min"),
    (re.compile(rf"{_NUM}\s*{_CUR}\s*(?:以上|起)"), "min"),
    (re.compile(rf"(?:around|about|roughly|approximately|~)\s*{_CUR}\s*{_NUM}", re.I), "around"),
    (re.compile(rf"{_NUM}\s*{_CUR}\s*(?:左右|上下)"), "around"),
    (re.compile(rf"(?:budget(?: is| of)?|预算(?:是|为|大概|在)?)\s*:?\s*{_CUR}\s*{_NUM}", re.I), "max"),
    (re.compile(rf"(?:¥|￥)\s*{_NUM}"), "max"),
)


def parse_budget(text: str) -> tuple[float | None, float | None]:
    """(min, max) price from phrases like "under 500", "300-500元", "两千以内", "around 1k"."""
    for pattern, kind in _BUDGET_RULES:
        match = pattern.search(text)
        if not match:
            continue
        if kind == "range":
            low, high = parse_amount(match.group(1)), parse_amount(match.group(2))
            if low is not None and high is not None:
                return (min(low, high), max(low, high))
            continue
        value = parse_amount(match.group(1))
        if value is None:
            continue
        if kind == "max":
            return (None, value)
        if kind == "min":
            return (value, None)
        return (value * (1 - AROUND_TOLERANCE), value * (1 + AROUND_TOLERANCE))
    return (None, None)


def _contains(text: str, words: Iterable[str]) -> str | None:
    """First word found; ASCII words must match on word boundaries ("bag" not in "baggage")."""
    for word in words:
        if word.isascii():
            # An optional plural ending: "tvs", "bags", "watches".
            if re.search(rf"(?<![a-z0-9]){re.escape(word.strip())}(?:s|es)?(?![a-z0-9])", text):
                return word
        elif word in text:
            return word
    return None


@dataclass(frozen=True)
class CatalogVocabulary:
    """Words the catalog itself provides: categories, brands and product names for matching."""

    categories: tuple[str, ...]
    brands: tuple[str, ...]
    name_index: tuple[tuple[str, str], ...]  # (lowercased name variant, sku), longest first
    skus: frozenset[str]

    @classmethod
    def from_products(cls, products: Sequence[Product]) -> CatalogVocabulary:
        names: list[tuple[str, str]] = []
        for product in products:
            variants = {product.name.lower(), product.name_zh.lower()}
            if product.brand and product.name.lower().startswith(product.brand.lower() + " "):
                variants.add(product.name[len(product.brand) + 1 :].lower())  # "AeroRun 3" without brand
            if product.brand and product.name_zh.startswith(product.brand):
                variants.add(product.name_zh[len(product.brand) :].strip().lower())
            names.extend((v, product.sku) for v in variants if len(v) >= 4)
        names.sort(key=lambda item: len(item[0]), reverse=True)
        return cls(
            categories=tuple(sorted({p.category for p in products})),
            brands=tuple(sorted({p.brand for p in products if p.brand}, key=len, reverse=True)),
            name_index=tuple(names),
            skus=frozenset(p.sku for p in products),
        )

    def named_skus(self, text: str) -> list[str]:
        """SKUs the text names explicitly or by product name, in order of appearance, no overlaps."""
        found: list[tuple[int, str]] = []
        for match in SKU_RE.finditer(text):
            sku = match.group(0).upper()
            if sku in self.skus:
                found.append((match.start(), sku))
        lowered = text.lower()
        taken: list[tuple[int, int]] = []
        for name, sku in self.name_index:
            start = lowered.find(name)
            while start != -1:
                end = start + len(name)
                boundary_ok = not name.isascii() or (
                    (start == 0 or not lowered[start - 1].isalnum())
                    and (end == len(lowered) or not lowered[end].isalnum())
                )
                if boundary_ok and not any(s < end and start < e for s, e in taken):
                    taken.append((start, end))
                    found.append((start, sku))
                start = lowered.find(name, end)
        ordered: list[str] = []
        for _, sku in sorted(found):
            if sku not in ordered:
                ordered.append(sku)
        return ordered


@dataclass
class Understanding:
    intent: Intent
    slots: Slots
    named_skus: list[str] = field(default_factory=list)
    not_carried: str | None = None
    just_recommend: bool = False
    reset_need: bool = False


class Understander:
    """Turns text plus conversation context into intent, slots and product references."""

    def __init__(self, vocabulary: CatalogVocabulary) -> None:
        self.vocabulary = vocabulary

    def category_of(self, text: str) -> str | None:
        found = self._category_match(text)
        return found[1] if found else None

    def _category_match(self, text: str) -> tuple[str, str] | None:
        """(matched word, category); the longest category word found wins."""
        best: tuple[int, str, str] | None = None
        for category in self.vocabulary.categories:
            words = (
                *CATEGORY_WORDS.get(category, ()),
                category.replace("_", " "),
                category.rstrip("s").replace("_", " "),
            )
            for word in words:
                # Longest match wins: "running shoes" beats "shoes", "智能手表" beats "手表".
                if _contains(text, [word]) and (best is None or len(word) > best[0]):
                    best = (len(word), word, category)
        return (best[1], best[2]) if best else None

    def understand(self, text: str, language: Language, last_skus: Sequence[str], has_need: bool) -> Understanding:
        lowered = " " + text.lower().strip() + " "
        slots = Slots()
        category = self._category_match(lowered)
        slots.category = category[1] if category else None
        slots.price_min, slots.price_max = parse_budget(lowered)
        # "running shoes" names a category, not a use: look for uses outside the category words.
        use_text = lowered.replace(category[0], " ") if category else lowered
        for use, words in USE_WORDS.items():
            if _contains(use_text, words):
                slots.use = use
                break
        for brand in self.vocabulary.brands:
            if _contains(lowered, [brand.lower()]):
                slots.brand = brand
                break
        for words, key, value in ATTRIBUTE_WORDS:
            if _contains(lowered, words):
                slots.attributes[key] = value
        slots.in_stock_only = _contains(lowered, STOCK_WORDS) is not None
        slots.sort = parse_sort(lowered)

        named = self.vocabulary.named_skus(text)
        if not named:
            named = _resolve_reference(lowered, last_skus)
        not_carried = None if slots.category else _contains(lowered, NOT_CARRIED_WORDS)
        just = _contains(lowered, JUST_RECOMMEND_WORDS) is not None
        intent = self._intent(lowered, slots, named, not_carried, has_need=has_need, just=just)
        return Understanding(intent=intent, slots=slots, named_skus=named, not_carried=not_carried, just_recommend=just)

    def _intent(
        self, lowered: str, slots: Slots, named: list[str], not_carried: str | None, *, has_need: bool, just: bool
    ) -> Intent:
        has_slot = bool(
            slots.category or slots.has_budget or slots.use or slots.brand or slots.attributes or slots.sort
        )
        stripped = lowered.strip(" !.?！。？~,，")
        bare_request = len(stripped) <= BARE_HUMAN_MAX_CHARS and _contains(lowered, BARE_HUMAN_WORDS)
        if _contains(lowered, HUMAN_WORDS) or (bare_request and not _contains(lowered, POLICY_WORDS)):
            return Intent.HUMAN
        if len(named) >= 2:
            return Intent.COMPARE
        # "warranty on headphones" is about policy even though it names a category; a budget means shopping.
        if _contains(lowered, POLICY_WORDS) and not named and not slots.has_budget:
            return Intent.POLICY
        if named:
            return Intent.PRODUCT_INFO
        if not_carried:
            return Intent.RECOMMEND
        if has_slot or _contains(lowered, RECOMMEND_WORDS) or (has_need and just):
            return Intent.RECOMMEND
        if _contains(lowered, GREETING_WORDS) and len(stripped) <= len("good morning there"):
            return Intent.GREETING
        return Intent.UNKNOWN


def _resolve_reference(lowered: str, last_skus: Sequence[str]) -> list[str]:
    """ "the second one", "第一个", "it" -> SKUs shown in the previous answer."""
    if not last_skus:
        return []
    picked = sorted({index for word, index in ORDINALS.items() if word in lowered and index < len(last_skus)})
    if picked:
        return [last_skus[i] for i in picked]
    if re.search(r"\b(both|the two|them)\b|两个|这两", lowered) and len(last_skus) >= 2:
        return list(last_skus[:2])
    if re.search(r"\b(it|this one|that one)\b|这款|这个|那款|它", lowered) and len(last_skus) >= 1:
        return [last_skus[0]]
    return []
