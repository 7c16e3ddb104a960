"""``profile`` and ``forget`` (a shopper's own controls) and ``digest`` (staff) as Slack commands."""

from __future__ import annotations

from assistant.app import Assistant
from assistant.personal.demand import feedback_report
from assistant.types import IncomingMessage

from .blocks import SlackMessage, text_message
from .digest import DIGEST_DAYS, digest_message

PERSONAL_COMMANDS = ("profile", "forget", "digest")
DIGEST_DENIED = "Sorry, `digest` is for shopguide admins only."


def personal_reply(
    assistant: Assistant, name: str, user: str, channel: str, thread_ts: str | None, *, admin: bool
) -> list[SlackMessage]:
    """What the command answers: the core's /profile or /forget text for this user (a profile is shown only
    in a DM, as on every surface), or this week's feedback digest for an admin."""
    if name == "digest":
        if not admin:
            return text_message(DIGEST_DENIED)
        return [digest_message(feedback_report(assistant.personaliser.store, DIGEST_DAYS))]
    message = IncomingMessage(platform="slack", chat_id=channel, user_id=user, text="", thread_id=thread_ts)
    return text_message(assistant.profile(message) if name == "profile" else assistant.forget(message)[0])
