"""What the fake Telegram Bot API knows of Telegram's wire: its limits, the HTML it accepts, and the
records it keeps of calls, shown messages and scheduled faults."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

BOT_ID = 777000111
BOT_USERNAME = "shopguide_test_bot"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
UPDATE_ID_SPACE = 2**31  # keeps fake update ids in a signed 32-bit range
# Long polls end early so the bot under test stops quickly (PTB waits for the poll in flight on stop).
LONG_POLL_CAP_S = 0.25
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler",
                "blockquote", "span", "tg-emoji"}  # fmt: skip
WRITE_METHODS = {"sendMessage", "editMessageText", "sendPhoto", "editMessageCaption", "editMessageReplyMarkup",
                 "deleteMessage"}  # fmt: skip


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _EntityParser(HTMLParser):
    """Telegram's HTML subset: only known tags, properly nested; returns visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.visible: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'Unexpected end tag "{tag}"'
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def parse_html(text: str) -> tuple[str, str | None]:
    """Visible text and an error description like Telegram's (None when the markup is fine)."""
    if re.search(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", text):
        return text, "Can't parse entities: unsupported HTML entity or unescaped '&'"
    if re.search(r"<(?![a-zA-Z/])", text):
        return text, "Can't parse entities: unexpected '<'"
    parser = _EntityParser()
    parser.feed(text)
    parser.close()
    if parser.error:
        return text, f"Can't parse entities: {parser.error}"
    if parser.stack:
        return text, f"Can't parse entities: can't find end tag corresponding to start tag \"{parser.stack[-1]}\""
    return html.unescape("".join(parser.visible)), None


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float


@dataclass
class ShownMessage:
    """One message as the chat shows it now."""

    chat_id: int
    message_id: int
    text: str = ""  # visible text (markup removed)
    raw: str = ""  # what the bot sent, markup included
    parse_mode: str | None = None
    photo: str | None = None
    reply_markup: dict[str, Any] | None = None
    thread_id: int | None = None
    reply_to: int | None = None
    from_bot: bool = True
    deleted: bool = False
    edits: list[float] = field(default_factory=list)
    sent_at: float = 0.0

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        return list((self.reply_markup or {}).get("inline_keyboard", []))

    @property
    def button_labels(self) -> list[list[str]]:
        return [[b["text"] for b in row] for row in self.buttons]


@dataclass
class Fault:
    method: str
    status: int
    description: str
    parameters: dict[str, Any] | None = None
    when: Callable[[dict[str, Any]], bool] | None = None
    times: int = 1


class TelegramApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
