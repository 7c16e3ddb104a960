"""What shoppers asked for that the shop could not give, and the staff report built from it and from their
reactions (``shopguide report feedback`` and the weekly Slack digest read the same ``FeedbackReport``).

Requests are kept without a shopper or a conversation: a kind of item the shop does not sell, or a question
about a product nobody could answer, with its PII redacted before it is stored.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..safety.pii import PiiRedactor
from ..types import Language
from .profile import ProfileStore, ShopRequest

log = logging.getLogger("shopguide.personal")

SECONDS_PER_DAY = 86_400.0
# A request is a short phrase or one question: longer text is cut (it is read by staff in a list).
REQUEST_TEXT_MAX = 200
TOP_ROWS = 10  # rows per list in the report and the digest


class UnmetRequests:
    """Records requests the shop could not meet. A failed write is logged and dropped: a line missing from a
    staff report is better than a shopper's answer lost to it."""

    def __init__(self, store: ProfileStore, redactor: PiiRedactor) -> None:
        self.store = store
        self.redactor = redactor

    def not_carried(self, item: str, language: Language) -> None:
        self._add(ShopRequest("not_carried", self._clean(item).lower(), language, time.time()))

    def unanswered(self, question: str, sku: str, language: Language) -> None:
        self._add(ShopRequest("unanswered", self._clean(question), language, time.time(), sku))

    def _clean(self, text: str) -> str:
        return " ".join(self.redactor.redact(text).split())[:REQUEST_TEXT_MAX]

    def _add(self, request: ShopRequest) -> None:
        if not request.text:
            return
        try:
            self.store.add_request(request)
        except Exception as exc:
            log.warning("unmet_request_not_stored kind=%s error=%s", request.kind, type(exc).__name__)


@dataclass
class FeedbackReport:
    """Reactions and unmet requests of one period, counted for staff."""

    days: float
    since: float
    reactions: dict[str, int] = field(default_factory=dict)
    passed_on_skus: list[tuple[str, int]] = field(default_factory=list)
    questions_rated_down: list[tuple[str, int]] = field(default_factory=list)
    questions_unanswered: list[tuple[str, int]] = field(default_factory=list)
    not_carried: list[tuple[str, int]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            any(self.reactions.values()) or self.passed_on_skus or self.questions_unanswered or self.not_carried
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "reactions": self.reactions,
            "passed_on_skus": self.passed_on_skus,
            "questions_rated_down": self.questions_rated_down,
            "questions_unanswered": self.questions_unanswered,
            "not_carried": self.not_carried,
        }


def feedback_report(store: ProfileStore, days: float, *, now: float | None = None) -> FeedbackReport:
    since = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    rows = store.feedback_since(since)
    requests = store.requests_since(since)
    totals = Counter(r.reaction for r in rows)
    return FeedbackReport(
        days=days,
        since=since,
        reactions={k: totals.get(k, 0) for k in ("up", "down", "other")},
        passed_on_skus=Counter(sku for r in rows if r.reaction != "up" for sku in r.skus).most_common(TOP_ROWS),
        questions_rated_down=Counter(r.question for r in rows if r.reaction == "down" and r.question).most_common(
            TOP_ROWS
        ),
        questions_unanswered=Counter(
            f"{r.text} ({r.sku})" if r.sku else r.text for r in requests if r.kind == "unanswered"
        ).most_common(TOP_ROWS),
        not_carried=Counter(r.text for r in requests if r.kind == "not_carried").most_common(TOP_ROWS),
    )
