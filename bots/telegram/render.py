"""Turn the core's neutral reply parts into Telegram HTML: escaped text, split parts, product cards, keyboards."""

from __future__ import annotations

import html
import re
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from assistant.render import money
from assistant.state.shared_texts import SharedTexts
from assistant.types import Choice, Language, ProductCard
from bots.common.texts import phrase

from .limits import MAX_CALLBACK_DATA_BYTES, MAX_CAPTION_LENGTH, MAX_MESSAGE_LENGTH

LOW_STOCK = 5  # at or below this many, the card says "only N left"
CHOICES_PER_ROW = 2
CALLBACK_STORE_SIZE = 20_000  # long button texts kept in memory; older buttons answer "expired"
CALLBACK_SHARED_TTL_S = 7 * 24 * 3600  # long button texts kept in Redis for replicas: a week of scrolling back
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# Where a long text may be cut, best first: paragraph, line, sentence end, clause, word.
_BREAKS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?])\s+|(?<=[。！？])"),
    re.compile(r"(?<=[,;:，；：、])\s*"),
    re.compile(r"\s+"),
)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def to_html(plain: str) -> str:
    """Escape everything; the only markup we add is bold for ``**text**`` the model sometimes writes."""
    return _BOLD.sub(r"<b>\1</b>", escape(plain))


def to_plain(plain: str) -> str:
    """What the user sees when HTML is rejected: the same words without the bold markers."""
    return _BOLD.sub(r"\1", plain)


def _prefix_fitting(text: str, limit: int) -> int:
    """Largest prefix length (in characters) whose UTF-16 length is within ``limit``."""
    if utf16_len(text) <= limit:
        return len(text)
    count = 0
    for index, char in enumerate(text):
        count += 2 if ord(char) > 0xFFFF else 1
        if count > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split plain text into parts of at most ``limit`` visible characters at the best boundary.

    Splitting happens on the plain text and each part is rendered on its own, so a cut can never fall
    inside an HTML tag or entity. Greedy from the start: for text that only grows (streaming), parts
    already complete never change.
    """
    text = text.strip()
    parts: list[str] = []
    while text:
        fit = _prefix_fitting(text, limit)
        if fit >= len(text):
            parts.append(text)
            break
        window = text[:fit]
        cut = 0
        for pattern in _BREAKS:
            ends = [m.end() for m in pattern.finditer(window) if m.start() > fit // 3]
            if ends:
                cut = ends[-1]
                break
        if cut <= 0:
            cut = fit
        head, text = text[:cut].rstrip(), text[cut:].lstrip()
        if head:
            parts.append(head)
    return parts


# ---- product cards ------------------------------------------------------------------------------
def category_label(card: ProductCard, language: Language) -> str:
    """The shop's name for the card's category (set by the core from the catalog vocabulary)."""
    label = card.category_label or card.category.replace("_", " ")
    return label if language == "zh" else label.lower()


def stock_text(card: ProductCard, language: Language) -> str:
    """Empty when the catalog does not track the item's stock: never guessed."""
    if card.stock is None:
        return ""
    if card.stock <= 0:
        return phrase("out_of_stock", language)
    if card.stock <= LOW_STOCK:
        return phrase("low_stock", language, n=card.stock)
    return phrase("in_stock", language)


def card_caption(card: ProductCard, language: Language) -> str:
    """Name, price, stock and a one-line reason, as HTML, within the caption limit."""
    head = f"<b>{escape(card.name)}</b>\n{escape(price_and_stock(card, language))}"
    reason = " ".join(card.reason.split())
    if not reason:
        return head
    room = MAX_CAPTION_LENGTH - utf16_len(card.name) - 40
    if utf16_len(reason) > room:
        reason = reason[: _prefix_fitting(reason, room - 1)].rstrip() + "…"
    return f"{head}\n<i>{escape(reason)}</i>"


def card_plain(card: ProductCard, language: Language) -> str:
    lines = [card.name, price_and_stock(card, language)]
    if card.reason:
        lines.append(" ".join(card.reason.split()))
    return "\n".join(lines)


def price_and_stock(card: ProductCard, language: Language) -> str:
    price = phrase("no_price", language) if card.price is None else money(card.price, card.currency)
    return " · ".join(part for part in (price, stock_text(card, language)) if part)


def similar_price(price: float) -> int:
    """The budget for "similar under ¥X": the card's price rounded up to a round number."""
    step = 100 if price >= 300 else 50 if price >= 100 else 10
    return int(-(-price // step) * step)


class CallbackTexts:
    """Callback data for a button that sends ``text``: inline when it fits in 64 bytes, else a short token.

    Inline data survives restarts; tokens live in a bounded in-memory map (old ones expire) and, with replicas,
    in the ``shared`` store too, so a button sent by one replica works when another gets the press.
    """

    INLINE = "q:"
    TOKEN = "k:"

    def __init__(self, size: int = CALLBACK_STORE_SIZE, shared: SharedTexts | None = None) -> None:
        self.size = size
        self.shared = shared
        self._texts: OrderedDict[str, str] = OrderedDict()

    def encode(self, text: str) -> str:
        data = self.INLINE + text
        if len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            return data
        token = secrets.token_urlsafe(9)
        if self.shared is not None:
            self.shared.put(token, text)  # on failure the press still works on this replica
        self._texts[token] = text
        while len(self._texts) > self.size:
            self._texts.popitem(last=False)
        return self.TOKEN + token

    def decode(self, data: str) -> str | None:
        """The text the button sends, or None if the button is unknown or expired."""
        if data.startswith(self.INLINE):
            return data[len(self.INLINE) :] or None
        if data.startswith(self.TOKEN):
            token = data[len(self.TOKEN) :]
            local = self._texts.get(token)
            if local is not None or self.shared is None:
                return local
            return self.shared.get(token)
        return None


def card_keyboard(
    card: ProductCard, others: Sequence[ProductCard], language: Language, codec: CallbackTexts
) -> InlineKeyboardMarkup:
    """Details / Compare (with the next card of the same reply) / Similar under ¥X / link to the shop."""
    first_row = [
        InlineKeyboardButton(
            phrase("details", language), callback_data=codec.encode(phrase("details_query", language, sku=card.sku))
        )
    ]
    partner = next((o for o in others if o.sku != card.sku), None)
    if partner is not None:
        query = phrase("compare_query", language, a=card.sku, b=partner.sku)
        first_row.append(InlineKeyboardButton(phrase("compare", language), callback_data=codec.encode(query)))
    rows = [first_row]
    if card.category and card.price is not None:  # no price listed: no budget to be similar under
        price = similar_price(card.price)
        query = phrase("similar_query", language, category=category_label(card, language), price=price)
        label = phrase("similar", language, price=money(price, card.currency))
        rows.append([InlineKeyboardButton(label, callback_data=codec.encode(query))])
    if card.url.startswith(("https://", "http://")):
        rows.append([InlineKeyboardButton(phrase("open_shop", language), url=card.url)])
    return InlineKeyboardMarkup(rows)


def choices_keyboard(choices: Sequence[Choice], codec: CallbackTexts) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    buttons = [InlineKeyboardButton(c.label, callback_data=codec.encode(c.value)) for c in choices]
    rows = [buttons[i : i + CHOICES_PER_ROW] for i in range(0, len(buttons), CHOICES_PER_ROW)]
    return InlineKeyboardMarkup(rows)


@dataclass(frozen=True)
class Part:
    """One Telegram message worth of text, in both renderings."""

    html: str
    plain: str


def render_parts(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[Part]:
    return [Part(to_html(p), to_plain(p)) for p in split_text(text, limit)]
