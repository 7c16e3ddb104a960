"""pytest plugin: scan every log line written during the test session for PII; any hit fails the run.

Enable it for the whole suite with one line in ``tests/conftest.py``:
``pytest_plugins = ("tests.safety.pii_log_scan",)``. It installs the same redaction the app installs
(``install_log_redaction``), logs at INFO like production, keeps its handler on the root logger even when a
test reconfigures logging, and reports each offending line at the end.
"""

from __future__ import annotations

import logging

import pytest

from assistant.safety.pii import PiiRedactor, install_log_redaction

MAX_REPORTED = 20


class PiiScanHandler(logging.Handler):
    """Formats every record like the app does and keeps the lines where PII is still visible."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))
        self.redactor = PiiRedactor()
        self.lines = 0
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # a broken record is the logging module's problem, not a PII leak
            return
        self.lines += 1
        if self.redactor.found(line):
            self.leaks.append(line[:300])


_handler = PiiScanHandler()


def _attach() -> None:
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


def pytest_configure(config: pytest.Config) -> None:
    install_log_redaction()
    _attach()


def pytest_runtest_setup(item: pytest.Item) -> None:
    _attach()  # tests that call configure_logging() replace the root handlers


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"pii log scan: {_handler.lines} log lines, {len(_handler.leaks)} with PII")
    if _handler.leaks:
        for line in _handler.leaks[:MAX_REPORTED]:
            if reporter is not None:
                reporter.write_line(f"  PII in log: {line}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
