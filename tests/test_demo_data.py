"""Sanity checks for the bundled demo catalog in ``knowledge/data/demo``.

Regenerate the data with ``python -m scripts.build_demo``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Literal

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge.models import DocKind, KnowledgeDoc, Product, Review  # noqa: E402

DEMO = ROOT / "knowledge" / "data" / "demo"
CATEGORY_CODES = {
    "running_shoes": "RUN",
    "headphones": "HPH",
    "laptops": "LAP",
    "phones": "PHN",
    "backpacks": "BAG",
    "water_bottles": "BTL",
    "smartwatches": "WCH",
    "jackets": "JKT",
}
USES = {
    "running",
    "hiking",
    "commuting",
    "office",
    "gaming",
    "travel",
    "gym",
    "gift",
    "kids",
    "outdoor",
    "study",
    "photography",
}
# one attribute per category whose value must appear in both descriptions
KEY_SPEC = {
    "running_shoes": "weight_g",
    "headphones": "weight_g",
    "laptops": "ram_gb",
    "phones": "battery_mah",
    "backpacks": "capacity_l",
    "water_bottles": "capacity_ml",
    "smartwatches": "battery_days",
    "jackets": "weight_g",
}
SKU_RE = re.compile(r"^SG-([A-Z]{3})-(\d{4})$")
NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
DOC_PAIRS: tuple[tuple[str, str, DocKind], ...] = (
    ("faq.md", "faq.zh.md", "faq"),
    ("policies.md", "policies.zh.md", "policy"),
)


def _jsonl(name: str) -> list[str]:
    return [line for line in (DEMO / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _sections(filename: str, kind: DocKind) -> list[KnowledgeDoc]:
    """Split a Markdown file on ``## `` headings into validated KnowledgeDoc chunks."""
    language: Literal["zh", "en"] = "zh" if filename.endswith(".zh.md") else "en"
    docs: list[KnowledgeDoc] = []
    title: str | None = None
    body: list[str] = []

    def flush() -> None:
        if title is not None:
            docs.append(
                KnowledgeDoc(
                    doc_id=f"{filename.removesuffix('.md')}-{len(docs) + 1:02d}",
                    kind=kind,
                    title=title,
                    text="\n".join(body).strip(),
                    language=language,
                    source=filename,
                )
            )

    for line in (DEMO / filename).read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            flush()
            title, body = line[3:].strip(), []
        elif title is not None:
            body.append(line)
    flush()
    return docs


@pytest.fixture(scope="module")
def products() -> list[Product]:
    return [Product.model_validate_json(line) for line in _jsonl("products.jsonl")]


@pytest.fixture(scope="module")
def reviews() -> list[Review]:
    return [Review.model_validate_json(line) for line in _jsonl("reviews.jsonl")]


def test_rows_carry_exactly_the_product_fields() -> None:
    fields = set(Product.model_fields)
    for line in _jsonl("products.jsonl"):
        assert set(json.loads(line)) == fields


def test_catalog_size_and_categories(products: list[Product]) -> None:
    assert len(products) >= 240
    per_category = Counter(p.category for p in products)
    assert set(per_category) == set(CATEGORY_CODES)
    assert all(count >= 20 for count in per_category.values()), per_category


def test_skus_unique_and_well_formed(products: list[Product]) -> None:
    skus = [p.sku for p in products]
    assert len(set(skus)) == len(skus)
    for product in products:
        match = SKU_RE.match(product.sku)
        assert match, product.sku
        assert match.group(1) == CATEGORY_CODES[product.category], product.sku


def test_names_unique_and_bilingual(products: list[Product]) -> None:
    names = [p.name for p in products]
    names_zh = [p.name_zh for p in products]
    assert len(set(names)) == len(names)
    assert len(set(names_zh)) == len(names_zh)
    for product in products:
        assert product.name_zh, product.sku
        assert CJK_RE.search(product.name_zh), product.name_zh
        assert product.description and product.description_zh, product.sku
        assert CJK_RE.search(product.description_zh), product.sku
        assert not CJK_RE.search(product.name + product.description), product.sku


def test_out_of_stock_share(products: list[Product]) -> None:
    share = sum(not p.in_stock for p in products) / len(products)
    assert 0.10 <= share <= 0.20, share
    assert all(0 <= p.stock <= 200 for p in products)


def test_prices_currency_and_links(products: list[Product]) -> None:
    assert all(p.currency == "CNY" and p.price > 0 for p in products)
    ending_in_9 = sum(int(p.price) % 10 == 9 for p in products)
    assert ending_in_9 / len(products) >= 0.9
    for product in products:
        slug = product.sku.lower()
        assert product.url == f"https://shop.example.com/p/{slug}"
        assert product.image_url in ("", f"https://shop.example.com/img/{slug}.jpg")
    no_image = sum(not p.image_url for p in products) / len(products)
    assert 0.10 <= no_image <= 0.30, no_image


def test_attribute_keys_and_types_consistent_per_category(products: list[Product]) -> None:
    schemas: dict[str, set[tuple[tuple[str, str], ...]]] = defaultdict(set)
    for product in products:
        assert product.attributes, product.sku
        schemas[product.category].add(
            tuple(sorted((key, type(value).__name__) for key, value in product.attributes.items()))
        )
    for category, variants in schemas.items():
        assert len(variants) == 1, (category, variants)


def test_uses_from_vocabulary(products: list[Product]) -> None:
    for product in products:
        assert product.uses, product.sku
        assert set(product.uses) <= USES, (product.sku, product.uses)
        assert len(set(product.uses)) == len(product.uses), product.sku


def test_brands_span_two_to_four_categories(products: list[Product]) -> None:
    categories: dict[str, set[str]] = defaultdict(set)
    for product in products:
        assert product.brand, product.sku
        assert product.name.startswith(product.brand), product.name
        categories[product.brand].add(product.category)
    assert 6 <= len(categories) <= 8, sorted(categories)
    for brand, cats in categories.items():
        assert 2 <= len(cats) <= 4, (brand, cats)


def test_descriptions_mention_key_spec(products: list[Product]) -> None:
    for product in products:
        value = str(product.attributes[KEY_SPEC[product.category]])
        assert value in product.description, (product.sku, value)
        assert value in product.description_zh, (product.sku, value)


def test_documents_load_as_knowledge_docs() -> None:
    for en_file, zh_file, kind in DOC_PAIRS:
        en_docs, zh_docs = _sections(en_file, kind), _sections(zh_file, kind)
        assert 8 <= len(en_docs) <= 12, en_file
        assert len(zh_docs) == len(en_docs), zh_file
        assert all(doc.text for doc in en_docs + zh_docs)
        assert all(CJK_RE.search(doc.title) for doc in zh_docs)


@pytest.mark.parametrize(("en_file", "zh_file"), [(en, zh) for en, zh, _ in DOC_PAIRS])
def test_zh_and_en_documents_state_the_same_numbers(en_file: str, zh_file: str) -> None:
    en_numbers = set(NUMBER_RE.findall((DEMO / en_file).read_text(encoding="utf-8")))
    zh_numbers = set(NUMBER_RE.findall((DEMO / zh_file).read_text(encoding="utf-8")))
    assert en_numbers == zh_numbers, en_numbers ^ zh_numbers


def test_policies_key_facts() -> None:
    en = (DEMO / "policies.md").read_text(encoding="utf-8")
    zh = (DEMO / "policies.zh.md").read_text(encoding="utf-8")
    for text in (en, zh):
        assert "¥99" in text
        assert "¥15" in text
        assert "¥1000" in text
        assert "9:00–21:00" in text
        assert "Nordpeak" in text
    assert "7-day no-reason returns" in en
    assert "1-year warranty" in en
    assert "2-year warranty" in en
    assert "90 days" in en
    assert "within 7 days of payment" in en
    assert "7天无理由退货" in zh
    assert "1 年保修" in zh
    assert "2 年" in zh
    assert "90 天" in zh
    assert "付款后 7 天内" in zh


def test_reviews_reference_existing_products(products: list[Product], reviews: list[Review]) -> None:
    by_sku = {p.sku: p for p in products}
    assert all(review.sku in by_sku for review in reviews)
    per_product = Counter(review.sku for review in reviews)
    assert 30 <= len(per_product) <= 50
    assert all(5 <= count <= 15 for count in per_product.values()), per_product
    assert {by_sku[sku].category for sku in per_product} == set(CATEGORY_CODES)


def test_reviews_mixed_language_and_ratings(reviews: list[Review]) -> None:
    languages = Counter(review.language for review in reviews)
    assert languages["zh"] >= len(reviews) * 0.3
    assert languages["en"] >= len(reviews) * 0.3
    ratings = Counter(review.rating for review in reviews)
    assert set(ratings) == {1, 2, 3, 4, 5}
    assert ratings[1] + ratings[2] >= len(reviews) * 0.1
    for review in reviews:
        assert bool(CJK_RE.search(review.text)) == (review.language == "zh"), review


def test_files_match_the_generator(products: list[Product], reviews: list[Review]) -> None:
    from scripts import build_demo

    rng = random.Random(build_demo.SEED)
    assert build_demo.build_products(rng) == products
    assert build_demo.build_reviews(products, rng) == reviews
    for filename, text in build_demo.DOCUMENTS.items():
        assert (DEMO / filename).read_text(encoding="utf-8") == text, filename
