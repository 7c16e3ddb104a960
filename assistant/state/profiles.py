"""The ``ProfileStore`` port in Postgres, beside the shared conversations: a shopper's profile, history and
reactions follow them to whichever replica answers. Each call is one short transaction on the shared pool."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from sqlalchemy import Connection, Engine, delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ..personal.profile import (
    EVENT_BATCH_ROWS,
    Erased,
    Feedback,
    ShopperEvent,
    ShopperProfile,
    ShopRequest,
    preferences_json,
    read_profile,
    stop_if_cancelled,
)
from .sql import retried_on_disconnect, shop_requests, shopper_events, shopper_feedback, shopper_profiles


class PostgresProfileStore:
    """Profiles, events, feedback and unmet requests in the shared database; ``update`` holds a per-shopper
    advisory lock for its transaction, so two replicas learning from one shopper at once both keep theirs."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @retried_on_disconnect
    def load(self, shopper: str) -> ShopperProfile:
        with self._engine.connect() as conn:
            return self._profile(conn, shopper)

    @retried_on_disconnect
    def snapshot(self, shopper: str, limit: int) -> tuple[ShopperProfile, list[ShopperEvent]]:
        # One pooled connection (one checkout and its ping) for both reads: round trips are this store's cost.
        with self._engine.connect() as conn:
            return self._profile(conn, shopper), self._events(conn, shopper, limit)

    @staticmethod
    def _profile(conn: Connection, shopper: str) -> ShopperProfile:
        c = shopper_profiles.c
        row = conn.execute(select(c.profile, c.updated_at).where(c.shopper == shopper)).first()
        return ShopperProfile(shopper=shopper) if row is None else read_profile(shopper, row[0], row[1])

    @staticmethod
    def _events(conn: Connection, shopper: str, limit: int) -> list[ShopperEvent]:
        c = shopper_events.c
        query = select(c.shopper, c.sku, c.kind, c.at, c.source).where(c.shopper == shopper)
        return [ShopperEvent(*r) for r in conn.execute(query.order_by(c.at.desc()).limit(limit))]

    @retried_on_disconnect
    def update(self, shopper: str, change: Callable[[ShopperProfile], None]) -> ShopperProfile:
        with self._engine.begin() as conn:
            # As the SQLite store's synchronous=NORMAL: the commit does not wait for the WAL flush (a crash of
            # the server may lose the last few restated preferences; a flush on every turn that learns one is
            # most of what a turn's profile write costs).
            # A row lock cannot cover a shopper who has no row yet; the advisory lock can. Both in one round trip.
            conn.execute(
                text(
                    "SELECT set_config('synchronous_commit', 'off', true), "
                    "pg_advisory_xact_lock(hashtextextended(:key, 0))"
                ),
                {"key": f"profile:{shopper}"},
            )
            profile = self._profile(conn, shopper)
            change(profile)
            profile.updated_at = time.time()
            statement = pg_insert(shopper_profiles).values(
                shopper=shopper, profile=preferences_json(profile), updated_at=profile.updated_at
            )
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[shopper_profiles.c.shopper],
                    set_={"profile": statement.excluded.profile, "updated_at": statement.excluded.updated_at},
                )
            )
        return profile

    @retried_on_disconnect
    def add_events(
        self,
        events: Sequence[ShopperEvent],
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        rows = [{"shopper": e.shopper, "sku": e.sku, "kind": e.kind, "at": e.at, "source": e.source} for e in events]
        added = 0
        # One transaction for the whole file: JobCancelled (or any error) inside it rolls every batch back.
        with self._engine.begin() as conn:
            for start in range(0, len(rows), EVENT_BATCH_ROWS):
                stop_if_cancelled(cancel)
                batch = rows[start : start + EVENT_BATCH_ROWS]
                # RETURNING counts what was new (a multi-row insert's rowcount is not reliable across drivers).
                statement = pg_insert(shopper_events).values(batch).on_conflict_do_nothing()
                added += len(conn.execute(statement.returning(shopper_events.c.sku)).all())
                if progress is not None:
                    progress(start + len(batch), len(rows))
            stop_if_cancelled(cancel)
        return added

    def events(self, shopper: str, limit: int = 200) -> list[ShopperEvent]:
        with self._engine.connect() as conn:
            return self._events(conn, shopper, limit)

    def all_events(self) -> Iterator[ShopperEvent]:
        c = shopper_events.c
        with self._engine.connect() as conn:
            rows = conn.execute(select(c.shopper, c.sku, c.kind, c.at, c.source).order_by(c.at)).all()
        return (ShopperEvent(*r) for r in rows)

    @retried_on_disconnect
    def add_feedback(self, feedback: Feedback) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(shopper_feedback).values(
                    shopper=feedback.shopper,
                    conversation=feedback.conversation,
                    turn_at=feedback.turn_at,
                    reaction=feedback.reaction,
                    skus=json.dumps(list(feedback.skus)),
                    question=feedback.question,
                    at=feedback.at or time.time(),
                )
            )

    def feedback_since(self, at: float) -> list[Feedback]:
        c = shopper_feedback.c
        query = (
            select(c.reaction, c.conversation, c.turn_at, c.skus, c.question, c.shopper, c.at)
            .where(c.at >= at)
            .order_by(c.at, c.id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Feedback(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5], r[6]) for r in rows]

    @retried_on_disconnect
    def add_request(self, request: ShopRequest) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(shop_requests).values(
                    kind=request.kind,
                    text=request.text,
                    language=request.language,
                    sku=request.sku,
                    at=request.at or time.time(),
                )
            )

    def requests_since(self, at: float) -> list[ShopRequest]:
        c = shop_requests.c
        query = select(c.kind, c.text, c.language, c.at, c.sku).where(c.at >= at).order_by(c.at, c.id)
        with self._engine.connect() as conn:
            return [ShopRequest(*r) for r in conn.execute(query)]

    def erase(self, shopper: str) -> Erased:
        with self._engine.begin() as conn:
            counts = [
                int(conn.execute(delete(table).where(table.c.shopper == shopper)).rowcount)
                for table in (shopper_profiles, shopper_events, shopper_feedback)
            ]
        return Erased(*counts)

    def purge_older_than(self, seconds: float, *, dry_run: bool = False) -> Erased:
        cutoff = time.time() - seconds
        aged = (
            (shopper_profiles, shopper_profiles.c.updated_at),
            (shopper_feedback, shopper_feedback.c.at),
            (shop_requests, shop_requests.c.at),
        )
        with self._engine.begin() as conn:
            if dry_run:
                counts = [
                    int(conn.execute(select(func.count()).select_from(t).where(col < cutoff)).scalar_one())
                    for t, col in aged
                ]
            else:
                counts = [int(conn.execute(delete(t).where(col < cutoff)).rowcount) for t, col in aged]
        # A request names nobody: it is counted with the feedback it sits beside in the report.
        return Erased(profiles=counts[0], feedback=counts[1] + counts[2])

    def close(self) -> None:
        """The engine is shared with the other stores; its owner disposes of it."""
