"""Exactly-once delivery for the adapters: the claims store lives in the core (``assistant.state.claims``),
where the composition picks SQLite, Postgres or Redis; the name ``SeenIds`` stays for existing callers."""

from __future__ import annotations

from assistant.state.claims import SEEN_TTL_S, SWEEP_EVERY_CLAIMS, DeliveryClaims
from assistant.state.claims import SQLiteDeliveryClaims as SeenIds

__all__ = ["SEEN_TTL_S", "SWEEP_EVERY_CLAIMS", "DeliveryClaims", "SeenIds"]
