"""A shop that is not the demo: tents, kettles and yoga mats, with reviews and release dates for the
tents only. Shared by the intent and superlative-claim tests; expected answers come from these rows."""

from __future__ import annotations

from typing import Any

from assistant.app import Assistant
from assistant.types import IncomingMessage, Reply


def _tent(n: int, name: str, name_zh: str, *, price: float, stock: int, released: str | None) -> dict[str, Any]:
    sleeps = int(name[-2]) if name[-1] == "P" else 2
    attributes: dict[str, Any] = {"sleeps": sleeps, "weight_kg": round(1.1 * sleeps + n / 10, 1)}
    uses = ["hiking"] if "Trail" in name or "Hiker" in name else []
    if released:
        attributes["release_date"] = released
    return {
        "sku": f"TN-TNT-{n:03d}",
        "name": name,
        "name_zh": name_zh,
        "category": "tents",
        "brand": name.split(maxsplit=1)[0],
        "price": price,
        "stock": stock,
        "attributes": attributes,
        "uses": uses,
        "description": f"A {name.lower()} for camping.",
    }


def _plain(sku: str, category: str, name: str, name_zh: str, *, price: float, stock: int) -> dict[str, Any]:
    return {
        "sku": sku,
        "name": name,
        "name_zh": name_zh,
        "category": category,
        "brand": name.split(maxsplit=1)[0],
        "price": price,
        "stock": stock,
    }


PRODUCTS: list[dict[str, Any]] = [
    _tent(1, "Ridgeway Trail Tent 2P", "Ridgeway 徒步帐篷 2P", price=899, stock=0, released="2023-04-01"),
    _tent(2, "Ridgeway Dome Tent 3P", "Ridgeway 圆顶帐篷 3P", price=1299, stock=5, released="2024-09-15"),
    _tent(3, "Campo Light Tent 1P", "Campo 轻量帐篷 1P", price=499, stock=0, released="2022"),
    _tent(4, "Campo Family Tent 6P", "Campo 家庭帐篷 6P", price=2599, stock=3, released="2024-02-01"),
    _tent(5, "Campo Beach Tent", "Campo 沙滩帐篷", price=649, stock=12, released="2021-06"),
    _tent(6, "Ridgeway Storm Tent 2P", "Ridgeway 风暴帐篷 2P", price=1599, stock=7, released=None),
    _tent(7, "Campo Hiker Tent 2P", "Campo 徒步者帐篷 2P", price=749, stock=9, released=None),
    _tent(8, "Ridgeway Ultralight Tent 1P", "Ridgeway 超轻帐篷 1P", price=1999, stock=0, released=None),
    _plain("TN-KTL-001", "kettles", "Boilo Mini Kettle", "Boilo 迷你电水壶", price=79, stock=0),
    _plain("TN-KTL-002", "kettles", "Boilo Steel Kettle", "Boilo 不锈钢电水壶", price=99, stock=20),
    _plain("TN-KTL-003", "kettles", "Boilo Glass Kettle", "Boilo 玻璃电水壶", price=159, stock=4),
    _plain("TN-KTL-004", "kettles", "Vaporo Smart Kettle", "Vaporo 智能电水壶", price=349, stock=6),
    _plain("TN-MAT-001", "yoga_mats", "Asana Grip Mat", "Asana 防滑瑜伽垫", price=189, stock=30),
    _plain("TN-MAT-002", "yoga_mats", "Asana Travel Mat", "Asana 旅行瑜伽垫", price=129, stock=0),
    _plain("TN-MAT-003", "yoga_mats", "Lotusa Cork Mat", "Lotusa 软木瑜伽垫", price=299, stock=8),
]
REVIEWS: list[tuple[str, int]] = [
    ("TN-TNT-001", 5),
    ("TN-TNT-001", 5),
    ("TN-TNT-002", 4),
    ("TN-TNT-002", 4),
    ("TN-TNT-002", 5),
    ("TN-TNT-004", 3),
    ("TN-TNT-005", 4),
    ("TN-TNT-005", 5),
]


def rows(category: str | None = None, *, in_stock: bool = False) -> list[dict[str, Any]]:
    return [p for p in PRODUCTS if (category is None or p["category"] == category) and (not in_stock or p["stock"] > 0)]


def mean_stars(sku: str) -> float:
    stars = [r for s, r in REVIEWS if s == sku]
    return sum(stars) / len(stars) if stars else 0.0


async def ask(assistant: Assistant, text: str, user: str = "shopper") -> Reply:
    return await assistant.ask(IncomingMessage(platform="test", chat_id="c1", user_id=user, text=text))


def shown(reply: Reply) -> list[str]:
    return [c.sku for c in reply.cards]


def price_text(price: float) -> str:
    return f"{price:,.0f}"
