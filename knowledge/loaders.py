"""Read catalog rows and knowledge documents from files, reporting every bad row with file and line."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter
from pydantic import ValidationError

from .errors import CatalogValidationError
from .models import DocKind, KnowledgeDoc, Product, Review

# Chunks stay small so a retrieved passage fits the model's short grounded prompt.
DOC_CHUNK_CHARS = 600
DOC_CHUNK_OVERLAP = 60
PRODUCT_FILE_NAMES = ("products.jsonl", "products.json")
REVIEW_FILE_NAMES = ("reviews.jsonl",)


@dataclass
class LoadedKnowledge:
    products: list[Product] = field(default_factory=list)
    docs: list[KnowledgeDoc] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # path -> sha256
    problems: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "row"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def read_products_jsonl(path: Path) -> tuple[list[Product], list[str]]:
    """Parse a JSON-lines product file; returns the valid products and ``file:line: reason`` problems."""
    products: list[Product] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                product = Product.model_validate(json.loads(line))
            except json.JSONDecodeError as exc:
                problems.append(f"{path}:{line_no}: not valid JSON ({exc.msg})")
                continue
            except ValidationError as exc:
                problems.append(f"{path}:{line_no}: {_describe(exc)}")
                continue
            if product.sku in seen:
                problems.append(f"{path}:{line_no}: duplicate SKU {product.sku} (first on line {seen[product.sku]})")
                continue
            seen[product.sku] = line_no
            products.append(product)
    return products, problems


def read_reviews_jsonl(path: Path) -> tuple[list[Review], list[str]]:
    reviews: list[Review] = []
    problems: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                reviews.append(Review.model_validate(json.loads(line)))
            except (json.JSONDecodeError, ValidationError) as exc:
                reason = _describe(exc) if isinstance(exc, ValidationError) else "not valid JSON"
                problems.append(f"{path}:{line_no}: {reason}")
    return reviews, problems


def _doc_kind(path: Path) -> DocKind:
    stem = path.name.lower()
    if "polic" in stem:
        return "policy"
    if "faq" in stem:
        return "faq"
    return "guide"


def _doc_language(path: Path, text: str) -> Literal["zh", "en"]:
    if ".zh." in path.name or path.stem.endswith("_zh"):
        return "zh"
    cjk = sum(1 for ch in text[:2000] if "\u4e00" <= ch <= "\u9fff")
    return "zh" if cjk > len(text[:2000]) * 0.1 else "en"


def read_markdown_docs(path: Path) -> list[KnowledgeDoc]:
    """Split a Markdown (or plain text) file by headings, then by size."""
    text = path.read_text(encoding="utf-8")
    language = _doc_language(path, text)
    kind = _doc_kind(path)
    header_splitter = MarkdownHeaderTextSplitter(
        headers_to_split_on=[("#", "h1"), ("##", "h2"), ("###", "h3")], strip_headers=True
    )
    size_splitter = RecursiveCharacterTextSplitter(chunk_size=DOC_CHUNK_CHARS, chunk_overlap=DOC_CHUNK_OVERLAP)
    docs: list[KnowledgeDoc] = []
    for section_no, section in enumerate(header_splitter.split_text(text)):
        title = section.metadata.get("h3") or section.metadata.get("h2") or section.metadata.get("h1") or path.stem
        for part_no, chunk in enumerate(size_splitter.split_text(section.page_content)):
            body = chunk.strip()
            if not body:
                continue
            docs.append(
                KnowledgeDoc(
                    doc_id=f"{path.name}#{section_no}.{part_no}",
                    kind=kind,
                    title=str(title),
                    text=body,
                    language=language,
                    source=path.name,
                )
            )
    return docs


def load_directory(directory: Path) -> LoadedKnowledge:
    """Load a catalog directory: products.jsonl, reviews.jsonl and every .md/.txt document."""
    loaded = LoadedKnowledge()
    if not directory.is_dir():
        raise CatalogValidationError(f"catalog directory not found: {directory}", [], hint="check the path")
    for path in sorted(_files(directory)):
        loaded.sources[str(path)] = file_sha256(path)
        if path.name in PRODUCT_FILE_NAMES:
            products, problems = read_products_jsonl(path)
            loaded.products.extend(products)
            loaded.problems.extend(problems)
        elif path.name in REVIEW_FILE_NAMES:
            reviews, problems = read_reviews_jsonl(path)
            loaded.reviews.extend(reviews)
            loaded.problems.extend(problems)
        elif path.suffix in (".md", ".txt"):
            loaded.docs.extend(read_markdown_docs(path))
    return loaded


def _files(directory: Path) -> Iterable[Path]:
    for path in directory.iterdir():
        if path.is_file() and (path.name in PRODUCT_FILE_NAMES + REVIEW_FILE_NAMES or path.suffix in (".md", ".txt")):
            yield path
