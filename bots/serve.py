"""``shopguide serve telegram|slack``: the one place that wires the platforms together.

The handoff desk (tickets in the Slack support channel), the shopper channels staff replies leave
through (Telegram and Slack), the logging policy of a server process and the loading of the assistant
are decided here, so neither adapter imports the other: ``bots.telegram`` and ``bots.slack`` only
know their own platform and ``bots.common``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

import typer
from slack_sdk.web.async_client import AsyncWebClient

from assistant.app import Assistant, Progress, build_assistant
from assistant.config import Settings
from assistant.errors import PlatformUnreachable, ShopguideError
from assistant.handoff import HandoffService
from assistant.logs import configure_logging
from assistant.ports import Generator
from assistant.state.backends import open_ticket_store
from assistant.state.claims import DeliveryClaims
from knowledge.store import KnowledgeStore

from .cli_groups import serve_app
from .slack.app import SlackBot
from .slack.cli import check_slack_settings, run_slack
from .slack.client import make_client
from .slack.commands import KbOperations
from .slack.desk import desk_from_settings
from .slack.kb import AdminKbOperations
from .telegram.adapter import TelegramAdapter
from .telegram.channel import TelegramSendChannel
from .telegram.cli import CONFLICT_MESSAGE, EXIT_CONFLICT, EXIT_NOT_STARTED, run_telegram
from .telegram.turns import KbHandler

log = logging.getLogger("shopguide.serve")

T = TypeVar("T")
KbFactory = Callable[[Settings, Assistant], KbOperations | None]


def server_logging(settings: Settings) -> None:
    """The one policy for a server process: stderr and the log file, PII and secret redaction (httpx,
    whose request lines carry a Telegram token, is kept at WARNING)."""
    configure_logging(settings, to_stderr=True)


def load_for_serving(build: Callable[[Progress], T]) -> T:
    """Build the assistant (or a service around it) behind a progress bar; a failure exits with its fix."""
    from .cli import LoadProgress
    from .cli_output import err_console, report_error

    # Offline by construction, as for every shopguide command: no hub or telemetry calls.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    try:
        with LoadProgress(True) as progress:
            err_console.print("[dim]loading catalog and model…[/dim]")
            return build(progress)
    except ShopguideError as exc:
        report_error(exc)
        raise typer.Exit(code=2) from exc


# ---- the handoff desk and the shopper channels -------------------------------------------------------
def handoff_desk(settings: Settings) -> HandoffService | None:
    """Human handoff to the Slack staff desk when Slack is configured; staff replies are relayed by the
    Slack process (tickets and conversations live in the shared data directory)."""
    desk = desk_from_settings(settings)
    if desk is None:
        log.info("no staff desk configured: shoppers asking for a human are told none is available")
        return None
    return HandoffService(open_ticket_store(settings), desk=desk)


def telegram_relays(settings: Settings, handoff: HandoffService) -> list[TelegramSendChannel]:
    """Staff replies to Telegram shoppers leave from the Slack process (the Telegram one owns updates)."""
    token = settings.telegram_token.get_secret_value()
    if not token:
        return []
    relay = TelegramSendChannel(token, base_url=settings.telegram_api_base_url)
    handoff.register_channel(relay)
    return [relay]


@dataclass
class SlackService:
    """Everything one Slack process runs; ``aclose`` releases it in the reverse order."""

    settings: Settings
    assistant: Assistant
    handoff: HandoffService
    bot: SlackBot
    relays: list[TelegramSendChannel] = field(default_factory=list)

    async def aclose(self) -> None:
        await self.bot.aclose()
        for relay in self.relays:
            with contextlib.suppress(Exception):  # a relay that never connected has nothing to close
                await relay.aclose()
        await self.assistant.aclose()
        self.handoff.tickets.close()


def build_slack_service(
    settings: Settings,
    *,
    generator: Generator | None = None,
    knowledge: KnowledgeStore | None = None,
    client: AsyncWebClient | None = None,
    kb: KbFactory = AdminKbOperations.create,
    seen: DeliveryClaims | None = None,
    progress: Progress | None = None,
) -> SlackService:
    """The Slack process: the assistant (configured model unless ``generator`` is given) with the handoff
    desk, the Telegram relay for staff replies, and the bot (which registers the Slack desk and channel)."""
    handoff = HandoffService(open_ticket_store(settings))
    assistant = build_assistant(
        settings, generator=generator, knowledge=knowledge, handoff=handoff, progress=progress, prime_model=True
    )
    handoff.bind_retriever(assistant.catalog)
    relays = telegram_relays(settings, handoff)
    bot = SlackBot(
        settings,
        assistant,
        client=client or make_client(settings),
        handoff=handoff,
        kb=kb(settings, assistant),
        seen=seen,
    )
    return SlackService(settings, assistant, handoff, bot, relays)


def build_telegram_assistant(settings: Settings, handoff: HandoffService | None, progress: Progress) -> Assistant:
    assistant = build_assistant(settings, handoff=handoff, progress=progress, prime_model=True)
    if handoff is not None:
        handoff.bind_memory(assistant.memory)
        handoff.bind_retriever(assistant.catalog)
    return assistant


def telegram_kb(settings: Settings, assistant: Assistant) -> KbHandler:
    from .telegram.kb import TelegramKbCommands

    return TelegramKbCommands(assistant.release_admin())


# ---- the commands ------------------------------------------------------------------------------------
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
    from .cli_output import err_console, report_error

    settings = Settings()
    server_logging(settings)
    if not settings.telegram_token.get_secret_value():
        err_console.print("[red]error[/red] no Telegram bot token: set SHOPGUIDE_TELEGRAM_TOKEN (see README, Telegram)")
        raise typer.Exit(code=2)
    handoff = handoff_desk(settings)
    assistant = load_for_serving(lambda progress: build_telegram_assistant(settings, handoff, progress))
    kb = telegram_kb(settings, assistant)

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


@serve_app.command("slack")
def serve_slack(
    http: Annotated[bool, typer.Option("--http", help="HTTP Events API instead of Socket Mode")] = False,
    port: Annotated[int | None, typer.Option(help="HTTP mode port (default SHOPGUIDE_SLACK_HTTP_PORT)")] = None,
) -> None:
    """Run the staff Slack app: mentions, DMs, /shopguide commands and the handoff desk.

    Needs SHOPGUIDE_SLACK_BOT_TOKEN and either SHOPGUIDE_SLACK_APP_TOKEN (Socket Mode) or
    SHOPGUIDE_SLACK_SIGNING_SECRET (--http).
    """
    settings = Settings()
    mode = check_slack_settings(settings, "http" if http else settings.slack_mode)
    server_logging(settings)

    async def main() -> None:
        service = load_for_serving(lambda progress: build_slack_service(settings, progress=progress))
        try:
            await run_slack(service.bot, settings, mode, port or settings.slack_http_port)
        finally:
            await service.aclose()

    asyncio.run(main())
