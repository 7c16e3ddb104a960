"""The root of shopguide's one error hierarchy, and the knowledge-layer errors.

The root lives here, in the lowest layer, so ``knowledge/`` never imports ``assistant/``;
``assistant.errors`` re-exports it and adds the core's errors.
"""

from __future__ import annotations


class ShopguideError(Exception):
    """Root of all shopguide errors. ``code`` is stable across releases; ``hint`` names the fix."""

    code = "shopguide_error"

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class KnowledgeError(ShopguideError):
    code = "knowledge_error"


class CatalogValidationError(KnowledgeError):
    """Invalid input rows; ``problems`` holds one ``file:line: reason`` string per bad row."""

    code = "catalog_invalid"

    def __init__(self, message: str, problems: list[str], *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.problems = problems


class KnowledgeStoreCorrupt(KnowledgeError):
    code = "knowledge_store_corrupt"


class ReleaseNotFound(KnowledgeError):
    code = "release_not_found"


class ReleaseGateRefused(KnowledgeError):
    """The new release answered the reference questions worse than the live one; it was not switched in.

    ``outcome`` carries the gate report and the diff (a ``knowledge.reload.ReloadOutcome``).
    """

    code = "release_gate_refused"

    def __init__(self, message: str, outcome: object) -> None:
        super().__init__(message, hint="inspect the failures, fix the catalog, or pass --force to switch anyway")
        self.outcome = outcome


class JobCancelled(ShopguideError):
    """A long job (import, training, an evaluation) stopped on request before it changed anything."""

    code = "job_cancelled"


class ReloadCancelled(KnowledgeError, JobCancelled):
    """The admin cancelled a reload before its switch: the half-built release is dropped, the live one serves."""

    code = "reload_cancelled"


class ProductNotFound(KnowledgeError):
    code = "product_not_found"


class UndecodableFile(KnowledgeError, ValueError):
    """Neither UTF-8 nor GB18030 decodes the bytes (a ``ValueError`` too, for callers that parse files)."""

    code = "file_undecodable"


class CsvHeaderError(KnowledgeError, ValueError):
    """The header row cannot be mapped to catalog fields (a ``ValueError`` too, like other parse errors)."""

    code = "csv_header_invalid"


class StorageCorrupt(ShopguideError):
    """A file in the data directory (a SQLite store) cannot be read; ``kb doctor --repair`` moves it aside."""

    code = "storage_corrupt"
