"""The one pipeline every platform calls: an explicit list of steps over one typed ``TurnContext``.

safety-in → understand → personal → answer steps (one per kind of question) → show cards → prompt → generate
(each sentence fact-checked and screened by the output filters before it is shown) → finish. A step that
answers on its own (a greeting, a refusal, an exact superlative) sets the reply and the rest are skipped.
The pipeline times each step.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from .config import Settings
from .conversation import ConversationState, ConversationStore, Slots
from .factcheck import FactChecker
from .guide import ShoppingGuide
from .language import detect_language
from .personal.demand import UnmetRequests
from .personal.service import Personaliser, PersonalStep
from .ports import Generator, Retriever, SafetyCheck
from .references import resolve_references
from .safety import build_redactor
from .steps import (
    FinishStep,
    FixedReplyStep,
    GenerateStep,
    InputSafetyStep,
    NamedProductStep,
    OutputSafetyStep,
    PolicyStep,
    PromptStep,
    RecommendStep,
    ShowCardsStep,
    UnderstandStep,
    card,
    describe_need,
)
from .superlative_check import SuperlativeCheck
from .texts import text
from .turn import Step, StreamingStep, Turn, TurnContext
from .types import IncomingMessage, Intent, Language, Reply, ReplyDone, ReplyEvent
from .understanding import CatalogVocabulary, Understander

__all__ = ["HandoffDesk", "Pipeline", "TurnContext", "card", "describe_need"]

log = logging.getLogger("shopguide.pipeline")

ASSISTANT_TURN_CHARS = 500  # memory keeps a bounded copy of each answer


class HandoffDesk(Protocol):
    """Where a conversation goes when a human should take over (implemented by the Slack adapter)."""

    async def open(self, message: IncomingMessage, state: ConversationState, reason: str) -> None: ...

    async def relay_from_shopper(self, message: IncomingMessage, state: ConversationState) -> None: ...


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        *,
        retriever: Retriever,
        generator: Generator | None,
        memory: ConversationStore,
        input_checks: Sequence[SafetyCheck],
        output_checks: Sequence[SafetyCheck],
        handoff: HandoffDesk | None = None,
        personaliser: Personaliser | None = None,
    ) -> None:
        self.settings = settings
        self.personaliser = personaliser
        self.retriever = retriever
        self.generator = generator
        self.memory = memory
        self.handoff = handoff
        self.redactor = build_redactor(settings)
        self._generation_slots = asyncio.Semaphore(settings.generation_limit)
        # One turn at a time per conversation: the next message sees the need the previous one built.
        # Weak values: a conversation's lock lives only while a turn holds or awaits it.
        self._conversation_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.input_safety = InputSafetyStep(input_checks)
        self.output_safety = OutputSafetyStep(output_checks)
        self.steps: tuple[Step | StreamingStep, ...] = ()
        self.refresh_catalog()

    def refresh_catalog(self) -> None:
        """Rebuild the steps over a new vocabulary after a knowledge release switch."""
        self.steps = self.build_steps(CatalogVocabulary.from_products(self.retriever.all_products()))

    def build_steps(self, vocabulary: CatalogVocabulary) -> tuple[Step | StreamingStep, ...]:
        """The turn's steps, in order. A turn runs the list it started with, even across a switch."""
        guide = ShoppingGuide(self.retriever, vocabulary.label)
        handoff = self.handoff is not None
        personal = (PersonalStep(self.personaliser, self.retriever, vocabulary),) if self.personaliser else ()
        # Unmet requests name nobody, so they are kept whether or not profiles are (beside them, for staff).
        requests = UnmetRequests(self.personaliser.store, self.redactor) if self.personaliser else None
        return (
            self.input_safety,
            UnderstandStep(Understander(vocabulary)),
            *personal,
            FixedReplyStep(vocabulary, handoff),
            PolicyStep(self.retriever, vocabulary),
            NamedProductStep(self.retriever, guide, vocabulary, handoff, requests),
            RecommendStep(guide, vocabulary, requests),
            ShowCardsStep(),
            PromptStep(vocabulary),
            # Fact check and output filters run on each sentence inside generation, before it is shown.
            GenerateStep(
                self.settings,
                self.generator,
                self._generation_slots,
                FactChecker(vocabulary.skus, SuperlativeCheck(self.retriever)),
                self.output_safety.checks,
            ),
            FinishStep(),
        )

    def resolve_language(self, message: IncomingMessage, state: ConversationState) -> Language | None:
        """Per message; a language chosen with /lang wins; None means a script we don't support."""
        if state.language_locked and state.language:
            return state.language
        guess = detect_language(message.text)
        if guess in ("zh", "en"):
            return guess
        if guess == "other":
            return None
        return message.language_hint or state.language or self.settings.default_language

    def _conversation_lock(self, key: str) -> asyncio.Lock:
        lock = self._conversation_locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._conversation_locks[key] = lock
        return lock

    async def respond(self, message: IncomingMessage) -> AsyncIterator[ReplyEvent]:
        """One turn: events as they happen, the last one ``ReplyDone``. Turns of one conversation run one
        after another (load → answer → save), so concurrent messages never lose a turn or a slot."""
        async with self._conversation_lock(message.conversation_key):
            async for event in self._respond(message):
                yield event

    async def _respond(self, message: IncomingMessage) -> AsyncIterator[ReplyEvent]:
        started = time.perf_counter()
        state = await asyncio.to_thread(self.memory.load, message.conversation_key)
        if state.handoff and self.handoff is not None:
            await self.handoff.relay_from_shopper(message, state)
            yield ReplyDone(Reply(text="", language=state.language or self.settings.default_language, handoff=True))
            return
        language = self.resolve_language(message, state)
        # "2", "the cheaper one" after a product list: the SKU it means, so every step sees a named product.
        # The history keeps what the shopper typed.
        typed = message.text
        message = resolve_references(message, state, language or "en", self.retriever.get_products)
        turn = Turn(message=message, language=language or state.language or "en", started=started)
        ctx = TurnContext(turn=turn, state=state)
        if language is None:
            ctx.finish(text("unsupported_language", ctx.language))
        elif not message.text.strip() or (
            detect_language(message.text) == "none" and not message.text.strip().isdigit()
        ):
            ctx.finish(text("empty", ctx.language))
        else:
            state.language = language
            async for event in self._run(self.steps, ctx):
                yield event
            if not ctx.draft.streamed:  # answered without the model: nothing shown yet, nothing checked yet
                await asyncio.to_thread(self.output_safety.screen_fixed_reply, ctx)
        reply = ctx.reply
        assert reply is not None, "the finish step always replies"
        reply.sources = sorted({h.doc.source for h in ctx.found.passages} | {c.sku for c in reply.cards})
        reply.latency_ms = {**ctx.timings, "total": (time.perf_counter() - started) * 1000}
        if ctx.draft.handoff_reason and self.handoff is not None:
            reply.handoff = True
            state.handoff = True
            await self.handoff.open(message, state, ctx.draft.handoff_reason)
        await asyncio.to_thread(self._remember, ctx, reply, typed)
        log.info(
            "turn request_id=%s platform=%s intent=%s cards=%d blocked=%s degraded=%s total_ms=%.0f",
            ctx.request_id,
            message.platform,
            reply.intent,
            len(reply.cards),
            reply.blocked,
            reply.degraded,
            reply.latency_ms["total"],
        )
        yield ReplyDone(reply)

    @staticmethod
    async def _run(steps: Sequence[Step | StreamingStep], ctx: TurnContext) -> AsyncIterator[ReplyEvent]:
        """Run the steps in order until one replies. Consecutive blocking steps (classifier, embeddings,
        search) share one hop to a worker thread: the adapters' event loop keeps acking and streaming
        other chats meanwhile."""
        pending: list[Step] = []
        for step in steps:
            if isinstance(step, StreamingStep):
                if pending:
                    await asyncio.to_thread(Pipeline._run_steps, pending, ctx)
                    pending = []
                if ctx.reply is not None:
                    return
                async for event in step.stream(ctx):
                    yield event
            elif step.blocking:
                pending.append(step)
            else:
                if pending:
                    await asyncio.to_thread(Pipeline._run_steps, pending, ctx)
                    pending = []
                Pipeline._run_steps([step], ctx)
            if ctx.reply is not None:
                return
        if pending:
            await asyncio.to_thread(Pipeline._run_steps, pending, ctx)

    @staticmethod
    def _run_steps(steps: Sequence[Step], ctx: TurnContext) -> None:
        """Run steps in order, timing each (steps of one name add up), until one of them answers."""
        for step in steps:
            if ctx.reply is not None:
                return
            start = time.perf_counter()
            step.run(ctx)
            ctx.timings[step.name] = ctx.timings.get(step.name, 0.0) + (time.perf_counter() - start) * 1000

    def _remember(self, ctx: TurnContext, reply: Reply, typed: str) -> None:
        turn = ctx.state
        keep = self.settings.history_turns * 2
        user_text = self.redactor.redact(typed[: self.settings.max_input_chars])
        answer_text = self.redactor.redact(reply.text[:ASSISTANT_TURN_CHARS])
        if ctx.draft.intent is Intent.RECOMMEND and ctx.found.decision is None and ctx.found.understanding is not None:
            # not-carried answers do not leave a half-built need behind
            turn.slots = Slots()

        def apply(stored: ConversationState) -> None:
            # This turn's view of the need wins; what was stored meanwhile (turns, a /lang, a ticket resolved
            # by another process) is kept, and this turn's two lines are appended after it.
            stored.language = turn.language
            stored.slots = turn.slots
            stored.last_skus = turn.last_skus
            stored.clarify_count = turn.clarify_count
            stored.handoff = stored.handoff or turn.handoff
            stored.add_turn("user", user_text, keep, refused=reply.blocked, screened=ctx.draft.screened)
            stored.add_turn("assistant", answer_text, keep)

        self.memory.update(turn.key, apply)
