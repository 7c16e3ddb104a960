"""The one error hierarchy of shopguide (root in ``knowledge.errors``): each error has a stable code."""

from __future__ import annotations

from knowledge.errors import (
    CatalogValidationError,
    JobCancelled,
    KnowledgeError,
    KnowledgeStoreCorrupt,
    ProductNotFound,
    ReleaseNotFound,
    ReloadCancelled,
    ShopguideError,
)

__all__ = [
    "CatalogValidationError",
    "ConfigError",
    "GenerationFailed",
    "GenerationTimeout",
    "JobCancelled",
    "KnowledgeError",
    "KnowledgeStoreCorrupt",
    "ModelUnavailable",
    "PermissionDenied",
    "PlatformUnreachable",
    "ProductNotFound",
    "RateLimited",
    "ReleaseNotFound",
    "ReloadCancelled",
    "ShopguideError",
    "TicketNotFound",
]


class ConfigError(ShopguideError):
    code = "config_error"


class ModelUnavailable(ShopguideError):
    """The LLM cannot be loaded or reached (missing package, bad path, server down)."""

    code = "model_unavailable"


class GenerationFailed(ShopguideError):
    code = "generation_failed"


class GenerationTimeout(GenerationFailed):
    code = "generation_timeout"


class PermissionDenied(ShopguideError):
    code = "permission_denied"


class PlatformUnreachable(ShopguideError):
    """A chat platform's API cannot be reached (no network, DNS, proxy, the platform is down)."""

    code = "platform_unreachable"


class RateLimited(ShopguideError):
    """Platform or per-user back-pressure; wait ``retry_after`` seconds before trying again."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TicketNotFound(ShopguideError):
    """No handoff ticket with that id (a staff member typed a wrong one, or it was purged)."""

    code = "ticket_not_found"
