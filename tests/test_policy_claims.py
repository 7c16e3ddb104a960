"""A policy answer's numbers come from the section it is about: a shop whose documents state several
periods (returns 30 days, dispatch 14 days, warranty 1 year, price protection 7 days) never shows a wrong
period because another section happens to state it. Real store, real retrieval, a scripted model."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import build_assistant, collect_text, load_knowledge
from assistant.config import Settings
from assistant.factcheck import FactChecker
from assistant.llm.scripted import ScriptedGenerator
from assistant.types import IncomingMessage, Intent
from knowledge.models import KnowledgeDoc
from knowledge.search import PassageHit
from knowledge.store import KnowledgeStore
from tests.conftest import MODEL_CACHE

CATALOG = (
    "Handle,Title,Body (HTML),Vendor,Product Type,Tags,Variant SKU,Variant Price,Variant Inventory Qty\n"
    "dome-2,Ridgeline Dome Tent,<p>A two-person tent.</p>,Ridgeline,Tents,帐篷,TN-001,899,4\n"
    "burner-1,Ridgeline Camp Stove,<p>A gas stove.</p>,Ridgeline,Stoves,炉具,ST-001,259,9\n"
)
POLICIES_EN = """# Store policies

## Returns
- Unused gear can be returned within 30 days of delivery for a full refund.

## Dispatch
- Made-to-order items leave our workshop within 14 days of payment.

## Warranty
- Tents and stoves carry a 1-year warranty against manufacturing defects.

## Price protection
- If the price drops within 7 days of purchase, we refund the difference.
"""
POLICIES_ZH = """# 商店政策

## 退货
- 未使用的商品签收后 30 天内可退货，全额退款。

## 发货
- 定制商品付款后 14 天内从工坊发出。

## 保修
- 帐篷和炉具享受 1 年保修，针对制造缺陷。

## 价格保护
- 购买后 7 天内降价的，我们退还差价。
"""


@pytest.fixture(scope="module")
def policy_store(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeStore:
    root = tmp_path_factory.mktemp("policy-shop")
    catalog = root / "catalog"
    catalog.mkdir()
    (catalog / "products_export.csv").write_text(CATALOG, "utf-8")
    (catalog / "policies.md").write_text(POLICIES_EN, "utf-8")
    (catalog / "policies.zh.md").write_text(POLICIES_ZH, "utf-8")
    return load_knowledge(Settings(data_dir=root / "kb", cache_dir=MODEL_CACHE, catalog_dir=catalog))


async def ask(tmp_path: Path, store: KnowledgeStore, question: str, model_says: str) -> tuple[str, str]:
    settings = Settings(data_dir=tmp_path, cache_dir=MODEL_CACHE)
    assistant = build_assistant(settings, generator=ScriptedGenerator(model_says), knowledge=store)
    try:
        message = IncomingMessage(platform="test", chat_id="u", user_id="u", text=question)
        shown, reply = await collect_text(assistant.respond(message))
    finally:
        assistant.memory.close()
    assert reply.intent is Intent.POLICY
    return shown, reply.text


@pytest.mark.parametrize(
    ("question", "wrong", "numbers"),
    [
        ("What is your return policy?", "You can return unused gear within 14 days of delivery.", ("14", "30")),
        ("How long is the warranty on a tent?", "Tents have a 7-day warranty.", ("7", "1")),
        ("退货政策是什么？", "未使用的商品签收后14天内可以退货。", ("14", "30")),
        ("帐篷保修多久？", "帐篷保修7天。", ("7天", "1 年")),
        # True for another section, but not what was asked: a return period is no answer on the warranty.
        ("How long is the warranty on a tent?", "Unused gear can be returned within 30 days of delivery.", ("30", "1")),
        ("帐篷保修多久？", "未使用的商品签收后30天内可以退货。", ("30天", "1 年")),
    ],
)
async def test_a_period_stated_only_by_another_section_is_never_shown(
    tmp_path: Path, policy_store: KnowledgeStore, question: str, wrong: str, numbers: tuple[str, str]
) -> None:
    wrong_number, right_number = numbers
    shown, final = await ask(tmp_path, policy_store, question, wrong)
    assert wrong not in shown and wrong not in final
    assert f" {wrong_number} " not in f" {final} " and f"{wrong_number}天" not in final.replace(" ", "")
    # The section that answers the question is shown instead, with its own period.
    assert right_number in final


@pytest.mark.parametrize(
    ("question", "right"),
    [
        ("What is your return policy?", "You can return unused gear within 30 days of delivery."),
        ("How long is the warranty on a tent?", "Tents have a 1-year warranty."),
        ("帐篷保修多久？", "帐篷和炉具保修1年。"),
    ],
)
async def test_the_period_of_the_section_asked_about_passes_unchanged(
    tmp_path: Path, policy_store: KnowledgeStore, question: str, right: str
) -> None:
    shown, final = await ask(tmp_path, policy_store, question, right)
    assert right in shown and right in final


def _section(title: str, text: str, score: float) -> PassageHit:
    doc = KnowledgeDoc(doc_id=f"policies.md#{title}", kind="policy", title=title, text=text, language="en")
    return PassageHit(doc=doc, score=score)


def test_each_sentence_is_checked_against_its_own_section() -> None:
    sections = [
        _section("Returns", "Unused gear can be returned within 30 days of delivery.", 0.8),
        _section("Refunds", "Refunds reach your card within 5 business days.", 0.6),
    ]
    answer = "Unused gear can be returned within 30 days. Refunds reach your card within 5 business days."
    assert FactChecker().check(answer, [], sections, question="returns and refunds?").text == answer
    swapped = "Unused gear can be returned within 5 days. Refunds reach your card within 30 business days."
    result = FactChecker().check(swapped, [], sections, question="returns and refunds?")
    assert result.text == "" and result.needs_fallback
