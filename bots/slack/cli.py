"""``shopguide serve slack``: Socket Mode by default, or the HTTP Events API with signature checks."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Annotated

import typer

from assistant.config import Settings
from assistant.errors import ShopguideError
from assistant.logs import configure_logging

from ..cli_groups import serve_app

log = logging.getLogger("shopguide.slack")


@serve_app.command("slack")
def serve_slack(
    http: Annotated[bool, typer.Option("--http", help="HTTP Events API instead of Socket Mode")] = False,
    port: Annotated[int | None, typer.Option(help="HTTP mode port (default SHOPGUIDE_SLACK_HTTP_PORT)")] = None,
) -> None:
    """Run the staff Slack app: mentions, DMs, /shopguide commands and the handoff desk.

    Needs SHOPGUIDE_SLACK_BOT_TOKEN and either SHOPGUIDE_SLACK_APP_TOKEN (Socket Mode) or
    SHOPGUIDE_SLACK_SIGNING_SECRET (--http).
    """
    from ..cli_output import err_console

    settings = Settings()
    mode = "http" if http else settings.slack_mode
    if not settings.slack_bot_token.get_secret_value():
        err_console.print("[red]error[/red] set SHOPGUIDE_SLACK_BOT_TOKEN (xoxb-…)")
        raise typer.Exit(code=2)
    if mode == "socket" and not settings.slack_app_token.get_secret_value():
        err_console.print("[red]error[/red] Socket Mode needs SHOPGUIDE_SLACK_APP_TOKEN (xapp-…), or use --http")
        raise typer.Exit(code=2)
    if mode == "http" and not settings.slack_signing_secret.get_secret_value():
        err_console.print("[red]error[/red] HTTP mode needs SHOPGUIDE_SLACK_SIGNING_SECRET")
        raise typer.Exit(code=2)
    # The one policy: stderr + file, PII and secret redaction (httpx, whose request lines would carry a
    # Telegram token when relaying, stays at WARNING).
    configure_logging(settings, to_stderr=True)
    asyncio.run(_serve(settings, mode, port or settings.slack_http_port))


async def _serve(settings: Settings, mode: str, port: int) -> None:
    from ..cli import LoadProgress
    from ..cli_output import err_console, report_error
    from .service import build_slack_service

    # Offline by construction, as for every shopguide command: no hub or telemetry calls.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    try:
        with LoadProgress(True) as progress:
            err_console.print("[dim]loading catalog and model…[/dim]")
            service = build_slack_service(settings, progress=progress)
    except ShopguideError as exc:
        report_error(exc)
        raise typer.Exit(code=2) from exc
    bot = service.bot
    try:
        if mode == "http":
            await bot.start_http(settings.slack_http_host, port)
            log.info("slack serving mode=http host=%s port=%d", settings.slack_http_host, bot.http_port)
        else:
            await bot.start_socket_mode(settings.slack_app_token.get_secret_value())
            log.info("slack serving mode=socket")
        await asyncio.Event().wait()
    finally:
        await service.aclose()
