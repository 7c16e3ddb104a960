"""Running the Slack bot: Socket Mode by default, or the HTTP Events API with signature checks.

``shopguide serve slack`` (in ``bots.serve``) builds the process and calls ``run_slack``.
"""

from __future__ import annotations

import asyncio
import logging

import typer

from assistant.config import Settings

from .app import SlackBot

log = logging.getLogger("shopguide.slack")


def check_slack_settings(settings: Settings, mode: str) -> str:
    """The mode to run in, or exit 2 naming the missing setting."""
    from ..cli_output import err_console

    if not settings.slack_bot_token.get_secret_value():
        err_console.print("[red]error[/red] set SHOPGUIDE_SLACK_BOT_TOKEN (xoxb-…)")
        raise typer.Exit(code=2)
    if mode == "socket" and not settings.slack_app_token.get_secret_value():
        err_console.print("[red]error[/red] Socket Mode needs SHOPGUIDE_SLACK_APP_TOKEN (xapp-…), or use --http")
        raise typer.Exit(code=2)
    if mode == "http" and not settings.slack_signing_secret.get_secret_value():
        err_console.print("[red]error[/red] HTTP mode needs SHOPGUIDE_SLACK_SIGNING_SECRET")
        raise typer.Exit(code=2)
    return mode


async def run_slack(bot: SlackBot, settings: Settings, mode: str, port: int) -> None:
    """Serve until cancelled (Ctrl-C)."""
    if mode == "http":
        await bot.start_http(settings.slack_http_host, port)
        log.info("slack serving mode=http host=%s port=%d", settings.slack_http_host, bot.http_port)
    else:
        await bot.start_socket_mode(settings.slack_app_token.get_secret_value())
        log.info("slack serving mode=socket")
    await asyncio.Event().wait()
