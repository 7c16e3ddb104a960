"""Telegram adapter: long polling or webhook, streamed answers, product cards, quick replies, admin commands."""

from __future__ import annotations

from .adapter import TelegramAdapter
from .channel import TelegramShopperChannel

__all__ = ["TelegramAdapter", "TelegramShopperChannel"]
