"""The Slack Web API client every Slack part uses (bot, staff desk), configured once."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from assistant.config import Settings

RATE_LIMIT_RETRIES = 2  # slack-sdk waits Retry-After between attempts


def make_client(settings: Settings, *, base_url: str | None = None) -> AsyncWebClient:
    """slack-sdk's client raises on 429 by default; the retry handler waits ``Retry-After`` and retries."""
    client = AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value() or None,
        base_url=base_url or settings.slack_api_url,
    )
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return client
