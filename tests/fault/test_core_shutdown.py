"""Leaving while the model is still generating (``/quit`` after a timed-out answer, Ctrl-C in ``ask``): the
llama.cpp worker is stopped and joined before the interpreter shuts down, so the process exits cleanly
instead of aborting with "FATAL: exception not rethrown"."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EXIT_TIMEOUT_S = 180  # loading the model takes seconds; a loaded 2-core CI box gets slack


def test_leaving_mid_answer_closes_the_model_and_exits_cleanly(model_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio
        from pathlib import Path
        from assistant.llm.llamacpp import LlamaCppGenerator
        from assistant.ports import ChatMessage

        generator = LlamaCppGenerator(Path({str(model_path)!r}), threads=2, context=2048)

        async def leave_mid_answer() -> None:
            stream = generator.stream([ChatMessage("user", "Tell me a long story.")], max_tokens=400, temperature=0.7)
            async for _chunk in stream:
                break  # the answer is still being generated
            print("generating", generator.running_generations)
            await generator.aclose()  # what chat and ask do on the way out
            print("after close", generator.running_generations)

        asyncio.run(leave_mid_answer())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=EXIT_TIMEOUT_S, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "FATAL" not in done.stderr
    assert done.stdout.split("\n")[:2] == ["generating 1", "after close 0"]
