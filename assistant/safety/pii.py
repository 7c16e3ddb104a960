"""Log redaction: every log record passes through the PII redactor (detection lives in ``knowledge.pii``, which
ingestion also uses for review text)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from knowledge.pii import PII_KINDS, PiiRedactor, PiiSpan, luhn_valid

__all__ = [
    "PII_KINDS",
    "PiiRedactor",
    "PiiSpan",
    "RedactingLogFilter",
    "install_log_redaction",
    "luhn_valid",
]

_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None)))


class RedactingLogFilter(logging.Filter):
    """Rewrites a record's message (with its args merged in), extras and exception text, redacted."""

    def __init__(self, redactor: PiiRedactor | None = None) -> None:
        super().__init__()
        self.redactor = redactor or PiiRedactor()

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record, self.redactor)
        return True


def redact_record(record: logging.LogRecord, redactor: PiiRedactor) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        message = str(record.msg)
    record.msg = redactor.redact(message)
    record.args = None
    for key, value in list(vars(record).items()):
        if key not in _RECORD_FIELDS and not key.startswith("_"):
            setattr(record, key, redactor.redact_value(value))
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redactor.redact(record.exc_text)
        record.exc_info = None
    if record.stack_info:
        record.stack_info = redactor.redact(record.stack_info)


_installed: dict[str, Any] = {}


def install_log_redaction(redactor: PiiRedactor | None = None) -> Callable[[], None]:
    """Redact every log record of every logger from now on. Idempotent: the first call returns a function that
    uninstalls it, later calls (which only swap the redactor) return a no-op.

    A record factory redacts message and args at creation, so third-party loggers and handlers added later
    are covered; a ``RedactingLogFilter`` on the root logger's handlers also redacts ``extra=`` fields, which
    logging attaches after the factory ran.
    """
    redactor = redactor or PiiRedactor()
    if "factory" in _installed:
        _installed["redactor"] = redactor
        _installed["filter"].redactor = redactor
        _filter_root_handlers()
        return _keep_installed
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redact_record(record, _installed["redactor"])
        return record

    _installed.update(factory=factory, previous=previous, redactor=redactor, filter=RedactingLogFilter(redactor))
    _installed["handlers"] = []
    _filter_root_handlers()
    logging.setLogRecordFactory(factory)
    return _uninstall


def _filter_root_handlers() -> None:
    """Put the redacting filter on every root handler that lacks it (handlers may be replaced after install)."""
    handler_filter = _installed["filter"]
    for handler in logging.getLogger().handlers:
        if handler_filter not in handler.filters:
            handler.addFilter(handler_filter)
            _installed["handlers"].append(handler)


def _keep_installed() -> None:
    """What a second installer gets back: only the first installer may take the redaction away."""


def _uninstall() -> None:
    previous = _installed.pop("previous", None)
    _installed.pop("factory", None)
    _installed.pop("redactor", None)
    handler_filter = _installed.pop("filter", None)
    for handler in _installed.pop("handlers", []):
        handler.removeFilter(handler_filter)
    if previous is not None:
        logging.setLogRecordFactory(previous)
