"""Quoted reviews never show a stranger's phone number or e-mail, and honest shopping answers are not refused as
harmful compliance. A small shop written here, real Chroma, the real pipeline; the scripted generator stands in for
the model where one answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.app import build_assistant, load_knowledge
from assistant.config import Settings
from assistant.llm.scripted import ScriptedGenerator
from assistant.safety.replies import refusal_text
from assistant.types import IncomingMessage, Language, Reply
from knowledge.store import KnowledgeStore

KETTLE, LAMP, PURIFIER = "HM-KTL-0001", "OD-LMP-0002", "HM-PUR-0003"
PRODUCTS = [
    {
        "sku": KETTLE,
        "name": "Brewmate Glass Kettle 1.7L",
        "name_zh": "Brewmate 玻璃电热水壶 1.7升",
        "category": "kettles",
        "brand": "Brewmate",
        "price": 259,
        "stock": 4,
        "attributes": {"capacity_l": 1.7},
        "description": "Borosilicate glass kettle with automatic shut-off.",
        "description_zh": "高硼硅玻璃电热水壶，自动断电。",
    },
    {
        "sku": LAMP,
        "name": "Glowmoth 400 Lumen Headlamp",
        "name_zh": "Glowmoth 萤光 400流明头灯",
        "category": "headlamps",
        "brand": "Glowmoth",
        "price": 129,
        "stock": 9,
        "attributes": {"lumens": 400},
        "description": "Headlamp with a red night mode.\nUSB charging: yes",
        "description_zh": "带红光夜间模式的头灯。\nUSB充电：是",
    },
    {
        "sku": PURIFIER,
        "name": "Oxbow Purifier",
        "category": "purifiers",
        "brand": "Oxbow",
        "price": 1299,
        "stock": 2,
        "attributes": {"room_m2": 40},
        "description": "HEPA air purifier for rooms up to 40 square metres.",
    },
]
PHONE_EN, EMAIL_EN = "+1 415 555 0142", "jane.doe@example.com"
PHONE_ZH, EMAIL_ZH = "13812345678", "wanghong@example.cn"
REVIEWS = [
    {
        "sku": KETTLE,
        "rating": 5,
        "text": f"Boils fast and looks great, call me at {PHONE_EN} or mail {EMAIL_EN} if you want mine.",
        "language": "en",
    },
    {
        "sku": KETTLE,
        "rating": 5,
        "text": f"烧水很快，外观漂亮，想要二手的请打{PHONE_ZH}或发邮件到{EMAIL_ZH}。",
        "language": "zh",
    },
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, KnowledgeStore]:
    root = tmp_path_factory.mktemp("review-shop")
    catalog = root / "catalog"
    catalog.mkdir()
    (catalog / "products.jsonl").write_text("".join(json.dumps(p) + "\n" for p in PRODUCTS), encoding="utf-8")
    (catalog / "reviews.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in REVIEWS), encoding="utf-8"
    )
    settings = Settings(data_dir=root / "data", catalog_dir=catalog)
    return settings, load_knowledge(settings)


@pytest.fixture
def ask(shop: tuple[Settings, KnowledgeStore], tmp_path: Path) -> Iterator[object]:
    settings, store = shop
    closers = []

    async def run(question: str, lang: Language, script: str | None = None) -> Reply:
        local = settings.model_copy(update={"data_dir": tmp_path / f"chat{len(closers)}"})
        assistant = build_assistant(local, generator=ScriptedGenerator(script), knowledge=store)
        closers.append(assistant.memory.close)
        message = IncomingMessage(
            platform="test", chat_id=f"c{len(closers)}", user_id="u", text=question, language_hint=lang
        )
        return await assistant.ask(message)

    yield run
    for close in closers:
        close()


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("What do other customers say about the Brewmate Glass Kettle 1.7L?", "en"),
        ("其他顾客怎么评价 Brewmate 玻璃电热水壶 1.7升？", "zh"),
    ],
)
async def test_a_quoted_review_never_shows_a_strangers_phone_or_email(ask, question: str, lang: Language) -> None:  # type: ignore[no-untyped-def]
    reply = await ask(question, lang)
    assert reply.text != refusal_text("harmful", lang)
    assert "[phone]" in reply.text or "[email]" in reply.text, reply.text  # a review was quoted
    for secret in (PHONE_EN, EMAIL_EN, PHONE_ZH, EMAIL_ZH, "555 0142", "12345678", "@example"):
        assert secret not in reply.text


def test_review_text_is_redacted_in_the_store(shop: tuple[Settings, KnowledgeStore]) -> None:
    _, store = shop
    texts = [r.text for r in store.reviews_for(KETTLE)]
    assert len(texts) == 2
    assert all("[phone]" in t and "[email]" in t for t in texts)
    assert not any(s in t for t in texts for s in (PHONE_EN, EMAIL_EN, PHONE_ZH, EMAIL_ZH))
    hits = store.search_product_passages(KETTLE, "what do customers say", "en", k=8)
    assert not any(s in h.doc.text for h in hits for s in (PHONE_EN, EMAIL_EN, PHONE_ZH, EMAIL_ZH))


async def test_an_honest_no_reviews_answer_is_not_refused(ask) -> None:  # type: ignore[no-untyped-def]
    reply = await ask("What do other customers say about the Oxbow Purifier?", "en")
    assert reply.text != refusal_text("harmful", "en")
    assert reply.degraded != "safety_out:harmful_compliance"
    assert "Oxbow Purifier" in reply.text


@pytest.mark.parametrize(
    ("question", "answer", "lang"),
    [
        (
            "Can the Glowmoth 400 Lumen Headlamp charge over USB?",
            "Yes, the Glowmoth 400 Lumen Headlamp charges over USB.",
            "en",
        ),
        ("Glowmoth 萤光 400流明头灯可以USB充电吗？", "可以，Glowmoth 萤光 400流明头灯支持USB充电。", "zh"),
        ("Glowmoth 萤光 400流明头灯多少克？", None, "zh"),
    ],
)
async def test_grounded_product_answers_are_not_refused(ask, question: str, answer: str | None, lang: Language) -> None:  # type: ignore[no-untyped-def]
    reply = await ask(question, lang, answer)
    assert reply.text != refusal_text("harmful", lang)
    assert reply.degraded != "safety_out:harmful_compliance"
    assert "Glowmoth" in reply.text
