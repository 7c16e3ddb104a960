"""Open the knowledge store for serving, building the first release from a catalog directory if empty."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from .embedding import MultilingualUSE
from .errors import CatalogValidationError
from .loaders import load_directory
from .store import KnowledgeStore, make_client


def open_knowledge(
    *,
    mode: Literal["embedded", "server"],
    data_dir: Path,
    catalog_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    embed_threads: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> KnowledgeStore:
    """The live store; on first start the catalog directory becomes release one."""
    client = make_client(mode, data_dir / "chroma", host, port)
    store = KnowledgeStore(client, MultilingualUSE(threads=embed_threads), data_dir)
    if store.open_live():
        return store
    loaded = load_directory(catalog_dir)
    if loaded.problems:
        raise CatalogValidationError(
            f"{len(loaded.problems)} invalid rows in {catalog_dir}", loaded.problems, hint="fix the rows listed"
        )
    release_id = store.build_release(loaded, progress=progress)
    store.activate(release_id)
    return store
