"""Deterministic, language-aware text for products: reason lines, fact lines and retrieval-only answers."""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.described_specs import described_labels_zh
from knowledge.models import AttributeValue, Product

from .attribute_labels import attribute_label, attribute_phrase, plain_value, value_text
from .types import Language
from .understanding import USE_LABELS

# Attribute display labels: (English format, Chinese format); {v} is the value.
ATTRIBUTE_LABELS: dict[str, tuple[str, str]] = {
    "waterproof": ("waterproof", "防水"),
    "wireless": ("wireless", "无线"),
    "noise_cancelling": ("noise cancelling", "主动降噪"),
    "gps": ("GPS", "GPS定位"),
    "insulated": ("insulated", "保温"),
    "battery_hours": ("{v} h battery", "续航{v}小时"),
    "battery_days": ("{v}-day battery", "续航{v}天"),
    "battery_mah": ("{v} mAh battery", "电池{v}mAh"),
    "weight_g": ("{v} g", "{v}克"),
    "weight_kg": ("{v} kg", "{v}千克"),
    "capacity_l": ("{v} L", "{v}升"),
    "capacity_ml": ("{v} ml", "{v}毫升"),
    "ram_gb": ("{v} GB RAM", "内存{v}GB"),
    "storage_gb": ("{v} GB storage", "存储{v}GB"),
    "screen_inch": ('{v}" screen', "{v}英寸屏"),
    "camera_mp": ("{v} MP camera", "{v}MP摄像头"),
    "laptop_sleeve_inch": ('fits {v}" laptop', "可放{v}英寸电脑"),
    "terrain": ("{v}", "{v}"),
    "cushioning": ("{v} cushioning", "{v}缓震"),
    "type": ("{v}", "{v}"),
    "material": ("{v}", "{v}"),
    "waterproof_rating": ("{v} water resistance", "{v}防水"),
    "cpu": ("{v}", "{v}"),
    "color": ("{v}", "{v}"),
    "fit": ("{v} fit", "{v}版型"),
}
ENUM_ZH: dict[str, str] = {
    "road": "公路",
    "trail": "越野",
    "low": "低",
    "medium": "中等",
    "high": "高",
    "over-ear": "头戴式",
    "in-ear": "入耳式",
}
MAX_REASON_PARTS = 3
PROMPT_SKIPPED_ATTRIBUTES = frozenset({"color"})


def money(value: float, currency: str = "CNY") -> str:
    symbol = "¥" if currency.upper() in ("CNY", "RMB") else currency.upper() + " "
    return f"{symbol}{value:,.0f}" if value == int(value) else f"{symbol}{value:,.2f}"


def attribute_text(key: str, value: AttributeValue, language: Language, label_zh: str = "") -> str | None:
    """Human label for one attribute; False booleans say nothing (absence is not a selling point).

    ``label_zh``: the shop's own Chinese name for a catalog key (``shop_labels_zh``), if it has one.
    """
    if isinstance(value, bool) and not value:
        return None
    if key not in ATTRIBUTE_LABELS:  # a catalog's own key: its words and unit, in the reply language
        return attribute_phrase(key, value, language, label_zh)
    en, zh = ATTRIBUTE_LABELS[key]
    if isinstance(value, bool):
        return (zh if language == "zh" else en).replace("{v}", "").strip()
    shown = (ENUM_ZH.get(str(value)) or plain_value(value, language)) if language == "zh" else str(value)
    return (zh if language == "zh" else en).replace("{v}", shown)


def price_text(price: float | None, currency: str, language: Language) -> str:
    """The price, or that the catalog lists none: a product without a price is never quoted one."""
    if price is None:
        return "价格未标注" if language == "zh" else "price not listed"
    return money(price, currency)


def stock_text(product: Product, language: Language) -> str:
    """In or out of stock; empty when the catalog does not track this product's stock (never guessed)."""
    if product.stock is None:
        return ""
    if product.stock <= 0:
        return "缺货" if language == "zh" else "out of stock"
    return f"有货({product.stock}件)" if language == "zh" else f"in stock ({product.stock})"


def _price_and_stock(product: Product, language: Language) -> str:
    parts = [price_text(product.price, product.currency, language), stock_text(product, language)]
    return ", ".join(p for p in parts if p)


def shop_labels_zh(product: Product, language: Language) -> dict[str, str]:
    """Chinese names the shop's own bullets give the product's lifted attributes (zh replies only)."""
    return described_labels_zh(product) if language == "zh" else {}


def reason_line(product: Product, language: Language, wanted: dict[str, AttributeValue], use: str | None) -> str:
    """One line on why this item fits: the must-haves it meets first, then its strongest specs."""
    parts: list[str] = []
    names = shop_labels_zh(product, language)
    for key, value in wanted.items():
        if product.attributes.get(key) == value:
            label = attribute_text(key, value, language, names.get(key, ""))
            if label:
                parts.append(label)
    if use and use in product.uses:
        parts.append(use_text(use, language))
    for key, value in product.attributes.items():
        if len(parts) >= MAX_REASON_PARTS:
            break
        if key in wanted:
            continue
        label = attribute_text(key, value, language, names.get(key, ""))
        if label and label not in parts:
            parts.append(label)
    return " · ".join(parts[:MAX_REASON_PARTS])


def use_text(use: str, language: Language) -> str:
    en, zh = USE_LABELS.get(use, (use, use))
    return "适合" + zh if language == "zh" else "good for " + en.lower()


def fact_line(product: Product, language: Language, *, max_specs: int | None = None) -> str:
    """Compact fact line for the prompt: short prompts keep time-to-first-token low.

    False booleans and colours are left out (they are rarely asked and cost tokens); ``max_specs``
    trims further for multi-product prompts.
    """
    specs = [
        f"{k}={_plain(v)}"
        for k, v in product.attributes.items()
        if v is not False and k not in PROMPT_SKIPPED_ATTRIBUTES
    ]
    if max_specs is not None:
        specs = specs[:max_specs]
    if product.stock is None:
        stock = "stock not listed"
    else:
        stock = f"stock {product.stock}" if product.stock > 0 else "out of stock"
    price = "price not listed" if product.price is None else money(product.price, product.currency)
    return f"- {product.sku} {product.display_name(language)} {price} {stock}; " + ", ".join(specs)


def _plain(value: AttributeValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def list_answer(products: Sequence[Product], reasons: dict[str, str], language: Language, intro: str) -> str:
    lines = [intro]
    for index, product in enumerate(products, start=1):
        reason = reasons.get(product.sku, "")
        tail = f" — {reason}" if reason else ""
        lines.append(
            f"{index}. {product.display_name(language)} ({product.sku}) — {_price_and_stock(product, language)}{tail}"
        )
    return "\n".join(lines)


def spec_answer(product: Product, language: Language) -> str:
    names = shop_labels_zh(product, language)
    specs = [t for k, v in product.attributes.items() if (t := attribute_text(k, v, language, names.get(k, "")))]
    head = f"{product.display_name(language)} ({product.sku}): {_price_and_stock(product, language)}."
    if not specs:
        return head
    joiner = "；" if language == "zh" else "; "
    label = "参数：" if language == "zh" else "Specs: "
    return f"{head}\n{label}{joiner.join(specs)}"


def compare_answer(first: Product, second: Product, language: Language) -> str:
    rows = [
        f"{first.display_name(language)} vs {second.display_name(language)}",
        f"{'价格' if language == 'zh' else 'Price'}: {price_text(first.price, first.currency, language)} vs "
        f"{price_text(second.price, second.currency, language)}",
    ]
    if first.stock is not None or second.stock is not None:
        rows.append(
            f"{'库存' if language == 'zh' else 'Stock'}: {stock_text(first, language) or '-'} vs "
            f"{stock_text(second, language) or '-'}"
        )
    names = shop_labels_zh(second, language) | shop_labels_zh(first, language)
    for key in dict.fromkeys([*first.attributes, *second.attributes]):
        a, b = first.attributes.get(key), second.attributes.get(key)
        if a == b:
            continue
        # The key's words name the row and each value keeps its unit: "Weight: 254 g vs 244 g" / "重量: 254克 vs 244克".
        label = attribute_label(key, language, names.get(key, ""))
        rows.append(f"{label}: {_compared(key, a, language)} vs {_compared(key, b, language)}")
    return "\n".join(rows)


def _compared(key: str, value: AttributeValue | None, language: Language) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return ("是" if value else "否") if language == "zh" else _plain(value)
    if key not in ATTRIBUTE_LABELS:  # a catalog's own attribute: its name is the row's, the value keeps its unit
        return (ENUM_ZH.get(str(value)) if language == "zh" else None) or value_text(key, value, language)
    return attribute_text(key, value, language) or _plain(value)
