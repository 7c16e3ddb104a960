"""Model steps: show the cards, build the prompt, stream the model's answer, check it, and finish the reply."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import aclosing

from ..config import Settings
from ..errors import ShopguideError
from ..factcheck import FactChecker
from ..ports import Generator, SafetyCheck
from ..prompt import build_messages
from ..turn import TurnContext
from ..types import CardsReady, Intent, Reply, ReplyEvent, TextDelta
from ..understanding import CatalogVocabulary
from ..verified_stream import verified_stream
from .answers import describe_need

log = logging.getLogger("shopguide.pipeline")


class ShowCardsStep:
    """The products go out before the model starts: the shopper sees them at once."""

    name = "show_cards"

    async def stream(self, ctx: TurnContext) -> AsyncIterator[ReplyEvent]:
        yield CardsReady(cards=list(ctx.found.cards), choices=list(ctx.found.choices), language=ctx.language)
        ctx.timings["first_visible"] = (time.perf_counter() - ctx.turn.started) * 1000


class PromptStep:
    name = "prompt"
    blocking = False  # string building: cheaper than a hop to a worker thread

    def __init__(self, vocabulary: CatalogVocabulary) -> None:
        self.vocabulary = vocabulary

    def run(self, ctx: TurnContext) -> None:
        intent = ctx.draft.intent
        need = describe_need(ctx.state.slots, ctx.language, self.vocabulary) if intent is Intent.RECOMMEND else ""
        ctx.draft.messages = build_messages(
            intent, ctx.language, ctx.message.text, products=ctx.found.products, passages=ctx.found.passages, need=need
        )


class GenerateStep:
    """Stream the model's text one checked sentence at a time (fact check, language, output filters per
    sentence: ``assistant.verified_stream``), so nothing shown is taken back; on failure or timeout the
    retrieval-only answer follows, never silence."""

    name = "generate"

    def __init__(
        self,
        settings: Settings,
        generator: Generator | None,
        slots: asyncio.Semaphore,
        checker: FactChecker,
        output_checks: Sequence[SafetyCheck],
    ) -> None:
        self.settings = settings
        self.generator = generator
        self.slots = slots  # shared by every turn: bounded concurrent generations
        self.checker = checker
        self.output_checks = list(output_checks)

    async def stream(self, ctx: TurnContext) -> AsyncIterator[ReplyEvent]:
        draft = ctx.draft
        if self.generator is None:
            # Without a model the fallback answer is the answer (it already holds the note).
            async for _ in self._deltas(ctx):
                pass
            draft.streamed = draft.answer = draft.fallback_text
            yield TextDelta(draft.streamed)
            return
        if draft.note:
            draft.streamed = f"{draft.note}\n"  # said before the model's text
            yield TextDelta(draft.streamed)
        async for piece in verified_stream(
            ctx, self._deltas(ctx), self.checker, self.output_checks, clause_words=self.settings.stream_clause_words
        ):
            draft.streamed += piece
            yield TextDelta(piece)
        draft.answer = draft.streamed

    async def _deltas(self, ctx: TurnContext) -> AsyncGenerator[str, None]:
        draft = ctx.draft
        start = time.perf_counter()
        if self.generator is None:
            draft.degraded = "llm_disabled"
            yield draft.fallback_text
            return
        produced = False
        try:
            stream = self.generator.stream(
                draft.messages, max_tokens=self.settings.llm_max_tokens, temperature=self.settings.llm_temperature
            )
            # aclosing: on timeout the backend is told at once to stop generating.
            async with self.slots, asyncio.timeout(self.settings.llm_timeout_s), aclosing(stream):
                async for delta in stream:
                    if not produced:
                        ctx.timings["first_token"] = (time.perf_counter() - start) * 1000
                        produced = True
                    yield delta
        except (TimeoutError, ShopguideError, OSError) as exc:
            draft.degraded = "llm_timeout" if isinstance(exc, TimeoutError) else "llm_unavailable"
            log.warning("generation degraded request_id=%s reason=%s error=%s", ctx.request_id, draft.degraded, exc)
        finally:
            ctx.timings["generate"] = (time.perf_counter() - start) * 1000
        if draft.degraded:
            # Checked sentences already shown stay; the fact-based answer completes the reply.
            yield "" if produced else draft.fallback_text


class FinishStep:
    """What was streamed (each sentence checked before it was shown) becomes the turn's reply."""

    name = "finish"
    blocking = False

    def run(self, ctx: TurnContext) -> None:
        draft = ctx.draft
        ctx.reply = Reply(
            text=draft.answer,
            language=ctx.language,
            intent=draft.intent,
            cards=list(ctx.found.cards),
            choices=list(ctx.found.choices),
            degraded=draft.degraded,
        )
