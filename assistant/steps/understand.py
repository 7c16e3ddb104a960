"""Understanding step: intent and slots of the message, merged into the conversation's need."""

from __future__ import annotations

from ..turn import TurnContext
from ..types import Intent
from ..understanding import Understander


class UnderstandStep:
    name = "understand"
    blocking = True

    def __init__(self, understander: Understander) -> None:
        self.understander = understander

    def run(self, ctx: TurnContext) -> None:
        state = ctx.state
        has_need = bool(state.slots.category or state.slots.has_budget or state.slots.use)
        u = self.understander.understand(ctx.message.text, ctx.language, state.last_skus, has_need)
        if u.intent is Intent.UNKNOWN and has_need and state.clarify_count:
            # A reply to our clarifying question ("the cheaper ones", "red") continues the search.
            u.intent = Intent.RECOMMEND
        ctx.found.understanding = u
        ctx.draft.intent = u.intent
        if u.intent is Intent.RECOMMEND:
            merged = state.slots.merge(u.slots)
            if merged.category != state.slots.category:
                state.clarify_count = 0
            state.slots = merged
        elif u.intent is not Intent.UNKNOWN:
            state.clarify_count = 0  # another subject: the next broad need starts its questions afresh
