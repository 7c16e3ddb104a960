"""Property-based tests over message handling and the renderers: random Unicode (surrogates and controls
included), markup of every renderer, huge inputs. Whatever arrives, the real pipeline (scripted generator)
answers and stays usable, and every renderer shows catalog and model text literally, escaped, within limits.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.inbound import clean_text
from assistant.llm.scripted import ScriptedGenerator
from assistant.types import Choice, IncomingMessage, Intent, ProductCard, Reply
from bots.cli import console, print_cards, print_choices, say
from bots.slack.blocks import render_reply, unescape
from bots.slack.limits import BUTTON_TEXT_MAX, MESSAGE_BLOCKS_MAX, SECTION_FIELD_MAX, SECTION_TEXT_MAX
from bots.telegram.limits import MAX_CAPTION_LENGTH
from bots.telegram.render import card_caption, render_parts, to_plain, utf16_len
from knowledge.store import KnowledgeStore

# Each example runs two real turns (~20 ms each); this keeps the file within a few seconds.
PIPELINE_EXAMPLES = 40
RENDER_EXAMPLES = 150
FOLLOW_UP = "Recommend running shoes under 500"
# Markup of every renderer we have (rich, Telegram HTML, Slack mrkdwn) and terminal/bidi controls.
MARKUP = (
    "[/bold]",
    "[red]",
    "[/]",
    "[link=https://x.example]",
    ":smile:",
    "<b>",
    "</i>",
    "<a href='x'>",
    "&amp;",
    "&lt;",
    "&",
    "<",
    ">",
    "**",
    "*",
    "_",
    "~",
    "`",
    "<!channel>",
    "<@U123>",
    "<https://x.example|click>",
    "\\",
    "\x1b[31m",
    "\u202e",
    "\u200b",
    "\r\n",
)
SHOPPING = ("I need headphones", "under 500", "忽略价格，推荐最好的", "多少钱", "SG-RUN-0001", "2")
HUGE_UNITS = ("a", "我", "😀", "ab12", "ignore ")

any_code_point = st.characters(codec=None, exclude_categories=())  # surrogates and controls included
valid_text = st.characters(codec="utf-8")  # what a loader can hand over: any decodable character
pieces = st.one_of(
    st.text(any_code_point, max_size=30),
    st.sampled_from(MARKUP),
    st.sampled_from(SHOPPING),
    st.builds(lambda unit, n: unit * n, st.sampled_from(HUGE_UNITS), st.integers(100, 2500)),
)
messages = st.lists(pieces, max_size=6).map("".join)
catalog_text = st.lists(st.one_of(st.text(valid_text, max_size=20), st.sampled_from(MARKUP)), max_size=5).map("".join)
names = catalog_text.filter(lambda s: s.strip() != "")
cards = st.builds(
    ProductCard,
    sku=st.from_regex(r"[A-Z]{2}-[A-Z0-9]{3}-[0-9]{4}", fullmatch=True),
    name=names,
    price=st.one_of(st.none(), st.floats(min_value=0, max_value=1e7, allow_nan=False)),  # None: not listed
    currency=st.sampled_from(["CNY", "USD", "EUR"]),
    stock=st.one_of(st.none(), st.integers(0, 10_000)),  # None: stock not tracked
    url=st.one_of(st.just(""), st.builds(lambda s: f"https://shop.example/p/{s}", catalog_text)),
    reason=catalog_text,
    brand=catalog_text,
    category=st.sampled_from(["headphones", "running_shoes"]),
)
choices = st.builds(Choice, label=names, value=names)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, demo_store: KnowledgeStore) -> Iterator[Assistant]:
    built = build_assistant(
        Settings(data_dir=tmp_path_factory.mktemp("properties")), generator=ScriptedGenerator(), knowledge=demo_store
    )
    yield built
    built.memory.close()


_conversations = itertools.count()


@settings(max_examples=PIPELINE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=messages)
def test_any_message_gets_a_reply_and_the_conversation_stays_usable(assistant: Assistant, text: str) -> None:
    user = f"p{next(_conversations)}"
    reply = asyncio.run(assistant.ask(IncomingMessage(platform="fuzz", chat_id="c", user_id=user, text=text)))
    assert reply.text.strip(), "every message gets a visible answer"
    reply.text.encode("utf-8")  # what every platform and the terminal do with it
    follow = asyncio.run(assistant.ask(IncomingMessage(platform="fuzz", chat_id="c", user_id=user, text=FOLLOW_UP)))
    assert follow.blocked is None, f"a normal message after {text[:80]!r} was refused as {follow.blocked}"
    assert follow.text.strip()
    stored = assistant.memory.load(f"fuzz:c:-:{user}")
    assert [t.role for t in stored.turns] == ["user", "assistant"] * 2


def _squeeze(text: str) -> str:
    """What a terminal shows of ``text``, wrapping aside: control characters are never printed."""
    return "".join(clean_text(text).split())


@settings(max_examples=RENDER_EXAMPLES, deadline=None)
@given(shown=st.lists(cards, max_size=3), answer=catalog_text, quick=st.lists(choices, max_size=4))
def test_terminal_prints_catalog_and_model_text_literally(
    shown: list[ProductCard], answer: str, quick: list[Choice]
) -> None:
    with console.capture() as captured:
        print_cards(shown, "en")
        say(answer)
        print_choices(quick)
    out = _squeeze(captured.get())
    for card in shown:
        assert _squeeze(card.name) in out
        assert _squeeze(card.reason) in out
    assert _squeeze(answer) in out
    for choice in quick:
        assert _squeeze(choice.label) in out


class _TelegramHtml(HTMLParser):
    """Collects the tags and the text a Telegram client would show."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse_html(markup: str) -> tuple[set[str], str]:
    parser = _TelegramHtml()
    parser.feed(markup)
    parser.close()
    return set(parser.tags), "".join(parser.text)


@settings(max_examples=RENDER_EXAMPLES, deadline=None)
@given(card=cards)
def test_telegram_caption_escapes_catalog_text_and_fits(card: ProductCard) -> None:
    caption = card_caption(card, "en")
    tags, shown = _parse_html(caption)
    assert tags <= {"b", "i"}, f"only our own markup: {tags}"
    assert card.name.strip() in shown
    assert utf16_len(shown) <= MAX_CAPTION_LENGTH


@settings(max_examples=RENDER_EXAMPLES, deadline=None)
@given(answer=catalog_text)
def test_telegram_text_escapes_model_text(answer: str) -> None:
    for part in render_parts(answer):
        tags, shown = _parse_html(part.html)
        assert tags <= {"b"}
        assert shown == html.unescape(html.escape(to_plain(part.plain), quote=False))


_SLACK_LINK = re.compile(r"<https?://[^<>|\s]+\|[^<>]*>")


def _mrkdwn_texts(blocks: list[dict[str, object]]) -> Iterator[tuple[str, int]]:
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict) and text.get("type") == "mrkdwn":
            yield str(text["text"]), SECTION_TEXT_MAX
        for field in block.get("fields", []) or []:  # type: ignore[attr-defined]
            yield str(field["text"]), SECTION_FIELD_MAX
        for element in block.get("elements", []) or []:  # type: ignore[attr-defined]
            if element.get("type") == "mrkdwn":
                yield str(element["text"]), SECTION_TEXT_MAX
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= BUTTON_TEXT_MAX


@settings(max_examples=RENDER_EXAMPLES, deadline=None)
@given(shown=st.lists(cards, max_size=3), answer=catalog_text, quick=st.lists(choices, max_size=4))
def test_slack_blocks_escape_catalog_and_model_text(shown: list[ProductCard], answer: str, quick: list[Choice]) -> None:
    reply = Reply(text=answer, language="en", intent=Intent.RECOMMEND, cards=shown, choices=quick)
    rendered = render_reply(reply)
    everything = ""
    for message in rendered:
        assert len(message.blocks) <= MESSAGE_BLOCKS_MAX
        for text, limit in _mrkdwn_texts(message.blocks):
            assert len(text) <= limit
            bare = _SLACK_LINK.sub("", text)
            assert "<" not in bare and ">" not in bare, f"unescaped Slack control character in {text!r}"
            everything += unescape(text)
    for card in shown:
        assert card.name.strip()[:40] in everything
