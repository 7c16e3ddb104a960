"""The typed context one turn's steps share, and the two shapes a step can have.

A step reads what earlier steps wrote and fills its own part: ``Turn`` (what the turn starts from,
frozen), ``Findings`` (what understanding and retrieval found) and ``Draft`` (the answer being built).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from knowledge.models import Product
from knowledge.search import PassageHit

from .answerability import Verdict
from .conversation import ConversationState
from .guide import GuideDecision
from .ports import ChatMessage
from .types import Choice, IncomingMessage, Intent, Language, ProductCard, Reply, ReplyEvent
from .understanding import Understanding

if TYPE_CHECKING:
    from .personal.service import PersonalTurn


def new_request_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class Turn:
    """What the turn starts from; no step changes it."""

    message: IncomingMessage
    language: Language
    request_id: str = field(default_factory=new_request_id)
    started: float = field(default_factory=time.perf_counter)  # when the message arrived (latency base)


@dataclass
class Findings:
    """What understanding and retrieval found: the prompt, the fallback answer and the fact check read it."""

    understanding: Understanding | None = None
    decision: GuideDecision | None = None
    products: list[Product] = field(default_factory=list)
    passages: list[PassageHit] = field(default_factory=list)
    cards: list[ProductCard] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    verdict: Verdict | None = None  # can the catalog answer this product question (see answerability)


@dataclass
class Draft:
    """The answer being built, and how the turn is going."""

    intent: Intent = Intent.UNKNOWN
    fallback_text: str = ""  # the answer from facts alone: used when the model is off, fails or is wrong
    honest_text: str = ""  # "I don't know" + what is known: replaces a feature claim no fact backs
    messages: list[ChatMessage] = field(default_factory=list)
    streamed: str = ""  # what the model streamed, as the shopper saw it
    answer: str = ""  # the checked answer
    blocked: str | None = None
    screened: bool = False  # the input checks saw this message (see ``ConversationState.answered_user_texts``)
    degraded: str | None = None
    handoff_reason: str | None = None
    note: str = ""  # what the shopper's profile filled in ("you usually look under ¥800"): said first


@dataclass
class TurnContext:
    """Everything one turn knows. ``reply`` is set by the step that answers; later steps are skipped."""

    turn: Turn
    state: ConversationState  # the conversation's memory: steps update the need (slots) in it
    found: Findings = field(default_factory=Findings)
    draft: Draft = field(default_factory=Draft)
    personal: PersonalTurn | None = None  # this shopper's ranker and what was assumed from their profile
    reply: Reply | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def message(self) -> IncomingMessage:
        return self.turn.message

    @property
    def language(self) -> Language:
        return self.turn.language

    @property
    def request_id(self) -> str:
        return self.turn.request_id

    def finish(self, body: str, *, choices: Sequence[Choice] = ()) -> None:
        """Answer now, without the model."""
        self.reply = Reply(
            text=body,
            language=self.language,
            intent=self.draft.intent,
            cards=list(self.found.cards),
            choices=list(choices) or list(self.found.choices),
            blocked=self.draft.blocked,
        )


class Step(Protocol):
    """One job of the pipeline; CPU work that ``blocking`` steps do runs in a worker thread."""

    name: str
    blocking: bool

    def run(self, ctx: TurnContext) -> None: ...


@runtime_checkable
class StreamingStep(Protocol):
    """A step that shows something to the shopper while it runs (cards, model text, a correction)."""

    name: str

    def stream(self, ctx: TurnContext) -> AsyncIterator[ReplyEvent]: ...
