"""PII: detection across Chinese and international formats, and no PII in any log line."""

from __future__ import annotations

import io
import logging

import pytest

from assistant.safety.pii import PiiRedactor, RedactingLogFilter, install_log_redaction, luhn_valid

SAMPLES = {
    "phone": ["13812345678", "+86 138 1234 5678", "010-62345678", "+44 20 7946 0958", "(415) 555-0132"],
    "email": ["li.lei@example.com", "shopper+tag@mail.example.co.uk"],
    "id_card": ["11010519491231002X", "440308199901011234"],
    "card": ["4539 1488 0343 6467", "5555-5555-5555-4444", "6011111111111117", "3782 822463 10005"],
    "address": ["北京市朝阳区建国路88号3单元501室", "221 Baker Street, Apt 4", "上海市浦东新区世纪大道100号"],
    "ssn": ["123-45-6789"],
    "passport": ["E12345678"],
}


@pytest.mark.parametrize(("kind", "value"), [(k, v) for k, vs in SAMPLES.items() for v in vs])
def test_each_format_is_found_and_redacted(kind: str, value: str) -> None:
    redactor = PiiRedactor()
    text = f"my details: {value} thanks"
    assert kind in redactor.found(text)
    assert value not in redactor.redact(text)
    assert f"[{kind}]" in redactor.redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "order 4539 1488 0343 6468 has not arrived",  # fails Luhn: an order number, kept
        "iPhone 15 Pro 256GB is ¥8999, Sony WH-1000XM5 is ¥2499",
        "30-day returns, 2-year warranty, size 42",
        "tracking SF1234567890",
        # Luhn-valid digit runs in non-card groupings: a release id (a timestamp) and a dated order number
        "release 20261202-124843-41ffed is live",
        "order 2026-1202-124843-41 shipped",
    ],
)
def test_shop_data_is_not_mistaken_for_pii(text: str) -> None:
    assert PiiRedactor().redact(text) == text


def test_luhn() -> None:
    assert luhn_valid("4539148803436467")
    assert not luhn_valid("4539148803436468")


def test_keep_and_partial_masking_are_configurable() -> None:
    text = "email li.lei@example.com phone 13812345678"
    kept = PiiRedactor(keep=("email",), show_last_digits=4).redact(text)
    assert "li.lei@example.com" in kept
    assert "13812345678" not in kept and "5678" in kept


def test_no_pii_survives_in_any_log_line() -> None:
    """Install the redaction, log PII every way code does (args, f-strings, extras, exceptions, child and
    third-party loggers, handlers added later), and scan every line written."""
    stream = io.StringIO()
    early = logging.StreamHandler(stream)
    early.setFormatter(logging.Formatter("%(name)s %(message)s %(detail)s"))
    root = logging.getLogger()
    root.addHandler(early)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    uninstall = install_log_redaction()
    late_stream = io.StringIO()
    late = logging.StreamHandler(late_stream)
    late.setFormatter(logging.Formatter("%(message)s"))
    late.addFilter(RedactingLogFilter())
    root.addHandler(late)
    values = [v for vs in SAMPLES.values() for v in vs]
    try:
        log = logging.getLogger("shopguide.pipeline")
        for value in values:
            log.info("turn user_text=%s", value, extra={"detail": f"contact {value}"})
            log.warning(f"handoff transcript: shopper wrote {value}", extra={"detail": [value]})
            logging.getLogger("httpx").error("request body=%r", {"phone": value}, extra={"detail": ""})
        try:
            raise ValueError(f"bad input {values[0]} {values[5]}")
        except ValueError:
            log.exception("failed", extra={"detail": ""})
    finally:
        uninstall()
        root.removeHandler(early)
        root.removeHandler(late)
        root.setLevel(old_level)
    written = stream.getvalue() + late_stream.getvalue()
    assert written.count("\n") >= len(values) * 3
    for value in values:
        assert value not in written, value
    assert PiiRedactor().found(written) == []
