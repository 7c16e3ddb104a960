"""Safety tests use the real classifier and the real sentence encoder (loaded once per session)."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.ports import SafetyCheck
from assistant.safety import build_input_checks
from assistant.safety.input_filters import ClassifierCheck


@pytest.fixture(scope="session")
def input_checks() -> list[SafetyCheck]:
    checks = build_input_checks(Settings())
    for check in checks:
        if isinstance(check, ClassifierCheck):
            check.warm_up()
    return checks
