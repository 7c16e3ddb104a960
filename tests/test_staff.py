"""Staff tools: marketing copy that only states catalog facts, and review summaries with exact counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.llm.scripted import ScriptedGenerator
from assistant.staff import CopyWriter, ProductNotFound, ReviewSummariser, catalog_template, parse_tone
from bots.cli import app
from knowledge.store import KnowledgeStore

runner = CliRunner()


def test_review_summary_counts_match_the_side_file(demo_store: KnowledgeStore) -> None:
    reviews = demo_store.reviews_for("SG-RUN-0011")
    summary = ReviewSummariser(demo_store).summarise("SG-RUN-0011")
    assert summary.total == len(reviews) == 13
    assert summary.sentiment == {
        "positive": sum(r.rating >= 4 for r in reviews),
        "neutral": sum(r.rating == 3 for r in reviews),
        "negative": sum(r.rating <= 2 for r in reviews),
    }
    assert summary.average_rating == round(sum(r.rating for r in reviews) / len(reviews), 2)
    cons = {c.aspect: c for c in summary.cons}
    assert "durability" in cons and "peeling" in cons["durability"].example
    assert all(1 <= a.count <= summary.total for a in summary.pros + summary.cons)
    text = summary.render()
    assert "13 reviews" in text and "Pros:" in text and "Cons:" in text


def test_review_summary_in_chinese_and_for_a_product_without_reviews(demo_store: KnowledgeStore) -> None:
    zh = ReviewSummariser(demo_store).summarise("SG-JKT-0023", "zh").render()
    assert "条评价" in zh and "优点" in zh and "缺点" in zh
    no_reviews = next(p.sku for p in demo_store.all_products() if not demo_store.reviews_for(p.sku))
    assert "no reviews yet" in ReviewSummariser(demo_store).summarise(no_reviews).render()
    with pytest.raises(ProductNotFound):
        ReviewSummariser(demo_store).summarise("SG-NOPE-0000")


async def test_copy_from_a_grounded_model_is_kept(demo_store: KnowledgeStore) -> None:
    # Without a script the generator answers with the product's fact line: grounded by construction.
    copy = await CopyWriter(demo_store, ScriptedGenerator()).write("SG-RUN-0001", "en", "playful")
    assert {p.source for p in copy.pieces.values()} == {"model"}
    assert "459" in copy.pieces["description"].text


async def test_copy_with_an_invented_price_falls_back_to_catalog_facts(demo_store: KnowledgeStore) -> None:
    liar = ScriptedGenerator("Stridex AeroRun 2, now only ¥99 with free shipping forever!")
    copy = await CopyWriter(demo_store, liar).write("SG-RUN-0001", "en", "friendly")
    for piece in copy.pieces.values():
        assert "¥99" not in piece.text
        # repaired to the catalog price by the fact check, or replaced by the catalog template
        assert "¥459" in piece.text
        assert piece.source == "catalog" or piece.repairs > 0


async def test_copy_without_a_model_or_with_a_failing_one_uses_templates(demo_store: KnowledgeStore) -> None:
    for generator in (None, ScriptedGenerator(fail=True)):
        copy = await CopyWriter(demo_store, generator).write("SG-RUN-0001", "zh", "premium")
        assert copy.pieces["ad_line"].text == catalog_template(
            demo_store.get_products(["SG-RUN-0001"])[0], "ad_line", "zh", "premium"
        )
        assert "Stridex 轻风跑鞋 2代" in copy.render()
    with pytest.raises(ProductNotFound):
        await CopyWriter(demo_store, None).write("SG-NOPE-0000")
    assert parse_tone("Playful") == "playful"


def test_cli_reviews_and_copy(monkeypatch: pytest.MonkeyPatch, session_dir: Path, demo_store: KnowledgeStore) -> None:
    monkeypatch.setenv("SHOPGUIDE_DATA_DIR", str(session_dir / "kb"))
    monkeypatch.setenv("SHOPGUIDE_LLM_BACKEND", "none")
    result = runner.invoke(app, ["reviews", "SG-RUN-0011", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["total"] == 13 and sum(data["sentiment"].values()) == 13

    result = runner.invoke(app, ["copy", "SG-RUN-0001", "--lang", "zh", "--tone", "playful", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(data["pieces"]) == {"description", "ad_line", "social_post"}
    assert "¥459" in data["pieces"]["ad_line"]["text"]

    result = runner.invoke(app, ["reviews", "SG-NOPE-0000"])
    assert result.exit_code == 2 and "product_not_found" in result.output


@pytest.mark.integration
async def test_copy_with_the_shipped_model_states_only_catalog_facts(demo_store: KnowledgeStore, llm: object) -> None:
    from assistant.factcheck import FactChecker

    copy = await CopyWriter(demo_store, llm, timeout_s=120).write("SG-RUN-0001", "en", "friendly")  # type: ignore[arg-type]
    product = demo_store.get_products(["SG-RUN-0001"])[0]
    for piece in copy.pieces.values():
        assert piece.text
        assert not FactChecker().check(piece.text, [product]).needs_fallback
