"""Slack markup in what people write, turned into the plain text the core reads."""

from __future__ import annotations

import re

from .blocks import unescape

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<![^>]*>")


def strip_mentions(text: str) -> str:
    """Slack markup to plain text: mentions and @here dropped, links as "label (url)", channels as #name."""
    text = _SPECIAL.sub("", _MENTION.sub("", text))
    text = _CHANNEL.sub(lambda m: f"#{m.group(1)}", text)
    text = _LINK.sub(
        lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) and m.group(2) != m.group(1) else m.group(1), text
    )
    return unescape(text).strip()
