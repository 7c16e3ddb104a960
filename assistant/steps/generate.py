"""Model steps: show the cards, build the prompt, stream the model's answer, check it, and finish the reply."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import aclosing

from ..config import Settings
from ..errors import ShopguideError
from ..factcheck import FactChecker
from ..language import detect_language
from ..operations import FACTCHECK_DROPS
from ..ports import Generator
from ..prompt import build_messages
from ..support import says_dont_know
from ..turn import TurnContext
from ..types import CardsReady, Intent, Reply, ReplyEvent, TextDelta, TextReset
from ..understanding import CatalogVocabulary
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
    """Stream model text; on failure or timeout degrade to the retrieval-only answer, never silence."""

    name = "generate"

    def __init__(self, settings: Settings, generator: Generator | None, slots: asyncio.Semaphore) -> None:
        self.settings = settings
        self.generator = generator
        self.slots = slots  # shared by every turn: bounded concurrent generations

    async def stream(self, ctx: TurnContext) -> AsyncIterator[ReplyEvent]:
        draft = ctx.draft
        if draft.note and self.generator is not None:
            # Said before the model's text; without a model the fallback answer already holds it.
            draft.streamed = f"{draft.note}\n"
            yield TextDelta(draft.streamed)
        async for delta in self._deltas(ctx):
            draft.streamed += delta
            yield TextDelta(delta)
        draft.answer = draft.fallback_text if draft.degraded else draft.streamed

    async def _deltas(self, ctx: TurnContext) -> AsyncIterator[str]:
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
            # Whatever was streamed is replaced by the fact-based answer (TextReset after fact check).
            yield "" if produced else draft.fallback_text


class FactCheckStep:
    name = "fact_check"
    blocking = True

    def __init__(self, checker: FactChecker) -> None:
        self.checker = checker

    def run(self, ctx: TurnContext) -> None:
        draft, found = ctx.draft, ctx.found
        if draft.degraded:
            return
        slots = ctx.state.slots
        recommending = draft.intent is Intent.RECOMMEND
        budget = [v for v in (slots.price_min, slots.price_max) if v is not None] if recommending else []
        # A superlative in the answer is judged within the shopper's need; about a named product, within its
        # category and this turn's budget and stock words (a brand in its name narrows nothing).
        asked = slots if recommending or found.understanding is None else found.understanding.slots.scope()
        result = self.checker.check(
            draft.answer,
            found.products,
            found.passages,
            budget,
            question=ctx.message.text,
            scope=asked.to_query(),
            feature_claims=draft.intent is Intent.PRODUCT_INFO,
        )
        if result.changed:
            FACTCHECK_DROPS.inc(len(result.dropped))
            log.info(
                "fact check request_id=%s repairs=%d dropped=%s",
                ctx.request_id,
                len(result.repairs),
                "; ".join(result.dropped)[:300],
            )
        wrong_language = detect_language(result.text) not in (ctx.language, "none")
        # The catalog answers this question, so a model that says it does not know gives the facts instead.
        verdict = found.verdict
        abstained = verdict is not None and verdict.kind in ("facts", "passage") and says_dont_know(result.text)
        if result.needs_fallback or wrong_language or abstained:
            draft.degraded = (
                "fact_check" if result.needs_fallback else "wrong_language" if wrong_language else "abstained"
            )
            draft.answer = draft.fallback_text
            # The model claimed a feature no fact holds, and no fact clause says yes or no: we don't know.
            guessed = any(d.startswith("unsupported feature claim") for d in result.dropped)
            if guessed and draft.honest_text and verdict is not None and verdict.says_no is None:
                draft.answer = draft.honest_text
        else:
            draft.answer = result.text


class FinishStep:
    """The checked answer replaces what was streamed when they differ, and becomes the turn's reply."""

    name = "finish"

    async def stream(self, ctx: TurnContext) -> AsyncIterator[ReplyEvent]:
        draft = ctx.draft
        if draft.answer != draft.streamed:
            yield TextReset(draft.answer)
        ctx.reply = Reply(
            text=draft.answer,
            language=ctx.language,
            intent=draft.intent,
            cards=list(ctx.found.cards),
            choices=list(ctx.found.choices),
            degraded=draft.degraded,
        )
