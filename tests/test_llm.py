"""The real LLM path: the shipped model through llama.cpp in-process and through its OpenAI-compatible server."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from assistant.app import Assistant, build_assistant, collect_text
from assistant.config import Settings
from assistant.errors import ModelUnavailable
from assistant.llm.llamacpp import LlamaCppGenerator
from assistant.llm.model_files import MODEL_SHA256, assemble_default_model, assemble_model
from assistant.llm.openai_http import OpenAIGenerator
from assistant.ports import ChatMessage
from assistant.types import IncomingMessage
from knowledge.store import KnowledgeStore

pytestmark = pytest.mark.integration


def msg(text: str, user: str = "u1") -> IncomingMessage:
    return IncomingMessage(platform="test", chat_id="llm", user_id=user, text=text)


async def test_model_streams_tokens(llm: LlamaCppGenerator) -> None:
    chunks = [c async for c in llm.stream([ChatMessage("user", "Say hello.")], max_tokens=12, temperature=0)]
    assert len(chunks) >= 2, "text arrives in several streamed chunks"
    assert "".join(chunks).strip()


async def test_grounded_chinese_price_answer(model_assistant: Assistant) -> None:
    shown, reply = await collect_text(model_assistant.respond(msg("Auralis 静界头戴式降噪耳机 3代多少钱？")))
    assert reply.language == "zh"
    assert re.search(r"[\u4e00-\u9fff]", reply.text)
    assert "899" in reply.text
    prices = {float(p.replace(",", "")) for p in re.findall(r"[¥￥](\d[\d,]*)", reply.text)}
    assert prices <= {899.0}, f"only the catalog price may appear: {reply.text}"
    assert shown == reply.text


async def test_grounded_english_policy_answer(model_assistant: Assistant) -> None:
    reply = await model_assistant.ask(msg("What is the minimum order for free shipping?"))
    assert reply.language == "en"
    assert "99" in reply.text
    assert not re.search(r"[\u4e00-\u9fff]", reply.text)


async def test_openai_backend_against_the_local_server(llm: LlamaCppGenerator) -> None:
    """`shopguide serve llm` exposes llama.cpp's OpenAI-compatible API; the openai backend speaks it."""
    generator = OpenAIGenerator(llm.listening_address + "/v1", "shopguide")
    chunks = [c async for c in generator.stream([ChatMessage("user", "Say hi.")], max_tokens=8, temperature=0)]
    await generator.aclose()
    assert chunks and "".join(chunks).strip()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_unreachable_llm_server_degrades_to_retrieval_answer(
    settings: Settings, demo_store: KnowledgeStore
) -> None:
    down = OpenAIGenerator(f"http://127.0.0.1:{_closed_port()}/v1", "shopguide")
    assistant = build_assistant(settings, generator=down, knowledge=demo_store)
    reply = await assistant.ask(msg("How much is Stridex AeroRun 2?"))
    assert reply.degraded == "llm_unavailable"
    assert "¥459" in reply.text
    assistant.memory.close()


def test_model_is_assembled_once_and_verified(tmp_path: Path, model_path: Path) -> None:
    seen: list[int] = []
    target = assemble_default_model(tmp_path, lambda done, total: seen.append(done))
    assert target.stat().st_size == model_path.stat().st_size
    assert seen and seen[-1] == target.stat().st_size, "progress reaches 100%"
    marker = json.loads(target.with_suffix(".verified.json").read_text())
    assert marker["size"] == target.stat().st_size
    seen.clear()
    assert assemble_default_model(tmp_path, lambda done, total: seen.append(done)) == target
    assert not seen, "a verified model is not assembled again"
    with target.open("r+b") as handle:  # damage it: the stamp no longer matches, so it is rebuilt
        handle.truncate(1024)
    assemble_default_model(tmp_path)
    assert target.stat().st_size == model_path.stat().st_size
    assert len(MODEL_SHA256) == 64


def test_missing_model_file_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable) as caught:
        LlamaCppGenerator(tmp_path / "nope.gguf", threads=1, context=512)
    assert "SHOPGUIDE_MODEL_PATH" in str(caught.value)


async def test_abandoned_generation_stops_the_model(llm: LlamaCppGenerator) -> None:
    """A timed-out or abandoned answer must not keep llama.cpp busy for nobody."""
    import asyncio
    import threading
    from contextlib import aclosing

    stream = llm.stream(
        [ChatMessage("user", "Count from 1 to 500, one number per line.")], max_tokens=400, temperature=0
    )
    async with aclosing(stream):
        async for _chunk in stream:
            break
    for _ in range(100):
        if not any(t.name == "llamacpp-generate" and t.is_alive() for t in threading.enumerate()):
            break
        await asyncio.sleep(0.05)
    assert not any(t.name == "llamacpp-generate" and t.is_alive() for t in threading.enumerate())


def test_serve_llm_exposes_an_openai_compatible_streaming_endpoint(tmp_path: Path, model_path: Path) -> None:
    """`shopguide serve llm` as a real process: health check, then a streamed chat completion."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    port = _closed_port()
    env = {**os.environ, "SHOPGUIDE_DATA_DIR": str(tmp_path), "SHOPGUIDE_MODEL_PATH": str(model_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bots.cli", "serve", "llm", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == httpx.codes.OK:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("serve llm did not become healthy")
        body = {"model": "shopguide", "stream": True, "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]}
        with httpx.stream("POST", base + "/v1/chat/completions", json=body, timeout=60) as response:
            assert response.status_code == httpx.codes.OK
            lines = [line for line in response.iter_lines() if line.startswith("data:")]
        assert len(lines) >= 2 and lines[-1].strip() == "data: [DONE]"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_served_answers_name_the_model_not_its_path(llm: LlamaCppGenerator, model_path: Path) -> None:
    """Clients of `shopguide serve llm` see a model name; the file's location on disk stays private."""
    import httpx

    body = {"model": "shopguide", "max_tokens": 2, "messages": [{"role": "user", "content": "Hi"}]}
    answer = httpx.post(llm.listening_address + "/v1/chat/completions", json=body, timeout=60).json()
    listed = httpx.get(llm.listening_address + "/v1/models", timeout=10).json()
    assert answer["model"] == model_path.stem
    assert [m["id"] for m in listed["data"]] == [model_path.stem]
    assert str(model_path.parent) not in json.dumps(answer) + json.dumps(listed)


def test_unknown_shipped_model_names_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable) as caught:
        assemble_model("qwen-9000b", tmp_path)
    assert "qwen2.5-coder-0.5b" in caught.value.hint and "qwen2.5-coder-1.5b" in caught.value.hint
    assert not list(tmp_path.iterdir()), "nothing is written for a model that does not exist"


def _timings(generator: LlamaCppGenerator, system: str, user: str) -> dict[str, int]:
    request = generator._request(
        [ChatMessage("system", system), ChatMessage("user", user)], max_tokens=1, temperature=0, stream=False
    )
    (answer,) = generator.complete_raw(request)[-1:]
    data = json.loads(answer) if isinstance(answer, str) else answer
    return {"slot": request.get("id_slot", -1), "prompt_n": data["timings"]["prompt_n"]}


async def test_each_system_prompt_keeps_its_own_slot_once_primed(model_path: Path) -> None:
    from assistant.prompt import SYSTEM_PROMPTS

    prompts = list(SYSTEM_PROMPTS.values())
    generator = LlamaCppGenerator(model_path, threads=2, context=1024, parallel=len(prompts), pin_slots=True)
    try:
        generator.prime(prompts, wait=True)
        # Every system prompt is in its slot: a question prefills only its own short part, whatever kind of
        # question came before it (the intents share their opening rules, so unpinned they overwrote each
        # other's slot).
        for system in [*prompts, *reversed(prompts)]:
            timings = _timings(generator, system, "<<<FACTS\n- SG-RUN-0001 ¥459\nFACTS>>>\nQUESTION: price?")
            assert timings["slot"] == prompts.index(system)
            assert timings["prompt_n"] < 40, timings
    finally:
        await generator.aclose()


def test_slots_are_not_pinned_when_generations_run_side_by_side(llm: LlamaCppGenerator) -> None:
    request = llm._request([ChatMessage("system", "rules"), ChatMessage("user", "hi")], max_tokens=1, temperature=0,
                           stream=False)  # fmt: skip
    assert "id_slot" not in request  # two questions of one kind must not wait for one slot
