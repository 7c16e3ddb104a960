"""Read catalog rows and knowledge documents from files, reporting every bad row with file and line.

Products come from CSV (shopguide columns, Shopify or WooCommerce exports, or mapped columns), JSON
and JSON lines; FAQ, policies and guides from Markdown or plain text. Nothing here touches the store:
the result is validated data plus a list of problems (bad rows) and notices (things normalised).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter
from pydantic import ValidationError

from .catalog_csv import read_catalog_csv
from .csv_columns import describe_columns
from .described_specs import lift_described_measures
from .errors import CatalogValidationError, CsvHeaderError, UndecodableFile
from .firewall import REMOVED_MARKER, neutralise
from .models import DocKind, KnowledgeDoc, Product, Review
from .pii import PiiRedactor
from .sanitize import decode_bytes, has_html, parse_price, strip_html

# Chunks stay small so a retrieved passage fits the model's short grounded prompt.
DOC_CHUNK_CHARS = 600
DOC_CHUNK_OVERLAP = 60
PRODUCT_FILE_NAMES = ("products.jsonl", "products.json")
REVIEW_FILE_NAMES = ("reviews.jsonl",)
REFERENCE_QUESTIONS_FILE = "reference_questions.jsonl"
CATALOG_SUFFIXES = (".csv", ".json", ".jsonl")
DOC_SUFFIXES = (".md", ".markdown", ".txt")
# A catalog file is streamed row by row, so it may be large (a 100k-variant Shopify export is ~50 MB);
# a document is chunked in memory and a huge one is almost always a mistake (a dump, a log).
DEFAULT_MAX_CATALOG_MB = 128.0
DEFAULT_MAX_DOC_MB = 5.0
TEXT_FIELDS = ("name", "name_zh", "description", "description_zh")
MB = 1024 * 1024
REVIEW_REDACTOR = PiiRedactor()  # keeps no kind in clear
LIFTED_EXAMPLES = 3  # source lines quoted in the load report for the attributes lifted from descriptions


@dataclass
class LoadedKnowledge:
    products: list[Product] = field(default_factory=list)
    docs: list[KnowledgeDoc] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # path -> sha256
    problems: list[str] = field(default_factory=list)  # ``file:line: reason``; any of them blocks a release
    notices: list[str] = field(default_factory=list)  # normalisations and flags, reported but not blocking
    flagged: list[str] = field(default_factory=list)  # instruction-like text neutralised, ``file:line: phrase``
    origins: dict[str, str] = field(default_factory=dict)  # sku -> ``file:line`` of the row that defined it


@dataclass(frozen=True)
class LoadOptions:
    column_map: Mapping[str, str] = field(default_factory=dict)
    default_currency: str = "CNY"
    max_catalog_mb: float = DEFAULT_MAX_CATALOG_MB
    max_doc_mb: float = DEFAULT_MAX_DOC_MB


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
        got = item.get("input")
        shown = "" if isinstance(got, dict) or got is None else f" (got {str(got)[:40]!r})"
        parts.append(f"{where}: {item['msg']}{shown}")
    return "; ".join(parts)


class _RowError(ValueError):
    pass


def _normalise_row(values: dict[str, Any], default_currency: str) -> tuple[dict[str, Any], list[str], list[str]]:
    """Coerce one raw row towards ``Product``: prices, stock, language, HTML, instruction-like text."""
    row = dict(values)
    notes: list[str] = []
    flags: list[str] = []
    language = str(row.pop("language", "") or "").strip().lower()
    if language == "zh":
        if not row.get("name_zh") and row.get("name"):
            row["name_zh"] = row["name"]
        if not row.get("description_zh") and row.get("description"):
            row["description_zh"] = row["description"]
    elif language not in ("", "en"):
        raise _RowError(f"language: must be zh or en (got {language!r})")
    if "price" in row and row["price"] is not None:
        try:
            parsed = parse_price(row["price"])
        except ValueError as exc:
            raise _RowError(f"price: {exc}") from None
        row["price"] = parsed.amount
        if parsed.currency and not row.get("currency"):
            row["currency"] = parsed.currency
    if not row.get("currency"):
        row["currency"] = default_currency
    stock = row.get("stock")
    if isinstance(stock, str):
        text = stock.strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise _RowError(f"stock: not a whole number (got {stock!r})") from None
        if not number.is_integer():
            raise _RowError(f"stock: not a whole number (got {stock!r})")
        row["stock"] = int(number)
    for key in TEXT_FIELDS:
        value = row.get(key)
        if not isinstance(value, str):
            continue
        text = value
        if key.startswith("description") and has_html(text):
            text = strip_html(text)
            notes.append(f"HTML removed from {key}")
        result = neutralise(text, key)
        if result.changed:
            flags.append(f"instruction-like text removed from {key}: {result.findings[0].excerpt[:60]!r}")
            # A required field must stay non-empty to validate; the marker shows where text went.
            text = result.text or REMOVED_MARKER
        row[key] = text
    return row, notes, flags


def _validate_rows(
    path: Path, rows: Iterable[tuple[int | str, dict[str, Any], list[str]]], loaded: LoadedKnowledge, opts: LoadOptions
) -> None:
    html_rows = 0
    lifted: dict[str, str] = {}  # attribute key -> an example line it was lifted from
    lifted_rows = 0
    for where, values, pre_notes in rows:
        try:
            row, notes, flags = _normalise_row(values, opts.default_currency)
            product = Product.model_validate(row)
        except _RowError as exc:
            loaded.problems.append(f"{path}:{where}: {exc}")
            continue
        except ValidationError as exc:
            loaded.problems.append(f"{path}:{where}: {_describe(exc)}")
            continue
        first = loaded.origins.get(product.sku)
        if first is not None:
            # Keeping either row would silently drop the other: both lines are named.
            loaded.problems.append(f"{path}:{where}: duplicate SKU {product.sku} (first defined at {first})")
            continue
        loaded.origins[product.sku] = f"{path}:{where}"
        product, measures = lift_described_measures(product)
        lifted_rows += bool(measures)
        for measure in measures:
            lifted.setdefault(measure.key, measure.line)
        html_rows += any(n.startswith("HTML") for n in notes)
        loaded.notices.extend(f"{path}:{where}: {n}" for n in pre_notes)
        loaded.flagged.extend(f"{path}:{where}: {f}" for f in flags)
        loaded.products.append(product)
    if html_rows:
        loaded.notices.append(f"{path}: HTML removed from {html_rows} descriptions")
    if lifted:
        examples = "; ".join(f"{key} from '{line}'" for key, line in list(lifted.items())[:LIFTED_EXAMPLES])
        loaded.notices.append(
            f"{path}: measures lifted from description bullets into attributes in {lifted_rows} products: "
            f"{', '.join(lifted)} (e.g. {examples})"
        )


def _read_text(path: Path, limit_mb: float, loaded: LoadedKnowledge) -> str | None:
    size = path.stat().st_size
    if size > limit_mb * MB:
        loaded.problems.append(
            f"{path}: file is {size / MB:.1f} MB, over the {limit_mb:g} MB limit for this kind of file "
            "(split it, or raise SHOPGUIDE_KB_MAX_CATALOG_MB / SHOPGUIDE_KB_MAX_DOC_MB)"
        )
        return None
    try:
        text, encoding = decode_bytes(path.read_bytes())
    except UndecodableFile as exc:
        loaded.problems.append(f"{path}: {exc}")
        return None
    if encoding not in ("utf-8", "utf-8-sig"):
        loaded.notices.append(f"{path}: decoded as {encoding.upper()} (GBK family); saving as UTF-8 is safer")
    return text


def read_products_file(path: Path, loaded: LoadedKnowledge, opts: LoadOptions) -> None:
    text = _read_text(path, opts.max_catalog_mb, loaded)
    if text is None:
        return
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            result = read_catalog_csv(text, opts.column_map or None)
        except CsvHeaderError as exc:
            loaded.problems.append(f"{path}:1: {exc}")
            return
        loaded.notices.append(f"{path}: read as {result.format} CSV")
        loaded.notices.extend(f"{path}: warning: {w}" for w in result.warnings)
        if result.unknown_columns:
            loaded.notices.append(
                f"{path}: warning: unknown columns, not imported: {describe_columns(result.unknown_columns)} "
                "(keep one as an attribute with --map attr.NAME=Header)"
            )
        if result.unused_columns:
            loaded.notices.append(
                f"{path}: {result.format} columns not used: {describe_columns(result.unused_columns)}"
            )
        loaded.problems.extend(f"{path}:{line}: {reason}" for line, reason in result.problems)
        _validate_rows(path, ((r.line, r.values, r.notes) for r in result.rows), loaded, opts)
    elif suffix == ".jsonl":
        _validate_rows(path, _jsonl_rows(path, text, loaded), loaded, opts)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            loaded.problems.append(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})")
            return
        items = data.get("products") if isinstance(data, dict) else data
        if not isinstance(items, list):
            loaded.problems.append(f'{path}:1: expected a list of products or {{"products": [...]}}')
            return
        rows: list[tuple[int | str, dict[str, Any], list[str]]] = []
        for index, item in enumerate(items, start=1):
            if isinstance(item, dict):
                rows.append((f"item {index}", item, []))
            else:
                loaded.problems.append(f"{path}:item {index}: not an object")
        _validate_rows(path, rows, loaded, opts)


def _jsonl_rows(
    path: Path, text: str, loaded: LoadedKnowledge
) -> Iterable[tuple[int | str, dict[str, Any], list[str]]]:
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            loaded.problems.append(f"{path}:{line_no}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(value, dict):
            loaded.problems.append(f"{path}:{line_no}: not a JSON object")
            continue
        yield line_no, value, []


def read_products_jsonl(path: Path) -> tuple[list[Product], list[str]]:
    """Parse a JSON-lines product file; returns the valid products and ``file:line: reason`` problems."""
    loaded = LoadedKnowledge()
    read_products_file(path, loaded, LoadOptions())
    return loaded.products, loaded.problems


def read_reviews_jsonl(
    path: Path, flags: list[str] | None = None, loaded: LoadedKnowledge | None = None
) -> tuple[list[Review], list[str]]:
    """Reviews, one JSON object a line; decoded like the catalog (UTF-8, else GBK family, reported)."""
    reviews: list[Review] = []
    flags = [] if flags is None else flags
    sink = loaded if loaded is not None else LoadedKnowledge()
    before = len(sink.problems)
    text = _read_text(path, DEFAULT_MAX_CATALOG_MB, sink)
    problems = sink.problems[before:]
    del sink.problems[before:]
    if text is None:
        return reviews, problems
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if isinstance(raw, dict) and isinstance(raw.get("text"), str):
                result = neutralise(raw["text"], f"{path}:{line_no}")
                if result.changed:
                    flags.append(f"{path}:{line_no}: instruction-like text removed from review")
                    raw["text"] = result.text or REMOVED_MARKER
                # A stranger's phone number or e-mail in a review is never quoted to other shoppers (or read by
                # the model): every kind is masked, whatever the shop keeps in clear for its own handoffs.
                raw["text"] = REVIEW_REDACTOR.redact(raw["text"])
            reviews.append(Review.model_validate(raw))
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


def split_document(path: Path, text: str) -> tuple[list[KnowledgeDoc], list[str]]:
    """Split Markdown (or plain text) by headings, then by size; returns chunks and neutralised phrases."""
    language = _doc_language(path, text)
    kind = _doc_kind(path)
    header_splitter = MarkdownHeaderTextSplitter(
        headers_to_split_on=[("#", "h1"), ("##", "h2"), ("###", "h3")], strip_headers=True
    )
    size_splitter = RecursiveCharacterTextSplitter(chunk_size=DOC_CHUNK_CHARS, chunk_overlap=DOC_CHUNK_OVERLAP)
    docs: list[KnowledgeDoc] = []
    flags: list[str] = []
    for section_no, section in enumerate(header_splitter.split_text(text)):
        title = section.metadata.get("h3") or section.metadata.get("h2") or section.metadata.get("h1") or path.stem
        for part_no, chunk in enumerate(size_splitter.split_text(section.page_content)):
            result = neutralise(chunk.strip(), str(title))
            body = result.text
            if result.changed:
                flags.append(f"section {title!r}: instruction-like text removed: {result.findings[0].excerpt[:60]!r}")
            if not body or body == REMOVED_MARKER:
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
    return docs, flags


def read_markdown_docs(path: Path) -> list[KnowledgeDoc]:
    """Split a Markdown (or plain text) file by headings, then by size."""
    docs, _ = split_document(path, decode_bytes(path.read_bytes())[0])
    return docs


def _read_doc_file(path: Path, loaded: LoadedKnowledge, opts: LoadOptions) -> None:
    text = _read_text(path, opts.max_doc_mb, loaded)
    if text is None:
        return
    docs, flags = split_document(path, text)
    loaded.docs.extend(docs)
    loaded.flagged.extend(f"{path}: {f}" for f in flags)


def classify(path: Path) -> Literal["products", "reviews", "docs", "questions", "other"]:
    name = path.name.lower()
    if name == REFERENCE_QUESTIONS_FILE:
        return "questions"
    if name.startswith("review") and path.suffix.lower() == ".jsonl":
        return "reviews"
    if path.suffix.lower() in CATALOG_SUFFIXES:
        return "products"
    if path.suffix.lower() in DOC_SUFFIXES:
        return "docs"
    return "other"


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files named directly, plus the catalog, review and document files of named directories."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and classify(p) != "other"))
        elif path.is_file():
            files.append(path)
        else:
            raise CatalogValidationError(
                f"not found: {path}", [f"{path}: no such file or directory"], hint="check the path"
            )
    return files


def load_paths(paths: Sequence[Path], options: LoadOptions | None = None) -> LoadedKnowledge:
    """Load every file under ``paths``. Problems are collected, never raised, so all are reported at once."""
    opts = options or LoadOptions()
    loaded = LoadedKnowledge()
    for path in expand_paths(paths):
        kind = classify(path)
        if kind == "other":
            loaded.notices.append(f"{path}: skipped (not .csv, .json, .jsonl, .md or .txt)")
            continue
        loaded.sources[str(path)] = file_sha256(path)
        if kind == "products":
            read_products_file(path, loaded, opts)  # duplicate SKUs, within or across files, become problems
        elif kind == "reviews":
            reviews, problems = read_reviews_jsonl(path, loaded.flagged, loaded)
            loaded.reviews.extend(reviews)
            loaded.problems.extend(problems)
        elif kind == "docs":
            _read_doc_file(path, loaded, opts)
    return loaded


def load_directory(directory: Path, options: LoadOptions | None = None) -> LoadedKnowledge:
    """Load a catalog directory: product files, reviews and every Markdown/text document."""
    if not directory.is_dir():
        raise CatalogValidationError(f"catalog directory not found: {directory}", [], hint="check the path")
    return load_paths([directory], options)
