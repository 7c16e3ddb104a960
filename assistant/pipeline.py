"""The one pipeline every platform calls: safety-in → understand → retrieve → prompt → generate →
fact check → safety-out. Each step is a small object with one job; the pipeline times each one.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Protocol

from knowledge.models import Product
from knowledge.search import PassageHit

from .answerability import Verdict, grounded_fallback, honest_answer
from .answerability import judge as judge_answerable
from .config import Settings
from .conversation import ConversationState, ConversationStore, Slots
from .errors import ShopguideError
from .factcheck import FactChecker
from .guide import GuideDecision, ShoppingGuide
from .language import detect_language
from .personal.service import Personaliser, PersonalStep, PersonalTurn
from .ports import ChatMessage, Generator, Retriever, SafetyCheck, SafetyContext
from .prompt import build_messages
from .render import attribute_text, compare_answer, list_answer, money, use_text
from .safety import build_redactor, refusal_text
from .superlative_answer import comparison_answer
from .superlative_check import SuperlativeCheck
from .support import coverage, says_dont_know, terms
from .texts import text
from .types import (
    CardsReady,
    Choice,
    IncomingMessage,
    Intent,
    Language,
    ProductCard,
    Reply,
    ReplyDone,
    ReplyEvent,
    TextDelta,
    TextReset,
)
from .understanding import CatalogVocabulary, Understander, Understanding

log = logging.getLogger("shopguide.pipeline")

POLICY_PASSAGES = 3  # near-ties are common among policy sections: give the model all three
# Policy wording varies ("shipping" / "ship within") and Chinese character pairs are noisy, so sections
# holding any of the question's words may answer it; sections holding none of them do not.
POLICY_COVERAGE_MIN = 0.01
POLICY_MIN_SCORE = 0.2  # below this cosine similarity no passage is about the question
# Passages of the asked product ranked to judge answerability; the best few go into the prompt (each
# costs up to ~80 tokens of prefill). An attribute passage is short and says what the fact line leaves
# out ("waterproof: no"), which is what a yes/no question asks.
PASSAGE_CANDIDATES = 6
PROMPT_PASSAGES = 3
MAX_UNKNOWN_BEFORE_HUMAN = 2
ASSISTANT_TURN_CHARS = 500  # memory keeps a bounded copy of each answer


class HandoffDesk(Protocol):
    """Where a conversation goes when a human should take over (implemented by the Slack adapter)."""

    async def open(self, message: IncomingMessage, state: ConversationState, reason: str) -> None: ...

    async def relay_from_shopper(self, message: IncomingMessage, state: ConversationState) -> None: ...


@dataclass
class TurnContext:
    """Everything one turn knows; steps read and fill it in order."""

    message: IncomingMessage
    state: ConversationState
    language: Language
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    understanding: Understanding | None = None
    decision: GuideDecision | None = None
    products: list[Product] = field(default_factory=list)
    passages: list[PassageHit] = field(default_factory=list)
    cards: list[ProductCard] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    fallback_text: str = ""
    messages: list[ChatMessage] = field(default_factory=list)
    answer: str = ""
    reply: Reply | None = None  # set by a step that answers without the model
    intent: Intent = Intent.UNKNOWN
    blocked: str | None = None
    screened: bool = False  # the input checks saw this message (see ``ConversationState.answered_user_texts``)
    degraded: str | None = None
    handoff_reason: str | None = None
    verdict: Verdict | None = None  # can the catalog answer this product question (see answerability)
    honest_text: str = ""  # "I don't know" + what is known: replaces a feature claim no fact backs
    timings: dict[str, float] = field(default_factory=dict)
    personal: PersonalTurn | None = None  # this shopper's ranker and what was assumed from their profile

    def finish(self, body: str, *, choices: Sequence[Choice] = ()) -> None:
        self.reply = Reply(
            text=body,
            language=self.language,
            intent=self.intent,
            cards=list(self.cards),
            choices=list(choices) or list(self.choices),
            blocked=self.blocked,
        )


class Step(Protocol):
    """One job of the pipeline. Synchronous CPU work: the pipeline runs steps in a worker thread."""

    name: str

    def run(self, ctx: TurnContext) -> None: ...


# ---- steps --------------------------------------------------------------------------------------
class InputSafetyStep:
    name = "safety_in"

    def __init__(self, checks: Sequence[SafetyCheck]) -> None:
        self.checks = list(checks)

    def run(self, ctx: TurnContext) -> None:
        ctx.screened = True
        # Earlier turns travel with the call: instructions split across turns are judged together.
        safety_context = SafetyContext(history=tuple(ctx.state.answered_user_texts()))
        for check in self.checks:
            verdict = check.check(ctx.message.text, ctx.language, safety_context)
            if not verdict.allowed:
                ctx.blocked = verdict.reason or check.name
                log.info("input blocked request_id=%s check=%s reason=%s", ctx.request_id, check.name, ctx.blocked)
                ctx.finish(refusal_text(ctx.blocked, ctx.language))
                return

    def warm_up(self) -> None:
        """Load lazy models (the classifier) now, not on the first shopper's message."""
        for check in self.checks:
            warm = getattr(check, "warm_up", None)
            if callable(warm):
                warm()


class UnderstandStep:
    name = "understand"

    def __init__(self, understander: Understander) -> None:
        self.understander = understander

    def run(self, ctx: TurnContext) -> None:
        state = ctx.state
        has_need = bool(state.slots.category or state.slots.has_budget or state.slots.use)
        u = self.understander.understand(ctx.message.text, ctx.language, state.last_skus, has_need)
        if u.intent is Intent.UNKNOWN and has_need and state.clarify_count:
            # A reply to our clarifying question ("the cheaper ones", "red") continues the search.
            u.intent = Intent.RECOMMEND
        ctx.understanding = u
        ctx.intent = u.intent
        if u.intent is Intent.RECOMMEND:
            merged = state.slots.merge(u.slots)
            if merged.category != state.slots.category:
                state.clarify_count = 0
            state.slots = merged


class RetrieveStep:
    """Finds the facts for the intent; answers directly when no model is needed (questions, no-match)."""

    name = "retrieve"

    def __init__(
        self, retriever: Retriever, guide: ShoppingGuide, handoff_available: bool, vocabulary: CatalogVocabulary
    ) -> None:
        self.retriever = retriever
        self.guide = guide
        self.handoff_available = handoff_available
        self.vocabulary = vocabulary

    def run(self, ctx: TurnContext) -> None:
        u = ctx.understanding
        assert u is not None
        lang = ctx.language
        if u.intent is not Intent.UNKNOWN:
            ctx.state.clarify_count = ctx.state.clarify_count if u.intent is Intent.RECOMMEND else 0
        if u.intent is Intent.GREETING:
            ctx.finish(text("greeting", lang), choices=self._category_choices(lang))
        elif u.intent is Intent.HUMAN:
            ctx.handoff_reason = "asked_for_human"
            ctx.finish(text("handoff" if self.handoff_available else "handoff_unavailable", lang))
        elif u.intent is Intent.UNKNOWN:
            choices = self._category_choices(lang)
            if self._unknown_streak(ctx) >= MAX_UNKNOWN_BEFORE_HUMAN and self.handoff_available:
                choices.append(Choice(text("human_choice", lang), text("human_choice", lang)))
            ctx.finish(text("unknown", lang), choices=choices)
        elif u.intent is Intent.POLICY:
            self._policy(ctx)
        elif u.intent in (Intent.PRODUCT_INFO, Intent.COMPARE):
            self._named(ctx, u)
        else:
            self._recommend(ctx, u)

    @staticmethod
    def _unknown_streak(ctx: TurnContext) -> int:
        # Counted from memory: the assistant's last answers that were the "unknown" text.
        unknown = {text("unknown", "en"), text("unknown", "zh")}
        streak = 1
        for turn in reversed(ctx.state.turns):
            if turn.role == "assistant":
                if turn.text in unknown:
                    streak += 1
                else:
                    break
        return streak

    def _category_choices(self, lang: Language) -> list[Choice]:
        categories = sorted({p.category for p in self.retriever.all_products() if p.category})
        labels = [self.vocabulary.label(category, lang) for category in categories]
        return [Choice(label, label) for label in labels]

    def _policy(self, ctx: TurnContext) -> None:
        hits = [h for h in self.retriever.search_docs(ctx.message.text, ctx.language, k=POLICY_PASSAGES)]
        hits = [h for h in hits if h.score >= POLICY_MIN_SCORE]
        # The closest sections are not an answer unless they hold what is asked: say so, never guess.
        wanted = terms(ctx.message.text)
        held = coverage(wanted, "\n".join(f"{h.doc.title} {h.doc.text}" for h in hits))
        if not hits or held < POLICY_COVERAGE_MIN:
            ctx.finish(text("policy_none", ctx.language))
            return
        ctx.passages = hits
        top = hits[0].doc
        ctx.fallback_text = f"{top.title}: {' '.join(top.text.split())}"

    def _named(self, ctx: TurnContext, u: Understanding) -> None:
        products = self.retriever.get_products(u.named_skus[:2])
        if not products:
            ctx.finish(text("product_missing", ctx.language))
            return
        ctx.products = products
        ctx.cards = [card(p, ctx.language, label=self.vocabulary.label(p.category, ctx.language)) for p in products]
        if u.intent is Intent.COMPARE and len(products) >= 2:
            ctx.fallback_text = compare_answer(products[0], products[1], ctx.language)
            winner = comparison_answer(ctx.message.text, products[0], products[1], ctx.language)
            if winner is not None:
                # "Which is cheaper?" has one exact answer in the two products' facts: no model needed.
                ctx.finish(f"{winner}\n{ctx.fallback_text}")
        elif u.slots.sort is not None and u.slots.sort_measure is None:
            # "Is X the cheapest tent?": the store's sorted query answers yes or no, exactly.
            ctx.intent = Intent.PRODUCT_INFO
            decision = self.guide.is_top(products[0], u.slots, ctx.language)
            ctx.products = decision.products
            ctx.cards = [
                card(
                    p,
                    ctx.language,
                    decision.reasons.get(p.sku, ""),
                    label=self.vocabulary.label(p.category, ctx.language),
                )
                for p in decision.products
            ]
            ctx.finish(list_answer(decision.products, decision.reasons, ctx.language, decision.headline))
        else:
            ctx.intent = Intent.PRODUCT_INFO
            ctx.products = products[:1]
            ctx.cards = ctx.cards[:1]
            self._ground(ctx, products[0])
        ctx.state.last_skus = [p.sku for p in ctx.products]

    def _ground(self, ctx: TurnContext, product: Product) -> None:
        """The product's own passages that answer the question; an honest answer when none does."""
        hits = self.retriever.search_product_passages(product.sku, ctx.message.text, ctx.language, PASSAGE_CANDIDATES)
        shop_docs = self.retriever.search_docs(ctx.message.text, ctx.language, k=1)
        verdict = judge_answerable(ctx.message.text, product, hits, shop_docs)
        ctx.verdict = verdict
        ctx.passages = hits[:PROMPT_PASSAGES]
        if verdict.evidence is not None and verdict.evidence not in ctx.passages:
            ctx.passages = [verdict.evidence, *ctx.passages[: PROMPT_PASSAGES - 1]]
        ctx.fallback_text = grounded_fallback(verdict, product, ctx.language)
        ctx.honest_text = honest_answer(Verdict("unknown"), product, ctx.language, colleague=self.handoff_available)
        if verdict.kind in ("unknown", "reviews_only"):
            colleague = self.handoff_available
            choices = [Choice(text("human_choice", ctx.language), text("human_choice", ctx.language))]
            body = honest_answer(verdict, product, ctx.language, colleague=colleague)
            ctx.finish(body, choices=choices if colleague else ())

    def _recommend(self, ctx: TurnContext, u: Understanding) -> None:
        lang = ctx.language
        if u.not_carried:
            ctx.finish(text("not_carried", lang, item=u.not_carried), choices=self._category_choices(lang))
            return
        state = ctx.state
        decision = self.guide.decide(
            state.slots,
            ctx.message.text,
            lang,
            clarify_count=state.clarify_count,
            just_recommend=u.just_recommend,
            ranker=ctx.personal.ranking if ctx.personal else None,
        )
        ctx.decision = decision
        if decision.kind == "clarify":
            state.clarify_count += 1
            ctx.finish(decision.question, choices=decision.choices)
            return
        state.clarify_count = 0
        ctx.products = decision.products
        ctx.cards = [
            card(p, lang, decision.reasons.get(p.sku, ""), label=self.vocabulary.label(p.category, lang))
            for p in decision.products
        ]
        state.last_skus = [p.sku for p in decision.products]
        if decision.kind == "top":
            # Exact from the catalog (the store sorted it): no model wording to check or get wrong.
            ctx.finish(list_answer(decision.products, decision.reasons, lang, decision.headline))
            return
        if decision.kind == "no_match":
            body = text("no_match", lang) if decision.products else text("no_match_empty", lang)
            if decision.products:
                body = list_answer(decision.products, decision.reasons, lang, body)
            ctx.finish(body)
            return
        ctx.fallback_text = list_answer(decision.products, decision.reasons, lang, text("recommend_intro", lang))


class PromptStep:
    name = "prompt"

    def __init__(self, vocabulary: CatalogVocabulary) -> None:
        self.vocabulary = vocabulary

    def run(self, ctx: TurnContext) -> None:
        need = describe_need(ctx.state.slots, ctx.language, self.vocabulary) if ctx.intent is Intent.RECOMMEND else ""
        ctx.messages = build_messages(
            ctx.intent, ctx.language, ctx.message.text, products=ctx.products, passages=ctx.passages, need=need
        )


class FactCheckStep:
    name = "fact_check"

    def __init__(self, checker: FactChecker) -> None:
        self.checker = checker

    def run(self, ctx: TurnContext) -> None:
        if ctx.degraded:
            return
        slots = ctx.state.slots
        budget = (
            [v for v in (slots.price_min, slots.price_max) if v is not None] if ctx.intent is Intent.RECOMMEND else []
        )
        # A superlative in the answer is judged within the shopper's need; about a named product, within its
        # category and this turn's budget and stock words (a brand in its name narrows nothing).
        asked = (
            slots if ctx.intent is Intent.RECOMMEND or ctx.understanding is None else ctx.understanding.slots.scope()
        )
        result = self.checker.check(
            ctx.answer,
            ctx.products,
            ctx.passages,
            budget,
            question=ctx.message.text,
            scope=asked.to_query(),
            feature_claims=ctx.intent is Intent.PRODUCT_INFO,
        )
        if result.changed:
            log.info(
                "fact check request_id=%s repairs=%d dropped=%s",
                ctx.request_id,
                len(result.repairs),
                "; ".join(result.dropped)[:300],
            )
        wrong_language = detect_language(result.text) not in (ctx.language, "none")
        # The catalog answers this question, so a model that says it does not know gives the facts instead.
        abstained = ctx.verdict is not None and ctx.verdict.kind in ("facts", "passage") and says_dont_know(result.text)
        if result.needs_fallback or wrong_language or abstained:
            ctx.degraded = (
                "fact_check" if result.needs_fallback else "wrong_language" if wrong_language else "abstained"
            )
            ctx.answer = ctx.fallback_text
            # The model claimed a feature no fact holds, and no fact clause says yes or no: we don't know.
            guessed = any(d.startswith("unsupported feature claim") for d in result.dropped)
            if guessed and ctx.honest_text and ctx.verdict is not None and ctx.verdict.says_no is None:
                ctx.answer = ctx.honest_text
        else:
            ctx.answer = result.text


class OutputSafetyStep:
    name = "safety_out"

    def __init__(self, checks: Sequence[SafetyCheck]) -> None:
        self.checks = list(checks)

    def run(self, ctx: TurnContext) -> None:
        safety_context = SafetyContext(prompt="\n".join(m.content for m in ctx.messages[1:]))
        for check in self.checks:
            verdict = check.check(ctx.answer, ctx.language, safety_context)
            if not verdict.allowed:
                log.warning(
                    "output replaced request_id=%s check=%s reason=%s", ctx.request_id, check.name, verdict.reason
                )
                ctx.degraded = f"safety_out:{verdict.reason}"
                ctx.answer = ctx.fallback_text or text("blocked", ctx.language)
                return


def describe_need(slots: Slots, language: Language, vocabulary: CatalogVocabulary) -> str:
    parts: list[str] = []
    if slots.category:
        label = vocabulary.label(slots.category, language)
        parts.append(label if language == "zh" else label.lower())
    if slots.price_max is not None:
        parts.append(f"≤ {money(slots.price_max)}")
    if slots.price_min is not None:
        parts.append(f"≥ {money(slots.price_min)}")
    if slots.use:
        parts.append(use_text(slots.use, language))
    parts.extend(t for k, v in slots.attributes.items() if (t := attribute_text(k, v, language)))
    if slots.brand:
        parts.append(slots.brand)
    return ", ".join(parts)


def card(product: Product, language: Language, reason: str = "", *, label: str = "") -> ProductCard:
    return ProductCard(
        sku=product.sku,
        name=product.display_name(language),
        price=product.price,
        currency=product.currency,
        stock=product.stock,
        url=product.url,
        image_url=product.image_url,
        reason=reason,
        brand=product.brand,
        category=product.category,
        category_label=label,
    )


# ---- the pipeline -------------------------------------------------------------------------------
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
        self._generation_slots = asyncio.Semaphore(settings.llm_concurrency)
        # One turn at a time per conversation: the next message sees the need the previous one built.
        # Weak values: a conversation's lock lives only while a turn holds or awaits it.
        self._conversation_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.refresh_catalog()
        self.input_safety = InputSafetyStep(input_checks)
        self.output_safety = OutputSafetyStep(output_checks)

    def refresh_catalog(self) -> None:
        """Rebuild the vocabulary after a knowledge release switch."""
        products = self.retriever.all_products()
        vocabulary = CatalogVocabulary.from_products(products)
        self.understand = UnderstandStep(Understander(vocabulary))
        guide = ShoppingGuide(self.retriever, vocabulary.label)
        self.retrieve = RetrieveStep(self.retriever, guide, self.handoff is not None, vocabulary)
        self.prompt = PromptStep(vocabulary)
        self.personal: tuple[Step, ...] = (
            (PersonalStep(self.personaliser, self.retriever, vocabulary),) if self.personaliser else ()
        )
        self.fact_check = FactCheckStep(FactChecker(vocabulary.skus, SuperlativeCheck(self.retriever)))

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
        ctx = TurnContext(message=message, state=state, language=language or state.language or "en")
        if language is None:
            ctx.finish(text("unsupported_language", ctx.language))
        elif not message.text.strip() or (
            detect_language(message.text) == "none" and not message.text.strip().isdigit()
        ):
            ctx.finish(text("empty", ctx.language))
        else:
            state.language = language
            # CPU work (classifier, embeddings, search) runs in a worker thread: the adapters' event
            # loop keeps acking and streaming other chats meanwhile.
            steps: tuple[Step, ...] = (self.input_safety, self.understand, *self.personal, self.retrieve)
            await asyncio.to_thread(self._run_steps, steps, ctx)
        note = ctx.personal.note if ctx.personal and ctx.decision and ctx.decision.kind != "clarify" else ""
        if note and ctx.reply is not None:
            ctx.reply.text = f"{note}\n{ctx.reply.text}"
        elif note:
            ctx.fallback_text = f"{note}\n{ctx.fallback_text}"
        if ctx.reply is None:
            yield CardsReady(cards=list(ctx.cards), choices=list(ctx.choices), language=ctx.language)
            ctx.timings["first_visible"] = (time.perf_counter() - started) * 1000
            self._run_steps((self.prompt,), ctx)
            # What the profile filled in ("you usually look under ¥800 — still right?") is said first.
            # (Without a model the retrieval-only answer, which already holds it, is the whole text.)
            streamed = f"{note}\n" if note and self.generator is not None else ""
            if streamed:
                yield TextDelta(streamed)
            async for delta in self._generate(ctx):
                streamed += delta
                yield TextDelta(delta)
            ctx.answer = ctx.fallback_text if ctx.degraded else streamed
            await asyncio.to_thread(self._run_steps, (self.fact_check, self.output_safety), ctx)
            if ctx.answer != streamed:
                yield TextReset(ctx.answer)
            ctx.reply = Reply(
                text=ctx.answer,
                language=ctx.language,
                intent=ctx.intent,
                cards=list(ctx.cards),
                choices=list(ctx.choices),
                degraded=ctx.degraded,
            )
        reply = ctx.reply
        reply.sources = sorted({h.doc.source for h in ctx.passages} | {c.sku for c in reply.cards})
        reply.latency_ms = {**ctx.timings, "total": (time.perf_counter() - started) * 1000}
        if ctx.handoff_reason and self.handoff is not None:
            reply.handoff = True
            state.handoff = True
            await self.handoff.open(message, state, ctx.handoff_reason)
        await asyncio.to_thread(self._remember, ctx, reply)
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
    def _run_steps(steps: Sequence[Step], ctx: TurnContext) -> None:
        """Run steps in order, timing each, until one of them answers."""
        for step in steps:
            start = time.perf_counter()
            step.run(ctx)
            ctx.timings[step.name] = (time.perf_counter() - start) * 1000
            if ctx.reply is not None:
                return

    async def _generate(self, ctx: TurnContext) -> AsyncIterator[str]:
        """Stream model text; on failure or timeout degrade to the retrieval-only answer, never silence."""
        start = time.perf_counter()
        if self.generator is None:
            ctx.degraded = "llm_disabled"
            yield ctx.fallback_text
            return
        produced = False
        try:
            stream = self.generator.stream(
                ctx.messages, max_tokens=self.settings.llm_max_tokens, temperature=self.settings.llm_temperature
            )
            # aclosing: on timeout the backend is told at once to stop generating.
            async with self._generation_slots, asyncio.timeout(self.settings.llm_timeout_s), aclosing(stream):
                async for delta in stream:
                    if not produced:
                        ctx.timings["first_token"] = (time.perf_counter() - start) * 1000
                        produced = True
                    yield delta
        except (TimeoutError, ShopguideError, OSError) as exc:
            ctx.degraded = "llm_timeout" if isinstance(exc, TimeoutError) else "llm_unavailable"
            log.warning("generation degraded request_id=%s reason=%s error=%s", ctx.request_id, ctx.degraded, exc)
        finally:
            ctx.timings["generate"] = (time.perf_counter() - start) * 1000
        if ctx.degraded:
            # Whatever was streamed is replaced by the fact-based answer (TextReset after fact check).
            yield "" if produced else ctx.fallback_text

    def _remember(self, ctx: TurnContext, reply: Reply) -> None:
        turn = ctx.state
        keep = self.settings.history_turns * 2
        user_text = self.redactor.redact(ctx.message.text[: self.settings.max_input_chars])
        answer_text = self.redactor.redact(reply.text[:ASSISTANT_TURN_CHARS])
        if ctx.intent is Intent.RECOMMEND and ctx.decision is None and ctx.understanding is not None:
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
            stored.add_turn("user", user_text, keep, refused=reply.blocked, screened=ctx.screened)
            stored.add_turn("assistant", answer_text, keep)

        self.memory.update(turn.key, apply)
