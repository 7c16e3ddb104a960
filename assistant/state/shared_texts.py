"""Short texts every replica can look up by token, with an expiry: a button's long payload (Telegram allows 64
bytes of callback data) written by the replica that sent the button and read by whichever replica gets the press.
"""

from __future__ import annotations

import logging
from typing import Protocol

import redis

log = logging.getLogger("shopguide.state")


class SharedTexts(Protocol):
    def put(self, token: str, text: str) -> bool:
        """Keep ``text`` under ``token``; False when the store could not (the caller keeps it locally)."""
        ...

    def get(self, token: str) -> str | None: ...


class RedisSharedTexts:
    """``<prefix>:<namespace>:<token>`` keys with a time to live. A Redis outage fails soft: ``put`` says so and
    ``get`` answers None (the caller falls back to what it kept itself)."""

    def __init__(self, client: redis.Redis, prefix: str, namespace: str, ttl_s: int) -> None:
        self._client = client
        self._prefix = f"{prefix}:{namespace}:"
        self._ttl_s = ttl_s

    def put(self, token: str, text: str) -> bool:
        try:
            self._client.set(self._prefix + token, text.encode(), ex=self._ttl_s)
        except redis.RedisError as exc:
            log.warning("shared text not stored: %s", type(exc).__name__)
            return False
        return True

    def get(self, token: str) -> str | None:
        try:
            value = self._client.get(self._prefix + token)
        except redis.RedisError as exc:
            log.warning("shared text not read: %s", type(exc).__name__)
            return None
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)
