"""Safety steps: the input checks before anything else runs, the output checks on the checked answer."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..ports import SafetyCheck, SafetyContext, SafetyVerdict
from ..safety import refusal_text
from ..safety.compliance import (
    REASON_HARMFUL_COMPLIANCE,
    REFUSED_OUTPUT_REASONS,
    HarmfulComplianceFilter,
    declines,
    gives_nothing,
    product_names,
)
from ..safety.rules import REASON_HARMFUL
from ..texts import text
from ..turn import TurnContext
from ..types import Intent

log = logging.getLogger("shopguide.pipeline")


class InputSafetyStep:
    name = "safety_in"
    blocking = True

    def __init__(self, checks: Sequence[SafetyCheck]) -> None:
        self.checks = list(checks)

    def run(self, ctx: TurnContext) -> None:
        ctx.draft.screened = True
        # Earlier turns travel with the call: instructions split across turns are judged together.
        safety_context = SafetyContext(history=tuple(ctx.state.answered_user_texts()))
        for check in self.checks:
            verdict = check.check(ctx.message.text, ctx.language, safety_context)
            if not verdict.allowed:
                ctx.draft.blocked = verdict.reason or check.name
                log.info(
                    "input blocked request_id=%s check=%s reason=%s", ctx.request_id, check.name, ctx.draft.blocked
                )
                ctx.finish(refusal_text(ctx.draft.blocked, ctx.language))
                return

    def warm_up(self) -> None:
        _warm_up(self.checks)


def _warm_up(checks: Sequence[SafetyCheck]) -> None:
    """Load lazy models (the detector) now, not on the first shopper's message."""
    for check in checks:
        warm = getattr(check, "warm_up", None)
        if callable(warm):
            warm()


class OutputSafetyStep:
    name = "safety_out"
    blocking = True

    def __init__(self, checks: Sequence[SafetyCheck]) -> None:
        self.checks = list(checks)

    def run(self, ctx: TurnContext) -> None:
        draft = ctx.draft
        safety_context = SafetyContext(
            prompt="\n".join(m.content for m in draft.messages[1:]),
            request=ctx.message.text,
            names=product_names(ctx.found.products),
        )
        for check in self.checks:
            verdict = check.check(draft.answer, ctx.language, safety_context)
            if not verdict.allowed:
                log.warning(
                    "output replaced request_id=%s check=%s reason=%s", ctx.request_id, check.name, verdict.reason
                )
                draft.degraded = f"safety_out:{verdict.reason}"
                if verdict.reason in REFUSED_OUTPUT_REASONS:
                    draft.answer = refusal_text(REASON_HARMFUL, ctx.language)
                else:
                    draft.answer = draft.fallback_text or text("blocked", ctx.language)
                return

    def screen_fixed_reply(self, ctx: TurnContext) -> None:
        """A reply written without the model (a templated answer, a clarifying question) to a request the
        output side finds harmful becomes the refusal: "57 items fit, what will you use it for?" to a request
        for a robbery plan treats it as shopping. Only the harmful-compliance check reads such replies; the
        others judge what the model wrote against the turn's facts."""
        reply = ctx.reply
        if reply is None or reply.blocked is not None or not reply.text:
            return
        if reply.intent is Intent.HUMAN:
            # Handing over to staff complies with nothing: a person reads the request and decides. Refusing
            # here told shoppers "I can't help" while their ticket was already open.
            return
        answerable = ctx.found.verdict
        if answerable is not None and (answerable.kind == "reviews_only" or answerable.about_reviews):
            # The turn understood a reviews question ("what do other customers say about X?") and the reply
            # quotes an ingested review (firewalled, PII masked) or says there is none: it complies with
            # nothing. The detector reads "other customers" as a privacy probe and refused these.
            return
        names = product_names(ctx.found.products)
        safety_context = SafetyContext(request=ctx.message.text, names=names)
        no_answer = _answers_nothing(ctx) and not declines(reply.text)
        for check in self.checks:
            if not isinstance(check, HarmfulComplianceFilter):
                continue
            if no_answer and check.doubts(ctx.message.text, ctx.language, names):
                # A reply that answers nothing ("what are you shopping for?", "I don't know — the catalog doesn't
                # say") adds no evidence either way: read with the request it only dilutes
                # it. So the request alone decides, at the cut a reply to it must meet; a doubtful request gets
                # the refusal instead, which costs a benign one little (it got no answer either way).
                verdict = SafetyVerdict(False, REASON_HARMFUL_COMPLIANCE, "doubtful request, templated non-answer")
            else:
                verdict = check.check(reply.text, ctx.language, safety_context)
            if not verdict.allowed:
                log.warning("fixed reply refused request_id=%s reason=%s", ctx.request_id, verdict.reason)
                reply.text = refusal_text(REASON_HARMFUL, ctx.language)
                reply.cards, reply.choices = [], []
                reply.degraded = f"safety_out:{verdict.reason}"
                return

    def warm_up(self) -> None:
        _warm_up(self.checks)


def _answers_nothing(ctx: TurnContext) -> bool:
    """The templated reply gives no answer: the "what are you shopping for?" menu for a message not understood,
    the question that asks which kind of product (nothing of a need was understood), or an honest "our
    policies don't say". A clarifying question about a kind already named ("33 shoes fit, what
    will you use them for?") continues a shopping need and is judged with the request as other replies are."""
    reply = ctx.reply
    if reply is None:
        return False
    decision = ctx.found.decision
    return (
        reply.intent is Intent.UNKNOWN
        or (decision is not None and decision.kind == "clarify" and decision.facet == "category")
        # "Our policies don't say": about no product. An "I don't know" about a named product stays judged with
        # the request: a shopper's own phone number beside a product question ("dishwasher safe? call me on
        # …") reads as doubtful, and refusing a product question is no small cost.
        or (gives_nothing(reply.text) and not ctx.found.products)
    )
