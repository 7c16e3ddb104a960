"""Neutral message types: what adapters hand the core and what the core hands back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from .inbound import clean_text

Language = Literal["zh", "en"]
SUPPORTED_LANGUAGES: tuple[Language, ...] = ("zh", "en")


class Intent(StrEnum):
    GREETING = "greeting"
    RECOMMEND = "recommend"
    PRODUCT_INFO = "product_info"
    COMPARE = "compare"
    POLICY = "policy"
    HUMAN = "human"
    SMALLTALK = "smalltalk"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class IncomingMessage:
    """One user message from any platform, already stripped of platform specifics."""

    platform: str
    chat_id: str
    user_id: str
    text: str
    language_hint: Language | None = None
    thread_id: str | None = None
    reply_to: str | None = None
    message_id: str | None = None
    is_admin: bool = False
    user_name: str | None = None

    def __post_init__(self) -> None:
        # The one boundary where outside text enters: every adapter builds this type.
        object.__setattr__(self, "text", clean_text(self.text))
        if self.user_name is not None:
            object.__setattr__(self, "user_name", clean_text(self.user_name))

    @property
    def conversation_key(self) -> str:
        """Memory key: one conversation per platform, chat, thread and user."""
        return ":".join((self.platform, self.chat_id, self.thread_id or "-", self.user_id))


@dataclass(frozen=True)
class ProductCard:
    sku: str
    name: str
    price: float | None  # None: the catalog lists no price (never shown as one)
    currency: str
    stock: int | None  # None: stock not tracked (never shown as in or out of stock)
    url: str = ""
    image_url: str = ""
    reason: str = ""
    brand: str = ""
    category: str = ""
    category_label: str = ""  # the category as the shop names it, in the reply language

    @property
    def in_stock(self) -> bool:
        return self.stock is not None and self.stock > 0


@dataclass(frozen=True)
class Choice:
    """A quick reply: ``label`` is shown, ``value`` is sent back as the user's next message."""

    label: str
    value: str


@dataclass
class Reply:
    text: str
    language: Language
    intent: Intent = Intent.UNKNOWN
    cards: list[ProductCard] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    blocked: str | None = None
    degraded: str | None = None
    handoff: bool = False
    latency_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CardsReady:
    """Emitted before generation so adapters can show products at once."""

    cards: list[ProductCard]
    choices: list[Choice]
    language: Language


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ReplyDone:
    reply: Reply


# Shown text is only ever extended: every sentence is checked before it streams, so no event takes text back.
ReplyEvent = CardsReady | TextDelta | ReplyDone
