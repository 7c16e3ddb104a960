"""Running the Telegram bot with long polling (default) or a webhook, until stopped or in conflict.

``shopguide serve telegram`` (in ``bots.serve``) builds the adapter and calls ``run_telegram``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import signal
from urllib.parse import urlsplit

from assistant.errors import ConfigError
from assistant.logs import SecretRedactor

from .adapter import TelegramAdapter

__all__ = ["SecretRedactor", "run_telegram", "webhook_path"]  # SecretRedactor used to live here

log = logging.getLogger("shopguide.telegram.cli")

EXIT_CONFLICT = 3
EXIT_NOT_STARTED = 4  # the platform could not be reached; a supervisor may retry later
# Bot API setWebhook secret_token: "1-256 characters. Only characters A-Z, a-z, 0-9, _ and - are allowed."
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
CONFLICT_MESSAGE = (
    "Telegram answered 409 Conflict: another process is already receiving updates for this bot token "
    "(a second `shopguide serve telegram`, or a webhook set elsewhere). Stop the other instance, or run "
    "only one of polling and webhook mode, then start again."
)


def webhook_path(url: str, override: str | None) -> str:
    """The path the local server listens on: the public URL's path unless a proxy rewrites it."""
    if override is not None:
        return override.strip("/")
    return urlsplit(url).path.strip("/")


async def run_telegram(
    adapter: TelegramAdapter,
    *,
    webhook_url: str = "",
    listen: str = "127.0.0.1",
    port: int = 8443,
    url_path: str | None = None,
    secret: str = "",
    stop: asyncio.Event | None = None,
) -> int:
    """Serve until ``stop`` is set (or SIGINT/SIGTERM); returns the process exit code."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    if webhook_url:
        if not webhook_url.startswith("https://"):
            raise ConfigError("the webhook URL must be https://", hint="Telegram only delivers webhooks over HTTPS")
        if secret and not WEBHOOK_SECRET.fullmatch(secret):
            raise ConfigError(
                "the webhook secret may only contain A-Z, a-z, 0-9, _ and - (1-256 characters)",
                hint="set SHOPGUIDE_TELEGRAM_WEBHOOK_SECRET to e.g. the output of `openssl rand -hex 32`",
            )
        running = adapter.webhook(
            url=webhook_url,
            listen=listen,
            port=port,
            url_path=webhook_path(webhook_url, url_path),
            secret=secret or secrets.token_urlsafe(32),
        )
    else:
        running = adapter.polling()
    async with running:
        log.info("telegram bot running mode=%s", "webhook" if webhook_url else "polling")
        waits = [asyncio.create_task(stop.wait()), asyncio.create_task(adapter.conflict.wait())]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in waits:
            task.cancel()
    return EXIT_CONFLICT if adapter.conflict.is_set() else 0
