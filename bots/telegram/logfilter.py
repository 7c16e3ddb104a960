"""Keeps shoppers' words out of python-telegram-bot's own log lines.

PTB's webhook handler logs the whole body of an update it cannot parse (message text, names) at
CRITICAL, and every body at DEBUG. A filter on that logger keeps the event and drops the payload.
"""

from __future__ import annotations

import logging

# PTB names the webhook handler's logger after the Updater (telegram/ext/_utils/webhookhandler.py).
PTB_WEBHOOK_LOGGER = "telegram.ext.Updater"
# A body Telegram sent that PTB cannot turn into an Update is a bad request, not a crash of ours.
REJECTED_LEVEL = logging.WARNING
# PTB's own wording for the two records that quote a body (CRITICAL on a parse failure, DEBUG always).
BODY_MARKERS = ("Received data was:", "Webhook received data:")


class WebhookPayloadFilter(logging.Filter):
    """Rewrites PTB records that quote an update body: only its size and the error's type stay.

    Matched by PTB's wording, not by argument type: the PII record factory has already merged the
    arguments into the message by the time a logger's filter runs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not any(marker in message for marker in BODY_MARKERS):
            return True
        error = _error_name(record)
        if record.levelno > REJECTED_LEVEL:
            record.levelno, record.levelname = REJECTED_LEVEL, logging.getLevelName(REJECTED_LEVEL)
        if error:
            record.msg, record.args = "telegram webhook body rejected (not processed) error=%s", (error,)
        else:
            record.msg, record.args = "telegram webhook body withheld chars=%d", (len(message),)
        # The traceback is PTB's parsing internals; the error's type above is what an operator needs.
        record.exc_info, record.exc_text = None, None
        return True


def _error_name(record: logging.LogRecord) -> str | None:
    if record.exc_info and record.exc_info[1] is not None:
        return type(record.exc_info[1]).__name__
    if record.exc_text:
        last = record.exc_text.strip().splitlines()[-1]
        return last.split(":", 1)[0].strip() or None
    return None


def install_payload_filter() -> None:
    """Idempotent: one filter on PTB's webhook logger for the whole process."""
    logger = logging.getLogger(PTB_WEBHOOK_LOGGER)
    if not any(isinstance(f, WebhookPayloadFilter) for f in logger.filters):
        logger.addFilter(WebhookPayloadFilter())
