"""Render the core's neutral ``Reply`` as Slack Block Kit messages with a plain-text fallback.

Text goes into mrkdwn sections (escaped, split at Slack's limits), products become cards with price and
stock fields and a Details button, and quick replies become buttons.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from assistant.render import money
from assistant.types import Choice, Language, ProductCard, Reply
from bots.common.stream import STREAMING_CURSOR
from bots.common.texts import phrase

from .limits import (
    ACTIONS_ELEMENTS_MAX,
    BUTTON_TEXT_MAX,
    BUTTON_VALUE_MAX,
    HEADER_TEXT_MAX,
    MESSAGE_BLOCKS_MAX,
    MESSAGE_TEXT_MAX,
    SECTION_FIELD_MAX,
    SECTION_TEXT_MAX,
)

Block = dict[str, Any]

ACTION_DETAILS = "sg_details"
ACTION_COMPARE = "sg_compare"
ACTION_CHOICE = "sg_choice"
ACTION_RESOLVE = "sg_resolve"


@dataclass
class SlackMessage:
    """One chat.postMessage/chat.update payload: ``text`` is the notification and screen-reader fallback."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def escape(text: str) -> str:
    """Slack's three control characters (https://api.slack.com/reference/surfaces/formatting#escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


_BOLD = re.compile(r"\*\*(.+?)\*\*")
# Inside ``<url|label>`` a space, ``|``, ``<`` or ``>`` from a catalog URL would end the link early and
# show the rest as text (or markup); everything else a URL may hold stays readable.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def link_target(url: str) -> str:
    """A catalog URL made safe for Slack's link syntax: the characters that would break it percent-encoded."""
    return quote(url, safe=_URL_SAFE)


def to_mrkdwn(text: str) -> str:
    """Escape, then turn Markdown bold (``**x**``) into Slack's ``*x*``."""
    return _BOLD.sub(r"*\1*", escape(text))


def split_text(text: str, limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Split on paragraph, line, sentence or word boundaries so each *rendered* part fits ``limit``."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if len(to_mrkdwn(rest)) <= limit:
            parts.append(rest)
            break
        # escaping only lengthens text, so a cut at ``limit`` raw chars may still be too long: shrink
        cut = limit
        while cut > 1 and len(to_mrkdwn(rest[:cut])) > limit:
            cut = int(cut * 0.9)
        window = rest[:cut]
        best = -1
        for sep in ("\n\n", "\n", "。", ". ", "！", "? ", "？", " "):
            pos = window.rfind(sep)
            if pos > cut // 3:
                best = pos + len(sep)
                break
        end = best if best > 0 else cut
        parts.append(rest[:end].rstrip())
        rest = rest[end:].lstrip()
    return parts or [""]


def _button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:BUTTON_TEXT_MAX], "emoji": True},
        "action_id": action_id,
        "value": value[:BUTTON_VALUE_MAX],
    }
    if style:
        button["style"] = style
    return button


def stock_text(card: ProductCard, language: Language) -> str:
    if card.stock is None:  # the catalog does not track it: neither in nor out of stock is said
        return phrase("stock_not_tracked", language)
    return phrase("in_stock_count", language, n=card.stock) if card.in_stock else phrase("out_of_stock", language)


def price_text(card: ProductCard, language: Language) -> str:
    return phrase("price_not_listed", language) if card.price is None else money(card.price, card.currency)


def card_blocks(card: ProductCard, language: Language, index: int) -> list[Block]:
    title = f"*{escape(card.name)}*"
    if card.url.startswith(("http://", "https://")):
        title = f"*<{link_target(card.url)}|{escape(card.name)}>*"
    lines = [title]
    if card.reason:
        lines.append(f"_{escape(card.reason)}_")
    section: Block = {
        "type": "section",
        "block_id": f"card_{index}_{card.sku}"[:255],
        "text": {"type": "mrkdwn", "text": "\n".join(lines)[:SECTION_TEXT_MAX]},
        "fields": [
            {"type": "mrkdwn", "text": f"*{phrase('price', language)}*\n{escape(price_text(card, language))}"},
            {"type": "mrkdwn", "text": f"*{phrase('stock', language)}*\n{escape(stock_text(card, language))}"},
            {"type": "mrkdwn", "text": f"*SKU*\n`{escape(card.sku)}`"[:SECTION_FIELD_MAX]},
        ],
        "accessory": _button(phrase("details", language), ACTION_DETAILS, card.sku),
    }
    if card.brand:
        section["fields"].append({"type": "mrkdwn", "text": f"*Brand*\n{escape(card.brand)}"[:SECTION_FIELD_MAX]})
    return [section]


def actions_block(cards: Sequence[ProductCard], choices: Sequence[Choice], language: Language) -> Block | None:
    elements: list[Block] = []
    if len(cards) >= 2:
        value = " ".join(c.sku for c in cards[:2])
        elements.append(_button(phrase("compare", language), ACTION_COMPARE, value, style="primary"))
    for i, choice in enumerate(choices):
        button = _button(choice.label, f"{ACTION_CHOICE}_{i}", choice.value)
        elements.append(button)
    if not elements:
        return None
    return {"type": "actions", "block_id": "sg_actions", "elements": elements[:ACTIONS_ELEMENTS_MAX]}


def fallback_text(body: str, cards: Sequence[ProductCard], language: Language) -> str:
    lines = [escape(body)] if body else []
    for card in cards:
        lines.append(f"• {escape(card.name)} — {escape(price_text(card, language))} — {stock_text(card, language)}")
    text = "\n".join(lines)
    return text if len(text) <= MESSAGE_TEXT_MAX else text[: MESSAGE_TEXT_MAX - 1] + "…"


def render_streaming(text: str, cards: Sequence[ProductCard], language: Language) -> SlackMessage:
    """The message while the answer is still streaming: text so far plus the cards, no buttons yet."""
    shown = split_text(text)[0] if text else ""
    # The cursor marks "still writing" until the final render replaces this message.
    cursor = to_mrkdwn(shown) + STREAMING_CURSOR if shown else STREAMING_CURSOR.strip()
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": cursor}}]
    for i, card in enumerate(cards):
        blocks.extend(card_blocks(card, language, i))
    return SlackMessage(text=fallback_text(shown or "…", cards, language), blocks=blocks[:MESSAGE_BLOCKS_MAX])


def render_reply(reply: Reply) -> list[SlackMessage]:
    """One or more messages: long text is split; cards and buttons go on the last message."""
    language = reply.language
    parts = split_text(reply.text) if reply.text else []
    tail: list[Block] = []
    for i, card in enumerate(reply.cards):
        tail.extend(card_blocks(card, language, i))
    actions = actions_block(reply.cards, reply.choices, language)
    if actions is not None:
        tail.append(actions)
    if reply.degraded:
        tail.append({"type": "context", "elements": [{"type": "mrkdwn", "text": phrase("degraded", language)}]})
    messages = [SlackMessage(text=fallback_text(part, [], language), blocks=[_section(part)]) for part in parts] or [
        SlackMessage(text="", blocks=[])
    ]
    last = messages[-1]
    last.blocks.extend(tail)
    last.blocks = last.blocks[:MESSAGE_BLOCKS_MAX]
    last.text = fallback_text(parts[-1] if parts else "", reply.cards, language)
    return messages


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": to_mrkdwn(text)[:SECTION_TEXT_MAX]}}


def text_message(text: str) -> list[SlackMessage]:
    """Plain staff-tool output (copy, reviews, kb): split into sections, no cards."""
    return [SlackMessage(text=fallback_text(part, [], "en"), blocks=[_section(part)]) for part in split_text(text)]


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:HEADER_TEXT_MAX], "emoji": True}}


def resolve_button(ticket_id: str) -> Block:
    return {
        "type": "actions",
        "block_id": f"ticket_{ticket_id}",
        "elements": [_button("Resolve: hand back to the bot", ACTION_RESOLVE, ticket_id, style="danger")],
    }
