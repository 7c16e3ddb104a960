"""Trained models stored with a release (the recommender): versioned folders under the release's ``models/``,
named by its manifest, so a rollback serves the release's own model and pruning a release removes its models.

A model is published into the live release without a rebuild (like a live update: the pointer's revision
moves, and every serving process follows it). A newly built release starts with the models of the release
it replaces, so a catalog reload does not drop a trained model.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .durable import private_dir, write_text_atomic
from .registry import STAGING_PREFIX, ReleaseRegistry, new_release_id
from .releases import MANIFEST_FILE, ReleaseManifest

if TYPE_CHECKING:
    from .store import KnowledgeStore

MODELS_DIR = "models"
# Versions of one model kept per release: the served one and the one before it, so a process still
# loading the previous version when a new one is published does not find it gone.
KEEP_MODEL_VERSIONS = 2


def model_dir(registry: ReleaseRegistry, release_id: str, name: str, version: str) -> Path:
    return registry.release_dir(release_id) / MODELS_DIR / name / version


def served_model_dir(registry: ReleaseRegistry, manifest: ReleaseManifest, name: str) -> Path | None:
    """The folder of the ``name`` model ``manifest``'s release serves, or None when it serves none."""
    version = manifest.models.get(name)
    return None if version is None else model_dir(registry, manifest.release_id, name, version)


def live_model_dir(store: KnowledgeStore, name: str) -> Path | None:
    """The folder of the ``name`` model the store's live release serves (None: no live release, or no model)."""
    return served_model_dir(store.registry, store.live.manifest, name) if store.has_live else None


def write_manifest(registry: ReleaseRegistry, manifest: ReleaseManifest) -> None:
    write_text_atomic(registry.release_dir(manifest.release_id) / MANIFEST_FILE, manifest.model_dump_json(indent=2))


def store_model(
    registry: ReleaseRegistry, manifest: ReleaseManifest, name: str, write: Callable[[Path], object]
) -> ReleaseManifest:
    """Write a new version of model ``name`` into the release (staged, then renamed whole) and name it in the
    manifest; returns the new manifest. Call under the build lock."""
    version = new_release_id()
    final = model_dir(registry, manifest.release_id, name, version)
    staging = private_dir(final.parent / f"{STAGING_PREFIX}{version}")
    write(staging)
    staging.rename(final)  # readers see no folder or the whole one
    updated = manifest.model_copy(update={"models": {**manifest.models, name: version}})
    write_manifest(registry, updated)
    _prune_versions(final.parent, keep=version)
    return updated


def carry_models(registry: ReleaseRegistry, previous: ReleaseManifest, target_id: str) -> bool:
    """Give release ``target_id`` the models ``previous`` serves and it has none of (hard links, or copies
    across devices); True when its manifest changed. A model the target has of its own is kept."""
    if not previous.models:
        return False
    target = registry.manifest(target_id)
    missing = {n: v for n, v in previous.models.items() if n not in target.models}
    carried = dict(target.models)
    for name, version in missing.items():
        source = model_dir(registry, previous.release_id, name, version)
        if not source.is_dir():
            continue  # pruned or never written: the target serves no such model
        dest = model_dir(registry, target.release_id, name, version)
        if not dest.exists():
            staging = dest.parent / f"{STAGING_PREFIX}{version}"
            shutil.rmtree(staging, ignore_errors=True)
            private_dir(dest.parent)
            shutil.copytree(source, staging, copy_function=_link_or_copy)
            staging.rename(dest)
        carried[name] = version
    if carried == target.models:
        return False
    write_manifest(registry, target.model_copy(update={"models": carried}))
    return True


def _link_or_copy(source: str, dest: str) -> None:
    try:
        Path(dest).hardlink_to(source)  # model files are never rewritten in place, so sharing them is safe
    except OSError:
        shutil.copy2(source, dest)


def _prune_versions(folder: Path, keep: str) -> None:
    versions = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(STAGING_PREFIX))
    kept = {keep, *versions[-KEEP_MODEL_VERSIONS:]}
    for name in versions:
        if name not in kept:
            shutil.rmtree(folder / name, ignore_errors=True)
