"""The release registry on disk: the live-release pointer, the release folders and their manifests, the
cross-process build lock, and removing a release's storage (folder and Chroma collections).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import chromadb
from chromadb.api import ClientAPI

from .durable import PRIVATE_FILE_MODE, private_dir, write_text_atomic
from .errors import KnowledgeError, KnowledgeStoreCorrupt, ReleaseNotFound
from .layout import passages_collection, release_of
from .pointer import FilePointerStore, PointerStore
from .release_files import read_manifest
from .releases import MANIFEST_FILE, ReleaseManifest

POINTER_FILE = "live_release.json"
RELEASES_DIR = "releases"
BUILD_LOCK_FILE = ".build.lock"
DEFAULT_KEEP_RELEASES = 3
STAGING_PREFIX = ".building-"  # a release folder being written: never listed, removed by garbage collection


def make_client(
    mode: Literal["embedded", "server"], path: Path, host: str = "127.0.0.1", port: int = 8000
) -> ClientAPI:
    try:
        if mode == "server":
            return chromadb.HttpClient(host=host, port=port)
        private_dir(path)
        return chromadb.PersistentClient(path=str(path))
    except Exception as exc:  # chromadb raises a variety of errors for a damaged directory
        forget_embedded_client(path)
        if mode == "server":
            raise KnowledgeStoreCorrupt(
                f"cannot reach the Chroma server at {host}:{port}: {exc}", hint="start it, or check host and port"
            ) from exc
        raise KnowledgeStoreCorrupt(
            f"cannot open the Chroma store at {path}: {exc}",
            hint="run `shopguide kb doctor --repair`: it moves the damaged index aside and rebuilds the live "
            "release from its saved snapshot (after it, `shopguide kb reload` works again)",
        ) from exc


def new_release_id() -> str:
    """Sortable by time, to the microsecond, and unique across processes building at the same moment.

    Pruning and the newer-candidate rule compare ids as strings, so the suffix must keep creation order
    within one second too: five hex digits of microseconds, then one random digit (the format, and so the
    collection names parsed by ``layout.release_of``, stay as they were).
    """
    now = datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{now.microsecond:05x}{uuid.uuid4().hex[0]}"


def forget_embedded_client(path: Path) -> None:
    """Drop chromadb's per-process cache entry for ``path``.

    chromadb keeps one system per persist directory per process, and keeps it even when starting it
    failed; without this, every later open of the same path in this process (the repair right after
    the failed open) gets the broken system back.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)


class ReleaseRegistry:
    """Where releases live on disk and which one the pointer names; shared by every process on the folder."""

    def __init__(self, client: ClientAPI, pointer_dir: Path, pointer: PointerStore | None = None) -> None:
        self.client = client
        self.dir = pointer_dir
        self.pointer_path = pointer_dir / POINTER_FILE
        # The live-release pointer: the file beside the releases, or a shared store (Postgres) for replicas.
        self.pointer: PointerStore = pointer or FilePointerStore(self.pointer_path)
        self.releases_dir = pointer_dir / RELEASES_DIR

    def has_pointer(self) -> bool:
        return self.pointer.exists()

    def read_pointer(self) -> dict[str, Any]:
        return self.pointer.read()

    def pointer_release_id(self) -> str | None:
        """The release the persisted pointer names, readable or not (None: no pointer, or it is damaged)."""
        if not self.pointer.exists():
            return None
        try:
            return str(self.read_pointer()["release_id"])
        except KnowledgeStoreCorrupt:
            return None

    def write_pointer(self, release_id: str, history: list[str], revision: int) -> int:
        """Persist the pointer; returns its new stamp."""
        return self.pointer.write(release_id, history, revision)

    def pointer_stamp(self) -> int | None:
        """The pointer's stamp, changed by every write of any process (None: no pointer yet)."""
        return self.pointer.stamp()

    def history(self) -> list[str]:
        """Previously live releases, most recent first (rollback targets)."""
        if not self.pointer.exists():
            return []
        try:
            kept = set(self.release_ids())  # a target whose folder was removed cannot be rolled back to
            return [str(r) for r in self.read_pointer().get("history", []) if str(r) in kept]
        except KnowledgeStoreCorrupt:
            return []  # reported by ``open_live``; the next switch writes a fresh pointer

    def release_dir(self, release_id: str) -> Path:
        return self.releases_dir / release_id

    def manifest(self, release_id: str) -> ReleaseManifest:
        path = self.release_dir(release_id) / MANIFEST_FILE
        if not path.exists():
            raise ReleaseNotFound(f"no release {release_id}", hint="`shopguide kb status` lists the releases")
        return read_manifest(path)

    def release_ids(self) -> list[str]:
        """Finished releases (those with a manifest), oldest first."""
        if not self.releases_dir.is_dir():
            return []
        return sorted(p.name for p in self.releases_dir.iterdir() if (p / MANIFEST_FILE).exists())

    @contextlib.contextmanager
    def build_lock(self) -> Iterator[None]:
        """One builder at a time across processes (a CLI reload while the bot reloads from chat)."""
        private_dir(self.releases_dir)
        fd = os.open(self.releases_dir / BUILD_LOCK_FILE, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        try:
            os.fchmod(fd, PRIVATE_FILE_MODE)
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def collect_garbage(self) -> list[str]:
        """Remove what a crashed build left behind: staging folders and collections without a manifest."""
        removed: list[str] = []
        with self.build_lock():
            finished = set(self.release_ids())
            if self.releases_dir.is_dir():
                for path in self.releases_dir.iterdir():
                    if path.name.startswith(STAGING_PREFIX):
                        shutil.rmtree(path, ignore_errors=True)
                        removed.append(path.name)
            for name in self.collection_names():
                release_id = release_of(name)
                if release_id is not None and release_id not in finished:
                    self.delete_collection(name)
                    removed.append(name)
        return removed

    def collection_names(self) -> list[str]:
        return [c.name if hasattr(c, "name") else str(c) for c in self.client.list_collections()]

    def delete_collection(self, name: str) -> None:
        with contextlib.suppress(Exception):  # already gone is fine
            self.client.delete_collection(name)

    def record_gate(self, release_id: str, accuracy: float) -> None:
        manifest = self.manifest(release_id).model_copy(update={"gate_accuracy": accuracy})
        write_text_atomic(self.release_dir(release_id) / MANIFEST_FILE, manifest.model_dump_json(indent=2))

    def delete_storage(self, release_id: str) -> None:
        """Remove a release's folder and collections (the manifest first: it is unlisted at once)."""
        folder = self.release_dir(release_id)
        manifest_path = folder / MANIFEST_FILE
        names: list[str] = []
        if manifest_path.exists():
            with contextlib.suppress(KnowledgeError):  # a damaged manifest: fall back to the name scan
                names = read_manifest(manifest_path).collections
            manifest_path.unlink()  # first: from here on the release is not listed, whatever else fails
        for name in names or [n for n in self.collection_names() if release_of(n) == release_id]:
            self.delete_collection(name)
        # Filled on demand while the release served, so its manifest does not list it.
        self.delete_collection(passages_collection(release_id))
        shutil.rmtree(folder, ignore_errors=True)
