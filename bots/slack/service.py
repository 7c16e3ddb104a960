"""The Slack process, wired once: ``shopguide serve slack`` and the tests build it through ``build_slack_service``.

The assistant is built with the handoff service, so a Slack shopper who asks for a human gets a ticket in
the support channel; staff replies to Telegram shoppers leave through the Bot API from this process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk.web.async_client import AsyncWebClient

from assistant.app import Assistant, Progress, build_assistant
from assistant.config import Settings
from assistant.handoff import HandoffService
from assistant.ports import Generator
from assistant.state.backends import open_ticket_store
from assistant.state.claims import DeliveryClaims
from knowledge.store import KnowledgeStore

from .app import SlackBot, make_client
from .channels import TelegramSendChannel
from .commands import KbOperations
from .kb import AdminKbOperations

KbFactory = Callable[[Settings, Assistant], KbOperations | None]


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
    """Build the assistant (configured model unless ``generator`` is given), the handoff desk and the bot."""
    handoff = HandoffService(open_ticket_store(settings))
    assistant = build_assistant(settings, generator=generator, knowledge=knowledge, handoff=handoff, progress=progress)
    handoff.bind_retriever(assistant.knowledge)
    relays: list[TelegramSendChannel] = []
    token = settings.telegram_token.get_secret_value()
    if token:
        # Staff replies to Telegram shoppers are sent from this process (the Telegram one owns updates).
        relays.append(TelegramSendChannel(token, base_url=settings.telegram_api_base_url))
        handoff.register_channel(relays[-1])
    bot = SlackBot(
        settings,
        assistant,
        client=client or make_client(settings),
        handoff=handoff,
        kb=kb(settings, assistant),
        seen=seen,
    )
    return SlackService(settings, assistant, handoff, bot, relays)
