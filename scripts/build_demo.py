"""Generate the bundled bilingual demo catalog under ``knowledge/data/demo``.

A build tool, not part of the installed packages. Run from the repository root::

    python -m scripts.build_demo [--out DIR]

The output is fully deterministic: the only randomness is ``random.Random(42)``, consumed in a fixed
order. Files written: ``products.jsonl``, ``reviews.jsonl``, ``faq.md``, ``faq.zh.md``,
``policies.md`` and ``policies.zh.md``. Every product and review row is validated through the
pydantic models in :mod:`knowledge.models` before it is written. The per-category builders and
their tables live in :mod:`scripts.demo_catalog` and ``scripts/demo_tables/``.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

from knowledge.models import Product, Review
from scripts.demo_catalog.documents import DOCUMENTS
from scripts.demo_catalog.gear import headphones, laptops, phones, running_shoes
from scripts.demo_catalog.outdoor import backpacks, jackets, smartwatches, water_bottles
from scripts.demo_catalog.reviews import build_reviews
from scripts.demo_catalog.tables import CATEGORY_CODES, Draft

__all__ = ["DOCUMENTS", "SEED", "build_products", "build_reviews", "main"]

SEED = 42
OUT_DIR = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "demo"
BASE_URL = "https://shop.example.com"

OUT_OF_STOCK_SHARE = 0.15
NO_IMAGE_SHARE = 0.20


BUILDERS = (
    ("running_shoes", running_shoes),
    ("headphones", headphones),
    ("laptops", laptops),
    ("phones", phones),
    ("backpacks", backpacks),
    ("water_bottles", water_bottles),
    ("smartwatches", smartwatches),
    ("jackets", jackets),
)


def build_products(rng: random.Random) -> list[Product]:
    drafts: list[Draft] = []
    for category, builder in BUILDERS:
        built = builder(rng)
        if any(d.category != category for d in built):
            raise ValueError(f"builder for {category} produced a foreign category")
        drafts.extend(built)

    total = len(drafts)
    out_of_stock = set(rng.sample(range(total), round(total * OUT_OF_STOCK_SHARE)))
    no_image = set(rng.sample(range(total), round(total * NO_IMAGE_SHARE)))
    counters: dict[str, int] = defaultdict(int)
    products: list[Product] = []
    for index, draft in enumerate(drafts):
        counters[draft.category] += 1
        sku = f"SG-{CATEGORY_CODES[draft.category]}-{counters[draft.category]:04d}"
        if index in out_of_stock:
            stock = 0
        elif rng.random() < 0.2:
            stock = rng.randint(1, 9)
        else:
            stock = rng.randint(10, 200)
        slug = sku.lower()
        products.append(
            Product(
                sku=sku,
                name=draft.name,
                name_zh=draft.name_zh,
                category=draft.category,
                brand=draft.brand,
                price=float(draft.price),
                currency="CNY",
                stock=stock,
                attributes=draft.attributes,
                uses=list(draft.uses),
                description=draft.description,
                description_zh=draft.description_zh,
                url=f"{BASE_URL}/p/{slug}",
                image_url="" if index in no_image else f"{BASE_URL}/img/{slug}.jpg",
            )
        )
    return products


# --------------------------------------------------------------------------- output


def write_jsonl(path: Path, rows: list[Product] | list[Review]) -> None:
    lines = [json.dumps(row.model_dump(mode="json"), ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where to write the files")
    out_dir: Path = parser.parse_args(argv).out
    rng = random.Random(SEED)
    products = build_products(rng)
    reviews = build_reviews(products, rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_jsonl(out_dir / "products.jsonl", products)
    write_jsonl(out_dir / "reviews.jsonl", reviews)
    for filename, text in DOCUMENTS.items():
        (out_dir / filename).write_text(text, encoding="utf-8")
    print(f"wrote {len(products)} products, {len(reviews)} reviews, {len(DOCUMENTS)} documents to {out_dir}")


if __name__ == "__main__":
    main()
