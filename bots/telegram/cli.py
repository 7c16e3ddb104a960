"""``shopguide serve telegram``: run the Telegram bot with long polling (default) or a webhook."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
import signal
from typing import Annotated
from urllib.parse import urlsplit

import typer

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.errors import ConfigError, PlatformUnreachable, ShopguideError
from assistant.handoff import HandoffService
from assistant.logs import SecretRedactor, configure_logging
from assistant.state.backends import open_ticket_store

from ..cli_groups import serve_app
from .adapter import KbHandler, TelegramAdapter

__all__ = ["SecretRedactor", "run_telegram", "serve_telegram", "webhook_path"]  # SecretRedactor used to live here

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


@serve_app.command("telegram")
def serve_telegram(
    webhook_url: Annotated[
        str | None,
        typer.Option(help="public https URL Telegram posts updates to; without it the bot uses long polling"),
    ] = None,
    listen: Annotated[str | None, typer.Option(help="webhook bind address (default: loopback, behind a proxy)")] = None,
    port: Annotated[int | None, typer.Option(help="webhook port the reverse proxy forwards to")] = None,
    url_path: Annotated[
        str | None, typer.Option(help="local webhook path if the proxy rewrites it (default: the URL's path)")
    ] = None,
) -> None:
    """Run shopguide as a Telegram bot (token from SHOPGUIDE_TELEGRAM_TOKEN in the environment or .env).

    Long polling needs no public address. With --webhook-url every request must carry the secret
    token (SHOPGUIDE_TELEGRAM_WEBHOOK_SECRET, or a fresh random one per start); others get 403.
    """
    from ..cli_output import err_console, report_error

    settings = Settings()
    # The one policy (stderr + file, PII and secret redaction; httpx, whose request lines carry the
    # token, is kept at WARNING there).
    configure_logging(settings, to_stderr=True)
    if not settings.telegram_token.get_secret_value():
        err_console.print("[red]error[/red] no Telegram bot token: set SHOPGUIDE_TELEGRAM_TOKEN (see README, Telegram)")
        raise typer.Exit(code=2)
    handoff = _handoff_desk(settings)
    assistant = _open_assistant(settings, handoff)
    kb = _kb_commands(settings, assistant)

    async def main() -> int:
        adapter = TelegramAdapter(assistant, settings, kb=kb)
        if handoff is not None:
            handoff.register_channel(adapter.shopper_channel())
        try:
            return await run_telegram(
                adapter,
                webhook_url=webhook_url if webhook_url is not None else settings.telegram_webhook_url,
                listen=listen or settings.telegram_webhook_listen,
                port=port or settings.telegram_webhook_port,
                url_path=url_path,
                secret=settings.telegram_webhook_secret.get_secret_value(),
            )
        finally:
            adapter.close()
            await assistant.aclose()

    try:
        code = asyncio.run(main())
    except ShopguideError as exc:
        # No network, a rejected token, a bad webhook setting: one clear line and its fix, no traceback.
        log.error("telegram bot not started code=%s", exc.code)
        report_error(exc)
        raise typer.Exit(code=EXIT_NOT_STARTED if isinstance(exc, PlatformUnreachable) else 2) from exc
    if code == EXIT_CONFLICT:
        err_console.print(f"[red]error[/red] {CONFLICT_MESSAGE}")
    raise typer.Exit(code=code)


def _handoff_desk(settings: Settings) -> HandoffService | None:
    """Human handoff to the Slack staff desk when Slack is configured; staff replies are relayed by the
    Slack process (tickets and conversations live in the shared data directory)."""
    from ..slack.desk import desk_from_settings

    desk = desk_from_settings(settings)
    if desk is None:
        log.info("no staff desk configured: shoppers asking for a human are told none is available")
        return None
    return HandoffService(open_ticket_store(settings), desk=desk)


def _open_assistant(settings: Settings, handoff: HandoffService | None) -> Assistant:
    from ..cli import LoadProgress
    from ..cli_output import err_console, report_error

    # Offline by construction, as for every shopguide command: no hub or telemetry calls.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    try:
        with LoadProgress(True) as progress:
            err_console.print("[dim]loading catalog and model…[/dim]")
            assistant = build_assistant(settings, handoff=handoff, progress=progress)
    except ShopguideError as exc:
        report_error(exc)
        raise typer.Exit(code=2) from exc
    if handoff is not None:
        handoff.bind_memory(assistant.memory)
        handoff.bind_retriever(assistant.knowledge)
    return assistant


def _kb_commands(settings: Settings, assistant: Assistant) -> KbHandler:
    from assistant.admin import KnowledgeAdmin

    from .kb import TelegramKbCommands

    return TelegramKbCommands(KnowledgeAdmin(assistant.knowledge, settings))
