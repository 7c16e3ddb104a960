"""transformers backend (CPU torch): the same GGUF or any HuggingFace checkpoint a shop fine-tunes.

Loading a GGUF de-quantises it (~60 s on 2 cores), so the converted weights are saved once under the
cache directory and later loads read those.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import AsyncGenerator, Sequence
from pathlib import Path
from typing import Any

from ..errors import GenerationFailed, ModelUnavailable
from ..ports import ChatMessage

CONVERTED_DIR_SUFFIX = ".hf"


class TransformersGenerator:
    name = "transformers"

    def __init__(self, model_path: Path, *, cache_dir: Path, threads: int) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise ModelUnavailable(
                "the transformers backend is not installed", hint="pip install -e '.[transformers]'"
            ) from exc
        torch.set_num_threads(threads)
        self._lock = threading.Lock()  # one generate() at a time: torch already uses every core
        kwargs: dict[str, str] = {}
        converted = cache_dir / (model_path.stem + CONVERTED_DIR_SUFFIX)
        if model_path.is_dir():
            source = str(model_path)
        elif (converted / "config.json").is_file():
            source = str(converted)
        else:
            source, kwargs = str(model_path.parent), {"gguf_file": model_path.name}
        # Held as Any: torch's and transformers' own annotations are partial and differ between releases.
        tokenizer: Any = AutoTokenizer
        model: Any = AutoModelForCausalLM
        try:
            self._tokenizer: Any = tokenizer.from_pretrained(source, **kwargs)
            self._model: Any = model.from_pretrained(source, dtype=torch.float32, **kwargs)
        except Exception as exc:
            raise ModelUnavailable(f"transformers could not load {model_path}: {exc}") from exc
        if kwargs:
            self._save_converted(converted)
        self._model.train(False)  # inference mode: no dropout

    def _save_converted(self, target: Path) -> None:
        """Keep the de-quantised fp32 weights, so the next load skips the ~60 s conversion.

        ``save_pretrained`` refuses GGUF-loaded models, so write plain safetensors (``save_model``
        handles the tied embedding/lm_head tensors) and a config without the quantisation entry.
        """
        from safetensors.torch import save_model

        tmp = target.with_suffix(".partial")
        tmp.mkdir(parents=True, exist_ok=True)
        save_model(self._model, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        config = self._model.config
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        config.save_pretrained(tmp)
        self._model.generation_config.save_pretrained(tmp)
        self._tokenizer.save_pretrained(tmp)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float
    ) -> AsyncGenerator[str, None]:
        from transformers import TextIteratorStreamer

        chat = [{"role": m.role, "content": m.content} for m in messages]
        inputs = self._tokenizer.apply_chat_template(
            chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        streamer_class: Any = TextIteratorStreamer
        streamer = streamer_class(self._tokenizer, skip_prompt=True, skip_special_tokens=True)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                with self._lock:
                    self._model.generate(
                        **inputs,
                        max_new_tokens=max_tokens,
                        do_sample=temperature > 0,
                        temperature=temperature if temperature > 0 else None,
                        top_p=None,
                        top_k=None,
                        streamer=streamer,
                    )
            except BaseException as exc:  # reported to the awaiting coroutine
                errors.append(exc)
                streamer.end()

        threading.Thread(target=run, name="transformers-generate", daemon=True).start()
        iterator = iter(streamer)
        sentinel = object()
        while True:
            piece = await asyncio.to_thread(next, iterator, sentinel)
            if piece is sentinel:
                break
            if piece:
                yield str(piece)
        if errors:
            raise GenerationFailed(f"transformers generation failed: {errors[0]}") from errors[0]

    async def aclose(self) -> None:
        return None
