"""The one logging policy of every shopguide command: ``configure_logging`` is called by each entry point.

Records go to stderr (servers; plain key=value lines or JSON lines) and to a rotating file in the data
directory (unless turned off); every record is PII-redacted and no configured secret is ever written.
"""

from __future__ import annotations

import io
import json
import logging
import logging.handlers
import os
import re
import sys
from collections.abc import Iterable
from typing import Any, cast

from pydantic import SecretStr

from knowledge.durable import PRIVATE_FILE_MODE, private_dir

from .config import Settings
from .safety.pii import install_log_redaction

LOG_FORMAT = "ts=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
LOG_FILE_NAME = "shopguide.log"
LOG_FILE_BYTES = 5 * 1024 * 1024
LOG_FILE_BACKUPS = 3
NOISY_LIBRARIES = ("httpx", "chromadb", "httpcore", "urllib3", "jieba", "telegram.ext", "slack_bolt")
# Secrets are also redacted piecewise: the PII redactor may rewrite a token's digits (a Telegram bot id
# looks like a phone number) before this filter sees the record, which would hide the whole-token match.
_SECRET_SEPARATORS = re.compile(r"[:\-]")
MIN_SECRET_PIECE = 12
REDACTED = "<redacted>"
# Marks the handlers this module installed, so a reconfiguration replaces only those (not a test's or an
# embedding application's own handlers).
_OURS = "_shopguide_handler"
# LogRecord attributes that are not ``extra=`` fields.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class SecretRedactor(logging.Filter):
    """Defence in depth: library log lines (a Bot API URL contains the token) never show a secret."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        pieces: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            pieces.add(secret)
            pieces.update(p for p in _SECRET_SEPARATORS.split(secret) if len(p) >= MIN_SECRET_PIECE)
        # Longest first, so a whole token is replaced before one of its pieces could split it.
        self.secrets = sorted(pieces, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        if any(x in message for x in self.secrets):
            for x in self.secrets:
                message = message.replace(x, REDACTED)
            record.msg, record.args = message, None
        if record.exc_text and any(x in record.exc_text for x in self.secrets):
            for x in self.secrets:
                record.exc_text = record.exc_text.replace(x, REDACTED)
        return True


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, ``extra=`` fields and the exception text."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file (also after rotation) is created 0600, whatever the umask."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE_MODE)
        os.fchmod(fd, PRIVATE_FILE_MODE)
        handle = open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115 (the handler owns it)
        return cast(io.TextIOWrapper, handle)


def configured_secrets(settings: Settings) -> list[str]:
    """Every secret in the settings (tokens, signing secrets, API keys): none may reach a log line."""
    values = (getattr(settings, name) for name in type(settings).model_fields)
    return [v.get_secret_value() for v in values if isinstance(v, SecretStr) and v.get_secret_value()]


def configure_logging(settings: Settings, *, to_stderr: bool, level: int = logging.INFO) -> None:
    """Install the policy: stderr when ``to_stderr`` (servers), the rotating file when ``settings.log_file``,
    plain or JSON lines per ``settings.log_format``, PII redaction and secret redaction on every record.

    Safe to call again (a command that opens the assistant after a server configured stderr passes the
    same ``to_stderr``): it replaces only the handlers it installed before.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OURS, False):
            root.removeHandler(handler)
            handler.close()
    handlers: list[logging.Handler] = []
    if settings.log_file:
        private_dir(settings.data_dir)
        handlers.append(
            PrivateRotatingFileHandler(
                settings.data_dir / LOG_FILE_NAME,
                maxBytes=LOG_FILE_BYTES,
                backupCount=LOG_FILE_BACKUPS,
                encoding="utf-8",
            )
        )
    if to_stderr:
        # Containers collect stdout; on a terminal stderr keeps logs apart from command output.
        handlers.append(logging.StreamHandler(sys.stdout if settings.log_stream == "stdout" else sys.stderr))
    formatter = JsonLineFormatter() if settings.log_format == "json" else logging.Formatter(LOG_FORMAT)
    secrets = SecretRedactor(configured_secrets(settings))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(secrets)
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    # Installed after the handlers so its filter also covers ``extra=`` fields on them.
    install_log_redaction()
