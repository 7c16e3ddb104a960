"""Logging setup: structured key=value lines to a rotating file, every record PII-redacted.

Interactive commands keep the terminal clean (the file only); servers also log to stderr.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
from typing import cast

from knowledge.durable import PRIVATE_FILE_MODE, private_dir

from .config import Settings
from .safety.pii import install_log_redaction

LOG_FORMAT = "ts=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
LOG_FILE_BYTES = 5 * 1024 * 1024
LOG_FILE_BACKUPS = 3
NOISY_LIBRARIES = ("httpx", "chromadb", "httpcore", "urllib3", "jieba", "telegram.ext", "slack_bolt")


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file (also after rotation) is created 0600, whatever the umask."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE_MODE)
        os.fchmod(fd, PRIVATE_FILE_MODE)
        handle = open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115 (the handler owns it)
        return cast(io.TextIOWrapper, handle)


def configure_logging(settings: Settings, *, to_stderr: bool, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    private_dir(settings.data_dir)
    handlers: list[logging.Handler] = [
        PrivateRotatingFileHandler(
            settings.data_dir / "shopguide.log", maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
        )
    ]
    if to_stderr:
        handlers.append(logging.StreamHandler())
    formatter = logging.Formatter(LOG_FORMAT)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    # Installed after the handlers so its filter also covers ``extra=`` fields on them.
    install_log_redaction()
