"""What the store indexes for a product: the BM25 document, the shorter text the encoder embeds, and
the model codes a shopper may type to mean exactly one product.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from .models import Product

# Description lead embedded per language; Chinese carries about three times the meaning per character.
EMBED_DESCRIPTION_CHARS = 120
EMBED_DESCRIPTION_ZH_CHARS = 40
MODEL_CODE_ATTRIBUTES = ("model", "model_number", "mpn", "sku_alias")
CODE_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-_./][A-Za-z0-9]+)+|[A-Za-z0-9]*(?:[A-Za-z][0-9]|[0-9][A-Za-z])[A-Za-z0-9]*")
# Quantities with a unit ("512GB", "20L", "5000mAh") are specs many products share, never model numbers.
_MEASURE = re.compile(r"^\d+(?:\.\d+)?(?:gb|tb|mb|ml|l|mm|cm|m|kg|g|w|mah|mp|hz|k|atm|inch|in|h)$", re.IGNORECASE)
# A model number names one product or a few variants of it (sizes, colours); more is a family name.
MAX_PRODUCTS_PER_CODE = 3


def product_document(product: Product) -> str:
    """Text embedded and indexed for a product: both languages, so zh and en queries match."""
    attrs = " ".join(f"{k.replace('_', ' ')} {v}" for k, v in product.attributes.items() if not isinstance(v, bool))
    flags = " ".join(k.replace("_", " ") for k, v in product.attributes.items() if v is True)
    return " | ".join(
        part
        for part in (
            product.name,
            product.name_zh,
            product.brand,
            product.category.replace("_", " "),
            " ".join(product.uses),
            flags,
            attrs,
            product.description,
            product.description_zh,
        )
        if part
    )


def _lead(text: str, limit: int) -> str:
    """The first sentence of a description, cut at ``limit`` characters."""
    first = re.split(r"(?<=[.!?。！？；;])", text.strip(), maxsplit=1)[0]
    return first[:limit]


def product_embedding_text(product: Product) -> str:
    """The shorter text the dense encoder sees: names, kind, uses and the lead of each description.

    The encoder's cost grows with text length (the full document embeds ~3x slower), and the details
    it would add (numbers, materials) are what BM25 over the full document matches better anyway.
    """
    flags = " ".join(k.replace("_", " ") for k, v in product.attributes.items() if v is True)
    return " | ".join(
        part
        for part in (
            product.name,
            product.name_zh,
            product.category.replace("_", " "),
            " ".join(product.uses),
            flags,
            _lead(product.description, EMBED_DESCRIPTION_CHARS),
            _lead(product.description_zh, EMBED_DESCRIPTION_ZH_CHARS),
        )
        if part
    )


def model_codes(product: Product) -> set[str]:
    """Codes a shopper may type to mean exactly this product: the SKU and model numbers in its name."""
    codes = {product.sku.lower()}
    texts = [product.name, *(str(product.attributes.get(a, "")) for a in MODEL_CODE_ATTRIBUTES)]
    for text in texts:
        codes.update(m.lower() for m in CODE_TOKEN.findall(text) if len(m) >= 4 and not _MEASURE.match(m))
    return codes


def skus_lower(skus: Sequence[str]) -> set[str]:
    return {s.lower() for s in skus}


def code_index(products: Sequence[Product]) -> dict[str, list[str]]:
    """Model code -> the SKUs it names."""
    codes: dict[str, list[str]] = {}
    for product in products:
        for code in model_codes(product):
            codes.setdefault(code, []).append(product.sku)
    # A "code" shared by many products is a spec ("16GB"), not a model number: it must not win.
    return {c: skus for c, skus in codes.items() if len(skus) <= MAX_PRODUCTS_PER_CODE or c in skus_lower(skus)}


def text_changed(old: Product, new: Product) -> bool:
    return product_document(old) != product_document(new)


def catalog_fingerprint(products: Sequence[Product]) -> str:
    digest = hashlib.sha256()
    for product in sorted(products, key=lambda p: p.sku):
        digest.update(product.model_dump_json().encode())
    return digest.hexdigest()
