"""Open the knowledge store for serving, building the first release from a catalog directory if empty."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from .embedding import MultilingualUSE
from .loaders import LoadOptions
from .pointer import PointerStore
from .reload import reload_catalog
from .store import DEFAULT_KEEP_RELEASES, KnowledgeStore, make_client


def open_store(
    *,
    mode: Literal["embedded", "server"],
    data_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    embed_threads: int = 1,
    keep_releases: int = DEFAULT_KEEP_RELEASES,
    pointer: PointerStore | None = None,
) -> KnowledgeStore:
    """The store attached to its live release if there is one (``has_live`` says), building nothing.
    ``pointer``: where the live-release pointer is kept (default: the file in ``data_dir``)."""
    client = make_client(mode, data_dir / "chroma", host, port)
    store = KnowledgeStore(
        client, MultilingualUSE(threads=embed_threads), data_dir, keep_releases=keep_releases, pointer=pointer
    )
    store.open_live()
    return store


def open_knowledge(
    *,
    mode: Literal["embedded", "server"],
    data_dir: Path,
    catalog_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    embed_threads: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
    keep_releases: int = DEFAULT_KEEP_RELEASES,
    load_options: LoadOptions | None = None,
    pointer: PointerStore | None = None,
) -> KnowledgeStore:
    """The live store; on first start the catalog directory becomes release one."""
    store = open_store(
        mode=mode,
        data_dir=data_dir,
        host=host,
        port=port,
        embed_threads=embed_threads,
        keep_releases=keep_releases,
        pointer=pointer,
    )
    if store.has_live:
        return store
    if store.damage is not None:
        # Never paper over a damaged release with a fresh build from the catalog folder: that would
        # silently drop the live updates and the release an admin chose. Say how to repair instead.
        raise store.damage
    reload_catalog(store, [catalog_dir], options=load_options, created_by="system:first-start", progress=progress)
    return store
