"""Names shared by the Telegram tests (conftest fixtures are not importable by module name)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from bots.telegram.adapter import TelegramAdapter

ADMIN_ID = 4242
TEST_TOKEN = "123456:TEST-token-not-real"

AdapterFactory = Callable[..., TelegramAdapter]
BotFactory = Callable[..., contextlib.AbstractAsyncContextManager[TelegramAdapter]]
