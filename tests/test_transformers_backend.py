"""The transformers backend (CPU torch) on the same shipped GGUF: loads, caches the conversion, streams."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.ports import ChatMessage

pytest.importorskip("torch", reason="the transformers extra is not installed: pip install -e '.[transformers]'")

from assistant.llm.transformers_backend import CONVERTED_DIR_SUFFIX, TransformersGenerator

pytestmark = pytest.mark.integration


async def test_gguf_loads_streams_and_caches_the_conversion(tmp_path: Path, model_path: Path) -> None:
    cache = tmp_path / "cache"
    first = TransformersGenerator(model_path, cache_dir=cache, threads=2)
    converted = cache / (model_path.stem + CONVERTED_DIR_SUFFIX)
    assert (converted / "config.json").is_file()
    assert (converted / "model.safetensors").is_file()
    chunks = [
        c async for c in first.stream([ChatMessage("user", "Reply with one word: hello")], max_tokens=6, temperature=0)
    ]
    assert chunks and "".join(chunks).strip()
    del first

    started = time.perf_counter()
    second = TransformersGenerator(model_path, cache_dir=cache, threads=2)
    reload_s = time.perf_counter() - started
    again = [c async for c in second.stream([ChatMessage("user", "Say hi.")], max_tokens=4, temperature=0)]
    assert "".join(again).strip()
    assert reload_s < 30, f"the cached conversion should load quickly, took {reload_s:.0f} s"
