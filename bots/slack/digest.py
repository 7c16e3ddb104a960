"""The staff's weekly feedback digest in Slack: what shoppers passed on, which questions failed, what they
asked for that the shop does not sell. The Slack app posts it on schedule (``SHOPGUIDE_DIGEST_CHANNEL``,
``_WEEKDAY``, ``_HOUR``); ``shopguide report feedback --slack-channel C…`` and ``/shopguide digest`` post
it at once. It carries counts, SKUs and redacted questions only: nobody is named.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient

from assistant.config import Settings
from assistant.personal.demand import FeedbackReport, feedback_report
from assistant.personal.profile import ProfileStore
from assistant.state.claims import DeliveryClaims

from .blocks import Block, SlackMessage, escape, fallback_text, header
from .limits import SECTION_TEXT_MAX

log = logging.getLogger("shopguide.slack.digest")

DIGEST_DAYS = 7.0  # a weekly digest covers the week before it
DAYS_PER_WEEK = 7
Clock = Callable[[], float]


def _lines(title: str, rows: list[tuple[str, int]], empty: str) -> Block:
    body = "\n".join(f"• {escape(item)} — {n}×" for item, n in rows) if rows else f"_{empty}_"
    return {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*\n{body}"[:SECTION_TEXT_MAX]}}


def digest_message(report: FeedbackReport) -> SlackMessage:
    """The digest as Block Kit: a header, the reaction totals, then one section per list."""
    start = datetime.fromtimestamp(report.since, UTC).strftime("%Y-%m-%d")
    r = report.reactions
    totals = f"{r.get('up', 0)} 👍   {r.get('down', 0)} 👎   {r.get('other', 0)} “show me something else”"
    failed = [(f"👎 {q}", n) for q, n in report.questions_rated_down] + [
        (f"not answered: {q}", n) for q, n in report.questions_unanswered
    ]
    blocks: list[Block] = [
        header(f"Shopper feedback since {start} ({report.days:g} days)"),
        {"type": "section", "text": {"type": "mrkdwn", "text": totals}},
        _lines("What shoppers disliked (items passed on)", report.passed_on_skus, "nothing passed on"),
        _lines("Questions that failed", failed, "none rated down or left unanswered"),
        _lines("Asked for, but we don't sell it", report.not_carried, "nothing asked for that we lack"),
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "From `shopguide report feedback`; no shopper is named."}],
        },
    ]
    text = f"Shopper feedback since {start}: {totals}"
    return SlackMessage(text=fallback_text(text, [], "en"), blocks=blocks)


async def post_digest(client: AsyncWebClient, channel: str, report: FeedbackReport) -> str:
    """Post the digest to ``channel``; returns the message ts."""
    message = digest_message(report)
    response = await client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
    return str(response.get("ts", ""))


def next_slot(after: float, weekday: int, hour: int) -> float:
    """The first time strictly after ``after`` that is ``weekday`` (0 = Monday) at ``hour``:00 UTC."""
    moment = datetime.fromtimestamp(after, UTC)
    slot = (moment - timedelta(days=moment.weekday() - weekday)).replace(hour=hour, minute=0, second=0, microsecond=0)
    while slot.timestamp() <= after:
        slot += timedelta(days=DAYS_PER_WEEK)
    return slot.timestamp()


class DigestSchedule:
    """The Slack app's digest job: sleeps until the next slot, claims it (so of several replicas, or a
    restart within the slot, one posts), and posts last week's digest."""

    def __init__(
        self,
        client: AsyncWebClient,
        store: ProfileStore,
        claims: DeliveryClaims,
        channel: str,
        *,
        weekday: int,
        hour: int,
        clock: Clock = time.time,
    ) -> None:
        self.client = client
        self.store = store
        self.claims = claims
        self.channel = channel
        self.weekday = weekday
        self.hour = hour
        self.clock = clock
        self.posted: list[str] = []  # message ts of each digest this process posted
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run the job on the running loop (the one that runs turns) until ``stop``."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run())

    async def run(self) -> None:
        while True:
            slot = next_slot(self.clock(), self.weekday, self.hour)
            await asyncio.sleep(max(0.0, slot - self.clock()))
            if not self.claims.claim(f"digest:{self.channel}:{int(slot)}"):
                continue  # another replica posted this one
            try:
                report = feedback_report(self.store, DIGEST_DAYS, now=slot)
                self.posted.append(await post_digest(self.client, self.channel, report))
                log.info("slack digest posted channel=%s", self.channel)
            except Exception as exc:  # Slack refused or was down: next week's digest still comes
                log.warning("slack digest_failed channel=%s error=%s", self.channel, type(exc).__name__)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None


def digest_schedule(
    settings: Settings, client: AsyncWebClient, store: ProfileStore, claims: DeliveryClaims
) -> DigestSchedule | None:
    """The scheduled digest when ``SHOPGUIDE_DIGEST_CHANNEL`` is set, else None."""
    if not settings.digest_channel:
        return None
    return DigestSchedule(
        client, store, claims, settings.digest_channel, weekday=settings.digest_weekday, hour=settings.digest_hour
    )
