"""``shopguide serve slack``: Socket Mode by default, or the HTTP Events API with signature checks."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer
from pydantic import SecretStr

from assistant.config import Settings
from assistant.handoff import HandoffService, SQLiteTicketStore

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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # httpx logs each request URL at INFO, and a Telegram Bot API URL carries the bot token (handoff relay).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(_serve(settings, mode, port or settings.slack_http_port))


async def _serve(settings: Settings, mode: str, port: int) -> None:
    from ..cli import open_assistant
    from .app import build_slack_bot
    from .channels import TelegramSendChannel
    from .kb import AdminKbOperations

    handoff = HandoffService(SQLiteTicketStore(settings.handoff_db))
    assistant = open_assistant(settings)
    handoff.bind_memory(assistant.memory)
    handoff.bind_retriever(assistant.knowledge)
    # Staff replies to Telegram shoppers are sent from this process through the Bot API.
    telegram_token = getattr(settings, "telegram_token", None)
    if isinstance(telegram_token, SecretStr) and telegram_token.get_secret_value():
        base = str(getattr(settings, "telegram_api_base_url", "https://api.telegram.org/bot"))
        handoff.register_channel(TelegramSendChannel(telegram_token.get_secret_value(), base_url=base))
    kb = AdminKbOperations.create(settings, assistant)
    bot = build_slack_bot(settings, assistant, handoff=handoff, kb=kb)
    try:
        if mode == "http":
            await bot.start_http(settings.slack_http_host, port)
            log.info("slack serving mode=http host=%s port=%d", settings.slack_http_host, bot.http_port)
        else:
            await bot.start_socket_mode(settings.slack_app_token.get_secret_value())
            log.info("slack serving mode=socket")
        await asyncio.Event().wait()
    finally:
        await bot.aclose()
        await assistant.aclose()
