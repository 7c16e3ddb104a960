"""Block Kit rendering: escaping, Slack's length limits, cards and buttons."""

from __future__ import annotations

from assistant.types import Choice, Intent, ProductCard, Reply
from bots.slack.blocks import escape, render_reply, render_streaming, split_text, to_mrkdwn
from bots.slack.limits import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX

CARDS = [
    ProductCard(
        "SG-RUN-0001", "Stridex AeroRun 2", 459.0, "CNY", 155, url="https://shop.example.com/p/1", brand="Stridex"
    ),
    ProductCard("SG-RUN-0002", "Stridex <AeroRun> 3 & Co", 529.0, "CNY", 0),
]


def test_control_characters_are_escaped_everywhere() -> None:
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    reply = Reply(text="Use <!channel> & **enjoy**", language="en", cards=CARDS)
    [message] = render_reply(reply)
    assert message.blocks[0]["text"]["text"] == "Use &lt;!channel&gt; &amp; *enjoy*"
    assert "&lt;AeroRun&gt; 3 &amp; Co" in message.blocks[2]["text"]["text"]
    assert "<!channel>" not in message.text and "&lt;!channel&gt;" in message.text


def test_cards_have_price_and_stock_fields_and_buttons() -> None:
    reply = Reply(
        text="Two picks.", language="zh", intent=Intent.RECOMMEND, cards=CARDS, choices=[Choice("更便宜", "cheaper")]
    )
    [message] = render_reply(reply)
    first, second = message.blocks[1], message.blocks[2]
    assert first["fields"][0]["text"] == "*价格*\n¥459" and first["fields"][1]["text"] == "*库存*\n有货（155）"
    assert second["fields"][1]["text"] == "*库存*\n缺货"
    assert first["text"]["text"].startswith("*<https://shop.example.com/p/1|")
    assert first["accessory"] == {
        "type": "button",
        "text": {"type": "plain_text", "text": "详情", "emoji": True},
        "action_id": "sg_details",
        "value": "SG-RUN-0001",
    }
    actions = message.blocks[-1]
    assert [e["action_id"] for e in actions["elements"]] == ["sg_compare", "sg_choice_0"]
    assert actions["elements"][0]["value"] == "SG-RUN-0001 SG-RUN-0002"
    assert "¥459" in message.text and "缺货" in message.text  # plain-text fallback lists the cards


def test_long_answers_are_split_within_section_limits() -> None:
    text = ("Sentence with & and < that must be escaped. " * 40 + "\n\n") * 6
    messages = render_reply(Reply(text=text, language="en", cards=CARDS[:1]))
    assert len(messages) >= 4
    for message in messages:
        assert len(message.blocks) <= MESSAGE_BLOCKS_MAX
        for block in message.blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= SECTION_TEXT_MAX
    assert all("fields" not in b for m in messages[:-1] for b in m.blocks)  # cards only on the last
    assert any("fields" in b for b in messages[-1].blocks)
    joined = " ".join(split_text(text))
    assert joined.split() == text.split()  # nothing lost at the cuts


def test_split_never_cuts_an_escape_entity() -> None:
    parts = split_text("&" * 5000)
    assert all(len(to_mrkdwn(p)) <= SECTION_TEXT_MAX for p in parts)
    assert "".join(parts) == "&" * 5000


def test_streaming_render_shows_a_cursor_and_the_cards() -> None:
    message = render_streaming("Looking", CARDS, "en")
    assert message.blocks[0]["text"]["text"] == "Looking …"
    assert [b.get("fields") is not None for b in message.blocks[1:]] == [True, True]
    empty = render_streaming("", CARDS, "en")
    assert empty.blocks[0]["text"]["text"] == "…"


def test_slack_markup_becomes_plain_text_for_the_shopper() -> None:
    from bots.slack.app import strip_mentions

    raw = "<@UBOT> <!here> see <https://shop.example.com/p/1|the page> or <https://x.example> in <#C1|support> &amp; hi"
    assert strip_mentions(raw) == "see the page (https://shop.example.com/p/1) or https://x.example in #support & hi"
