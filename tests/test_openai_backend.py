"""The openai backend through the official client against a loopback OpenAI-compatible server: streamed
text, retries of a refused request, typed errors for refusals and outages, and the shopper-visible answer."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from assistant.app import build_assistant
from assistant.config import REMOTE_LLM_CONCURRENCY, Settings
from assistant.errors import GenerationFailed, ModelUnavailable
from assistant.llm.openai_http import OpenAIGenerator
from assistant.ports import ChatMessage
from assistant.types import IncomingMessage
from knowledge.store import KnowledgeStore
from shopguide_testkit.fake_openai_api import FakeOpenAIApi

PROMPT = [ChatMessage("user", "Facts:\n- Returns are free within 30 days.\nQuestion: can I return it?")]


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAIApi]:
    fake = FakeOpenAIApi()
    await fake.start()
    yield fake
    await fake.stop()


async def _text(generator: OpenAIGenerator) -> tuple[str, int]:
    chunks = [c async for c in generator.stream(PROMPT, max_tokens=64, temperature=0)]
    await generator.aclose()
    return "".join(chunks), len(chunks)


async def test_streams_the_servers_text_in_chunks(server: FakeOpenAIApi) -> None:
    text, chunks = await _text(OpenAIGenerator(server.base_url, "shopguide"))
    assert text == "Returns are free within 30 days."
    assert chunks > 1


async def test_a_refused_request_is_retried_before_anything_streams(server: FakeOpenAIApi) -> None:
    server.refuse_next(503, "loading model", times=2)
    text, _ = await _text(OpenAIGenerator(server.base_url, "shopguide", max_retries=2))
    assert text == "Returns are free within 30 days." and server.requests == 3


async def test_refusals_and_outages_are_typed(server: FakeOpenAIApi) -> None:
    server.refuse_next(401, "invalid api key")
    with pytest.raises(GenerationFailed, match="401"):
        await _text(OpenAIGenerator(server.base_url, "shopguide"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    with pytest.raises(ModelUnavailable):
        await _text(OpenAIGenerator(f"http://127.0.0.1:{closed}/v1", "shopguide", max_retries=0))


async def test_the_shopper_gets_the_streamed_answer(
    server: FakeOpenAIApi, settings: Settings, demo_store: KnowledgeStore
) -> None:
    assistant = build_assistant(settings, generator=OpenAIGenerator(server.base_url, "shopguide"), knowledge=demo_store)
    reply = await assistant.ask(
        IncomingMessage(platform="test", chat_id="c", user_id="u", text="running shoes under 500")
    )
    assert reply.degraded is None and server.completions == 1
    assert reply.text.startswith("SG-RUN-0027 Kestrel Swift 4 ¥399")  # the server's streamed text, checked
    assistant.memory.close()


async def test_a_model_tier_streams_several_shoppers_answers_at_once(
    server: FakeOpenAIApi, settings: Settings, demo_store: KnowledgeStore
) -> None:
    """One generation at a time suits an in-process model on 2 cores; against a model tier, which queues and
    batches on its own, it made every shopper of a replica wait behind the others' streams (bench_scale: 0.6
    answers/s a replica). By default the bot tier now lets the tier see them all."""
    server.token_delay_s = 0.02
    remote = settings.model_copy(update={"llm_backend": "openai"})
    assert (remote.generation_limit, settings.generation_limit) == (REMOTE_LLM_CONCURRENCY, 1)
    assistant = build_assistant(remote, generator=OpenAIGenerator(server.base_url, "shopguide"), knowledge=demo_store)
    questions = ["running shoes under 500", "wireless headphones under 1500", "what is the return policy?"]
    replies = await asyncio.gather(
        *(
            assistant.ask(IncomingMessage(platform="test", chat_id=f"c{n}", user_id=f"u{n}", text=question))
            for n, question in enumerate(questions)
        )
    )
    assert [reply.degraded for reply in replies] == [None, None, None] and server.completions == 3
    assert server.most_streaming == 3
    assert replies[0].text.startswith("SG-RUN-0027 Kestrel Swift 4")
    assistant.memory.close()
