"""The files of one release folder, read back strictly: every damaged line is named with file:line.

A release folder holds its manifest, the product, passage and review snapshot it was built from, its
BM25 index and the log of live updates (``kb upsert``, ``kb set-stock``) applied since. Reading them
never raises anything but a ``KnowledgeStoreCorrupt`` whose hint names the repair; a torn last line of
the updates log (a crash mid-append) is not damage: that update was never acknowledged, so it is left out.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from .durable import read_log
from .errors import KnowledgeStoreCorrupt
from .lexical import BM25Index
from .models import KnowledgeDoc, Product, Review
from .releases import ReleaseManifest

UPDATES_FILE = "updates.jsonl"
PRODUCTS_FILE = "products.jsonl"
DOCS_FILE = "docs.jsonl"
REVIEWS_FILE = "reviews.jsonl"
LEXICAL_FILE = "products.bm25.npz"
SNAPSHOT_FILES = (PRODUCTS_FILE, DOCS_FILE, REVIEWS_FILE, LEXICAL_FILE)
REPAIR_HINT = "run `shopguide kb doctor --repair`: it says what is damaged and rebuilds what it can"
HASH_BLOCK = 1 << 20
# Characters of a damaged line quoted in an error: enough to recognise it, never a whole record.
QUOTE_CHARS = 60
STORED_OPTIONAL_FIELDS = ("price", "stock")

log = logging.getLogger(__name__)
Model = TypeVar("Model", bound=BaseModel)


@dataclass
class ReleaseSnapshot:
    """What a release serves besides its Chroma collections."""

    products: list[Product]
    docs: list[KnowledgeDoc]
    reviews: list[Review]
    lexical: BM25Index
    updates: list[Product] = field(default_factory=list)
    torn_update: str = ""  # the unacknowledged last record of the updates log, if a crash left one


def read_manifest(path: Path) -> ReleaseManifest:
    try:
        return ReleaseManifest.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError) as exc:
        raise KnowledgeStoreCorrupt(f"{path}: manifest unreadable ({_reason(exc)})", hint=REPAIR_HINT) from exc


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc']) or 'row'}: {first['msg']}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class _StoredNull(ValueError):
    """A stored product record with an explicit null where the store leaves an unlisted field out."""


def _stored_nulls(line: str) -> None:
    # The store writes a price or stock the catalog does not list by leaving the key out; an explicit null
    # is what older versions wrote for a non-finite number, so it is damage, not "not listed".
    raw = json.loads(line)
    for key in STORED_OPTIONAL_FIELDS:
        if isinstance(raw, dict) and key in raw and raw[key] is None:
            raise _StoredNull(f"{key}: null is not a stored value (an older version's non-finite number)")


def parse_lines(path: Path, lines: list[str], model: type[Model]) -> list[Model]:
    """Each line as ``model``; bytes that are not UTF-8 fail the strict encode (see ``read_log``)."""
    out: list[Model] = []
    for number, line in enumerate(lines, start=1):
        try:
            if model is Product:
                _stored_nulls(line)
            out.append(model.model_validate_json(line.encode("utf-8")))
        except (ValidationError, ValueError) as exc:
            raise KnowledgeStoreCorrupt(
                f"{path}:{number}: damaged record ({_reason(exc)}): {line[:QUOTE_CHARS]!r}", hint=REPAIR_HINT
            ) from exc
    return out


def read_jsonl(path: Path, model: type[Model], *, required: bool = True) -> list[Model]:
    """Every line of a snapshot file as ``model``; a missing required file is damage too."""
    if not path.exists():
        if required:
            raise KnowledgeStoreCorrupt(f"{path}: missing", hint=REPAIR_HINT)
        return []
    contents = read_log(path)
    if contents.torn_tail:
        # Snapshot files are written whole before the release is listed: a torn line here is damage.
        raise KnowledgeStoreCorrupt(f"{path}: last line is cut off", hint=REPAIR_HINT)
    return parse_lines(path, contents.lines, model)


def read_updates(folder: Path) -> tuple[list[Product], str]:
    """The live updates of a release and the torn last record a crash mid-append may have left."""
    path = folder / UPDATES_FILE
    contents = read_log(path)
    if contents.torn_tail:
        log.warning(
            "event=kb_torn_update file=%s bytes=%d note=interrupted write left out",
            path,
            len(contents.torn_tail.encode("utf-8", "surrogateescape")),
        )
    return parse_lines(path, contents.lines, Product), contents.torn_tail


def read_lexical(path: Path) -> BM25Index:
    try:
        return BM25Index.load(path)
    except Exception as exc:  # numpy/zipfile raise many kinds for a damaged archive
        raise KnowledgeStoreCorrupt(f"{path}: BM25 index unreadable ({_reason(exc)})", hint=REPAIR_HINT) from exc


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(HASH_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def snapshot_digests(folder: Path) -> dict[str, str]:
    """What the manifest records, so a flipped byte that still parses is caught too."""
    return {name: file_digest(folder / name) for name in SNAPSHOT_FILES if (folder / name).exists()}


def verify_digests(folder: Path, expected: dict[str, str]) -> None:
    for name, digest in expected.items():
        path = folder / name
        if not path.exists():
            raise KnowledgeStoreCorrupt(f"{path}: missing", hint=REPAIR_HINT)
        if file_digest(path) != digest:
            raise KnowledgeStoreCorrupt(f"{path}: content changed since the release was built", hint=REPAIR_HINT)


def read_snapshot(folder: Path, digests: dict[str, str] | None = None) -> ReleaseSnapshot:
    """The whole snapshot of a release folder, or ``KnowledgeStoreCorrupt`` naming the damaged file.

    ``digests`` (from the manifest; releases built before it was recorded have none) are checked too.
    """
    updates, torn = read_updates(folder)
    snapshot = ReleaseSnapshot(
        products=read_jsonl(folder / PRODUCTS_FILE, Product),
        docs=read_jsonl(folder / DOCS_FILE, KnowledgeDoc),
        reviews=read_jsonl(folder / REVIEWS_FILE, Review, required=False),
        lexical=read_lexical(folder / LEXICAL_FILE),
        updates=updates,
        torn_update=torn,
    )
    # After parsing, so damage that breaks a record is named by file:line; this catches what still parses.
    if digests:
        verify_digests(folder, digests)
    return snapshot
