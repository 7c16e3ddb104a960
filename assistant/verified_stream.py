"""Verified streaming: the model's answer reaches the shopper one checked sentence at a time.

Each sentence is held back until it is complete, then fact-checked (prices, SKUs, stock, measures,
feature claims), language-checked and run through the output filters; only then is it shown. A sentence
that fails is never shown, so nothing on screen is ever taken back: later trouble can only stop the answer
or add the catalog's own facts after it, never replace what the shopper has read. A long sentence need not
wait for its end: once a clause of it is complete, the sentence so far is checked as a whole and shown if it
passes; if it does not, it waits for the full sentence and is judged as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .factcheck import SENTENCE_SPLIT_RE, FactChecker, FactCheckResult
from .language import detect_language
from .operations import FACTCHECK_DROPS
from .ports import SafetyCheck, SafetyContext
from .safety.compliance import REFUSED_OUTPUT_REASONS, HarmfulComplianceFilter, product_names
from .safety.replies import refusal_text
from .safety.rules import REASON_HARMFUL
from .support import says_dont_know
from .texts import text
from .types import Intent

if TYPE_CHECKING:
    from .turn import TurnContext

log = logging.getLogger("shopguide.verified_stream")

# The output filters read the new sentence with this much of the text before it: their patterns span a few
# dozen characters, and re-reading the whole answer for every sentence made a 120-sentence answer take 20 s.
OUTPUT_WINDOW_CHARS = 200
# Dropped-sentence reasons that mean the model guessed a feature: "I don't know" is then the honest answer.
GUESSED_FEATURE = "unsupported feature claim"
# Where a sentence may be shown in parts: after a clause mark (a Latin comma only before a space, so
# "1,299" is never cut) or before a conjunction. The text after the mark must be there: it settles the mark.
CLAUSE_END_RE = re.compile(
    r"(?<=[,;:])(?=\s+\S)|(?<=[，；：、])(?=\S)"
    r"|(?=\s+(?:and|but|while|which|whereas|because|so|or|with|though|although|plus)\s)",
    re.I,
)
# Ends a sentence whose shown clauses stay while the rest of it failed its check.
CUT_SHORT = "…"
_WORD_RE = re.compile(r"[A-Za-z0-9][\w'-]*")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
# A CJK character is about half a word: a Chinese clause needs twice the characters to be worth showing.
CJK_CHARS_PER_WORD = 2


def words(text: str) -> float:
    """How much a clause says, in words, for Latin and Chinese text alike."""
    return len(_WORD_RE.findall(text)) + len(_CJK_RE.findall(text)) / CJK_CHARS_PER_WORD


class SentenceCutter:
    """Cuts streamed text into sentences as each completes, with the fact check's own split rule.

    A terminator is only final once the next character is known: "4." may continue as "4.5".
    """

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, delta: str) -> list[str]:
        self._buffer += delta
        pieces = SENTENCE_SPLIT_RE.split(self._buffer)
        # The last piece is unfinished; so is a piece ending the buffer right at a terminator.
        self._buffer = pieces.pop()
        if pieces and not self._buffer:
            self._buffer = pieces.pop()
        return [p for p in pieces if p]

    def flush(self) -> str:
        rest, self._buffer = self._buffer, ""
        return rest

    def clauses_so_far(self, min_words: float, after: int) -> str | None:
        """The unfinished sentence up to its last clause end past ``after`` characters, if the clauses from
        there hold ``min_words`` words; None while there is no such clause (``min_words`` 0: never)."""
        if min_words <= 0:
            return None
        ends = [m.start() for m in CLAUSE_END_RE.finditer(self._buffer) if m.start() > after]
        if not ends or words(self._buffer[after : ends[-1]]) < min_words:
            return None
        return self._buffer[: ends[-1]]


@dataclass
class SentenceVerdict:
    shown: str | None  # the sentence as it may be shown (a wrong price repaired), None: never shown
    stop: bool = False  # the answer cannot go on (wrong language, abstains, output filter)
    hold: bool = False  # checked, but its language is decided by what follows (a Latin product name in zh)
    reason: str = ""


@dataclass
class VerifiedAnswer:
    """What the shopper has seen of this answer and why anything was held back."""

    shown: str = ""
    dropped: list[str] = field(default_factory=list)
    stopped: str | None = None


class SentenceVerifier:
    """The turn's checks, applied to one sentence in the light of what is already shown."""

    def __init__(self, ctx: TurnContext, checker: FactChecker, output_checks: Sequence[SafetyCheck]) -> None:
        self.ctx = ctx
        self.checker = checker
        self.output_checks = list(output_checks)
        slots = ctx.state.slots
        recommend = ctx.draft.intent is Intent.RECOMMEND
        # Amounts the shopper stated (a budget) may be repeated; a superlative is judged within the need, or
        # about a named product within its category and this turn's budget and stock words.
        self.budget = [v for v in (slots.price_min, slots.price_max) if v is not None] if recommend else []
        understanding = ctx.found.understanding
        asked = slots if recommend or understanding is None else understanding.slots.scope()
        self.scope = asked.to_query()
        self.prompt_facts = "\n".join(m.content for m in ctx.draft.messages[1:])

    def fact_check(self, sentence: str) -> FactCheckResult:
        ctx = self.ctx
        return self.checker.check(
            sentence,
            ctx.found.products,
            ctx.found.passages,
            self.budget,
            question=ctx.message.text,
            scope=self.scope,
            feature_claims=ctx.draft.intent is Intent.PRODUCT_INFO,
        )

    def verify(self, sentence: str, shown: str) -> SentenceVerdict:
        ctx = self.ctx
        result = self.fact_check(sentence)
        if result.dropped or not result.text:
            return SentenceVerdict(None, reason="; ".join(result.dropped) or "empty")
        body = result.text
        so_far = shown + body
        language = detect_language(so_far)
        if language not in (ctx.language, "none"):
            if ctx.language == "zh" and language == "en":
                # Model names are Latin inside Chinese text: a later Chinese sentence may settle it.
                return SentenceVerdict(body, hold=True, reason="wrong_language")
            return SentenceVerdict(None, stop=True, reason="wrong_language")
        # The catalog answers this question, so a model that says it does not know gives the facts instead.
        verdict = ctx.found.verdict
        if verdict is not None and verdict.kind in ("facts", "passage") and says_dont_know(body):
            return SentenceVerdict(None, stop=True, reason="abstained")
        window = shown[-OUTPUT_WINDOW_CHARS:] + body
        # The turn's FACTS and the shopper's message, passed with each call.
        safety_context = SafetyContext(
            prompt=self.prompt_facts, request=ctx.message.text, names=product_names(ctx.found.products)
        )
        for check in self.output_checks:
            screened = check.check(window, ctx.language, safety_context)
            if not screened.allowed:
                return SentenceVerdict(None, stop=True, reason=f"safety_out:{screened.reason}")
        return SentenceVerdict(body)

    def request_doubtful(self) -> bool:
        """The output side doubts the request: a clause could begin to comply before its sentence says so."""
        return any(
            isinstance(check, HarmfulComplianceFilter)
            and check.doubts(self.ctx.message.text, self.ctx.language, product_names(self.ctx.found.products))
            for check in self.output_checks
        )

    def mentions_a_product(self, shown: str) -> bool:
        lowered = shown.lower()
        return any(
            p.sku.lower() in lowered or p.name.lower() in lowered or (p.name_zh and p.name_zh in shown)
            for p in self.ctx.found.products
        )


async def verified_stream(
    ctx: TurnContext,
    deltas: AsyncGenerator[str, None],
    checker: FactChecker,
    output_checks: Sequence[SafetyCheck],
    *,
    clause_words: float = 0,
) -> AsyncIterator[str]:
    """Yield the parts of the answer the shopper may see, each final (the caller keeps what it shows).

    ``deltas`` is the model stream; when generation degrades (``ctx.draft.degraded`` set by the producer),
    what is unfinished is dropped and the retrieval-only answer completes the reply. ``clause_words`` > 0:
    a sentence still being written is shown clause by clause once the sentence so far passes the checks.
    """
    started = time.perf_counter()
    verifier = SentenceVerifier(ctx, checker, output_checks)
    if clause_words and await asyncio.to_thread(verifier.request_doubtful):
        clause_words = 0  # whole sentences only: "Sure, I can help: first…" must be judged with what follows
    cutter = SentenceCutter()
    answer = VerifiedAnswer()
    held = ""  # checked text not shown yet: whitespace between sentences, a sentence whose language is open
    # The part of the unfinished sentence already shown: as the model wrote it, and as it was shown.
    begun_raw = begun_shown = ""
    before_sentence = ""  # what was shown before that sentence began

    async def take(sentence: str) -> str | None:
        nonlocal held, begun_raw, begun_shown
        if not sentence.strip():
            held += sentence
            return None
        if begun_raw:
            # Part of this sentence is on screen: the whole sentence is judged, only the rest can be added.
            shown_part, begun_raw, begun_shown = begun_shown, "", ""
            verdict = await asyncio.to_thread(verifier.verify, sentence, before_sentence)
            if verdict.shown is None or verdict.hold or not verdict.shown.startswith(shown_part):
                answer.dropped.append(verdict.reason or "changes what is shown")
                if verdict.stop:
                    answer.stopped = verdict.reason
                answer.shown += CUT_SHORT  # the shown clauses stay; the sentence visibly ends there
                return CUT_SHORT
            rest = verdict.shown[len(shown_part) :]
            answer.shown += rest
            return rest or None
        lead = sentence[: len(sentence) - len(sentence.lstrip())]
        verdict = await asyncio.to_thread(verifier.verify, sentence, answer.shown + held)
        if verdict.shown is None:
            answer.dropped.append(verdict.reason)
            if verdict.stop:
                answer.stopped = verdict.reason
            return None
        if verdict.hold:
            held += lead + verdict.shown
            return None
        return show(held + lead + verdict.shown)

    async def take_clauses(prefix: str) -> str | None:
        """The unfinished sentence up to a clause end: shown if it passes as it stands, else it waits."""
        nonlocal held, begun_raw, begun_shown, before_sentence
        context = before_sentence if begun_raw else answer.shown + held
        verdict = await asyncio.to_thread(verifier.verify, prefix, context)
        if verdict.shown is None or verdict.hold or not verdict.shown.startswith(begun_shown):
            return None  # not shown yet; the full sentence is judged when it ends
        if not begun_raw:
            before_sentence = context
            lead = prefix[: len(prefix) - len(prefix.lstrip())]
            piece = show(held + lead + verdict.shown)
        else:
            piece = verdict.shown[len(begun_shown) :]
            answer.shown += piece
        begun_raw, begun_shown = prefix, verdict.shown
        return piece or None

    def show(piece: str) -> str:
        nonlocal held
        held = ""
        if not answer.shown:
            piece = piece.lstrip()
        if not answer.shown:
            ctx.timings["first_sentence"] = (time.perf_counter() - started) * 1000
        answer.shown += piece
        return piece

    # The model runs in its own task: its timeout covers generation only, never the checks, and it keeps
    # writing the next sentence while this one is checked.
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    degraded = False

    async def produce() -> None:
        nonlocal degraded
        try:
            async with aclosing(deltas) as stream:
                async for delta in stream:
                    if ctx.draft.degraded:
                        degraded = True  # the producer gave up: what it yields now is the fallback, added below
                        break
                    queue.put_nowait(delta)
        finally:
            queue.put_nowait(None)

    producer = asyncio.create_task(produce())
    try:
        while (delta := await queue.get()) is not None:
            for sentence in cutter.feed(delta):
                piece = await take(sentence)
                if piece:
                    yield piece
                if answer.stopped:
                    break
            if answer.stopped:
                break
            prefix = cutter.clauses_so_far(clause_words, len(begun_raw))
            if prefix is not None:
                piece = await take_clauses(prefix)
                if piece:
                    yield piece
    finally:
        if not producer.done():
            producer.cancel()  # stopped early, or the shopper's turn was cancelled: the model stops too
        with contextlib.suppress(asyncio.CancelledError):
            await producer
    degraded = degraded or ctx.draft.degraded is not None
    if not degraded and not answer.stopped:
        piece = await take(cutter.flush())
        if piece:
            yield piece
    if held.strip() and not answer.stopped:
        answer.dropped.append("wrong_language")  # nothing Chinese followed: the held sentences stay unseen
        answer.stopped = "wrong_language"

    addition = _completion(ctx, verifier, answer)
    if addition:
        piece = ("\n\n" if answer.shown else "") + addition
        answer.shown += piece
        yield piece
    if answer.dropped:
        FACTCHECK_DROPS.inc(len(answer.dropped))
        log.info(
            "sentences held back request_id=%s count=%d stopped=%s reasons=%s",
            ctx.request_id,
            len(answer.dropped),
            answer.stopped,
            "; ".join(answer.dropped)[:300],
        )


def _completion(ctx: TurnContext, verifier: SentenceVerifier, answer: VerifiedAnswer) -> str:
    """What is added after the verified sentences so the reply still answers: the catalog's own facts."""
    draft = ctx.draft
    if answer.stopped and answer.stopped.removeprefix("safety_out:") in REFUSED_OUTPUT_REASONS:
        # The reply went along with a harmful request: the shopper gets the refusal, never a product answer.
        draft.degraded = answer.stopped
        return refusal_text(REASON_HARMFUL, ctx.language)
    fallback = draft.fallback_text
    if draft.note and fallback.startswith(draft.note):
        fallback = fallback[len(draft.note) :].lstrip("\n")  # the note was said before the model's text
    if draft.degraded:
        # The model failed or timed out: the retrieval-only answer follows whatever was verified.
        return fallback or ("" if answer.shown else text("blocked", ctx.language))
    guessed = any(d.startswith(GUESSED_FEATURE) for d in answer.dropped)
    verdict = ctx.found.verdict
    honest = guessed and bool(draft.honest_text) and verdict is not None and verdict.says_no is None
    if not answer.shown:
        draft.degraded = answer.stopped or "fact_check"
        if honest:
            return draft.honest_text
        return fallback or text("blocked", ctx.language)
    if answer.dropped and ctx.found.products and not verifier.mentions_a_product(answer.shown):
        # What was held back named the product; what is shown does not say which one is meant.
        draft.degraded = "fact_check"
        return draft.honest_text if honest else fallback
    if answer.stopped:
        draft.degraded = answer.stopped
    return ""
