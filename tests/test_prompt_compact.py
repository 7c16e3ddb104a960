"""What the grounded prompt carries: every fact the answer may use, nothing twice (each token is prefilled before
the first word), and the policy sections closest to the question."""

from __future__ import annotations

from assistant.prompt import build_messages
from assistant.types import Intent
from knowledge.models import KnowledgeDoc, Product
from knowledge.search import PassageHit

SHOE = Product(
    sku="SG-RUN-0001",
    name="Stridex AeroRun 2",
    category="running_shoes",
    brand="Stridex",
    price=459,
    stock=155,
    attributes={"terrain": "road", "drop_mm": 8, "color": "white"},
)


def hit(kind: str, text: str, *, sku: str = SHOE.sku, title: str = "x", score: float = 1.0) -> PassageHit:
    doc = KnowledgeDoc(doc_id=f"{sku}#{kind}.{text}", kind=kind, title=title, text=text, language="en", sku=sku,
                       source=f"{sku}/{kind}" if sku else f"{title}.md")  # fmt: skip
    return PassageHit(doc=doc, score=score)


def user_part(intent: Intent, passages: list[PassageHit], products: tuple[Product, ...] = (SHOE,)) -> str:
    return build_messages(intent, "en", "details?", products=products, passages=passages)[1].content


def test_passages_the_fact_line_already_states_are_left_out() -> None:
    prompt = user_part(
        Intent.PRODUCT_INFO,
        [
            hit("title", "Stridex AeroRun 2 / Stridex 轻风跑鞋 2代"),
            hit("attributes", "terrain: road"),
            hit("attributes", "drop mm: 8"),
            hit("attributes", "color: white"),  # colours are not on the fact line: kept
            hit("description", "A light daily trainer."),
        ],
    )
    assert "terrain=road" in prompt and "terrain: road" not in prompt
    assert "drop mm: 8" not in prompt and "轻风" not in prompt
    assert "color: white" in prompt and "A light daily trainer." in prompt


def test_passages_of_products_not_in_the_prompt_are_kept() -> None:
    prompt = user_part(Intent.PRODUCT_INFO, [hit("attributes", "terrain: trail", sku="SG-RUN-0009")])
    assert "terrain: trail" in prompt


def test_policy_questions_get_every_section_found() -> None:
    # Near-tied scores: the section that answers is sometimes third, so none is left out.
    sections = [hit("policy", f"section {n} text", sku="", title=f"Policy {n}") for n in range(3)]
    prompt = user_part(Intent.POLICY, sections, products=())
    assert all(f"Policy {n}: section {n} text" in prompt for n in range(3))
