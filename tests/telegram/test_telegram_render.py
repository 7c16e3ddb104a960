"""Rendering, splitting, callback data and pacing: the pure parts of the adapter."""

from __future__ import annotations

import re

from assistant.factcheck import PRICE_RE
from assistant.quantities import NUMBER
from assistant.types import Choice, ProductCard
from bots.telegram.flow import FlowControl, UserRateLimiter
from bots.telegram.limits import MAX_CALLBACK_DATA_BYTES, MAX_CAPTION_LENGTH, MAX_MESSAGE_LENGTH
from bots.telegram.render import (
    CallbackTexts,
    card_caption,
    card_keyboard,
    choices_keyboard,
    render_parts,
    split_text,
    to_html,
    utf16_len,
)
from shopguide_testkit.fake_bot_api import parse_html


def paragraph(n: int) -> str:
    return " ".join(f"Sentence {n}.{i} about running shoes and returns." for i in range(12))


def test_long_text_splits_at_paragraphs_within_the_limit() -> None:
    text = "\n\n".join(paragraph(n) for n in range(20))  # about 11,000 characters
    parts = split_text(text)
    assert len(parts) == 3
    assert all(utf16_len(p) <= MAX_MESSAGE_LENGTH for p in parts)
    # every cut falls between paragraphs: each part starts a paragraph and ends a sentence
    assert all(p.startswith("Sentence") and p.endswith("returns.") for p in parts)
    assert "\n\n".join(parts) == text


def test_one_huge_paragraph_splits_at_sentence_ends_and_counts_utf16() -> None:
    text = " ".join(f"第{i}句话，这双鞋很轻😀。" for i in range(900))
    parts = split_text(text)
    assert len(parts) >= 3
    assert all(utf16_len(p) <= MAX_MESSAGE_LENGTH for p in parts)
    assert all(p.endswith("。") for p in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_html_escapes_everything_but_our_bold() -> None:
    raw = "Price <¥500> & **waterproof** <b>not ours</b>"
    html = to_html(raw)
    assert html == "Price &lt;¥500&gt; &amp; <b>waterproof</b> &lt;b&gt;not ours&lt;/b&gt;"
    visible, error = parse_html(html)
    assert error is None
    assert visible == "Price <¥500> & waterproof <b>not ours</b>"


def test_split_parts_are_each_valid_html_even_with_markup_near_the_cut() -> None:
    text = ("**bold words** & <tags> " * 400).strip()
    parts = render_parts(text)
    assert len(parts) > 1
    for part in parts:
        visible, error = parse_html(part.html)
        assert error is None
        assert utf16_len(visible) <= MAX_MESSAGE_LENGTH


def card(**kw: object) -> ProductCard:
    base: dict[str, object] = {
        "sku": "SG-RUN-0001",
        "name": "Stridex <AeroRun> 2",
        "price": 459.0,
        "currency": "CNY",
        "stock": 3,
        "url": "https://shop.example.com/p/sg-run-0001",
        "reason": "light & fast",
        "category": "running_shoes",
    }
    base.update(kw)
    return ProductCard(**base)  # type: ignore[arg-type]


def test_card_caption_escapes_and_fits() -> None:
    caption = card_caption(card(reason="very long reason " * 200), "en")
    visible, error = parse_html(caption)
    assert error is None
    assert visible.startswith("Stridex <AeroRun> 2\n¥459 · Only 3 left\nvery long reason")
    assert utf16_len(visible) <= MAX_CAPTION_LENGTH


def test_card_keyboard_layout_and_button_texts() -> None:
    codec = CallbackTexts()
    first, second = card(), card(sku="SG-RUN-0002", name="AeroRun 3")
    markup = card_keyboard(first, [second], "en", codec)
    labels = [[b.text for b in row] for row in markup.inline_keyboard]
    assert labels == [["Details", "Compare"], ["Similar under ¥500"], ["View in shop"]]
    sent = [codec.decode(b.callback_data) for row in markup.inline_keyboard for b in row if b.callback_data]
    assert sent == [
        "details SG-RUN-0001",
        "compare SG-RUN-0001 and SG-RUN-0002",
        "just recommend running shoes under 500",
    ]
    assert markup.inline_keyboard[2][0].url == "https://shop.example.com/p/sg-run-0001"
    zh = card_keyboard(first, [], "zh", codec)
    assert [[b.text for b in row] for row in zh.inline_keyboard] == [["详情"], ["¥500以内的同类"], ["去店铺看看"]]


def test_long_choice_values_use_tokens_that_decode_back() -> None:
    codec = CallbackTexts()
    value = "我想要一双适合在雨天的山路上跑步的防水越野跑鞋，预算八百元以内"
    markup = choices_keyboard([Choice("雨天越野", value), Choice("Cheap", "under 300")], codec)
    assert markup is not None
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert all(isinstance(d, str) and len(d.encode()) <= MAX_CALLBACK_DATA_BYTES for d in data)
    assert [codec.decode(str(d)) for d in data] == [value, "under 300"]
    assert CallbackTexts().decode(str(data[0])) is None  # a restart forgets tokens: "expired"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_chat_budget_allows_a_burst_then_one_per_second_and_429_holds_only_that_chat() -> None:
    clock = Clock()
    flow = FlowControl(chat_rate=1.0, chat_burst=4, clock=clock)
    waits = [flow.reserve(1) for _ in range(6)]
    assert waits == [0.0, 0.0, 0.0, 0.0, 1.0, 2.0]
    flow.hold(2, 5.0)
    assert flow.reserve(2) == 5.0
    assert flow.reserve(3) == 0.0


def test_group_budget_is_twenty_a_minute() -> None:
    clock = Clock()
    flow = FlowControl(chat_rate=100.0, chat_burst=100, clock=clock)
    waits = [flow.reserve(-5, is_group=True) for _ in range(21)]
    assert waits[:20] == [0.0] * 20
    assert 2.9 <= waits[20] <= 3.1


def test_user_rate_limit_refuses_and_says_so_once() -> None:
    clock = Clock()
    limiter = UserRateLimiter(3, clock=clock)
    assert [limiter.check("u")[0] for _ in range(3)] == [True, True, True]
    allowed, retry_in, tell = limiter.check("u")
    assert (allowed, tell) == (False, True) and 59 <= retry_in <= 60
    assert limiter.check("u")[2] is False
    assert limiter.check("other")[0] is True
    clock.now += 61
    assert limiter.check("u")[0] is True


def test_log_lines_never_show_the_token() -> None:
    import logging

    from bots.telegram.cli import SecretRedactor

    record = logging.LogRecord("httpx", logging.INFO, "", 0, "POST %s/getUpdates", ("https://x/bot123:SECRET",), None)
    assert SecretRedactor(["123:SECRET", ""]).filter(record)
    assert record.getMessage() == "POST https://x/bot<redacted>/getUpdates"


def test_prices_end_where_the_number_does() -> None:
    # The shipped model writes "¥399," mid-sentence; the comma is punctuation, not a thousands separator.
    text = "The Stridex is ¥399, the Trail Pro ¥1,299. Sizes 40,41 in stock."
    assert re.findall(rf"¥{NUMBER}", text) == ["¥399", "¥1,299"]
    assert [m.group(1) for m in PRICE_RE.finditer(text)] == ["399", "1,299"]
