"""Process logs: one JSON object a line (LOG_FORMAT=json) or plain text, phones and emails masked.

Every record passes through `PersonalDataFilter` before it is written, whatever logged it (our code,
a library echoing a provider's error): a full phone number or email address never reaches a log.
Delivery logs carry `alert_id`, `delivery_id` and `channel` as fields (`extra=delivery_fields(…)`),
so a log search finds every line about one message without the recipient's address.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from schoolbell.channels.masking import redact

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = ["levelname", "name", "message", "process"]
_OURS = "_schoolbell_handler"


def delivery_fields(delivery) -> dict:
    """The ids a delivery's log lines carry (never its address): pass as `extra=`."""
    return {"alert_id": delivery.alert_id, "delivery_id": delivery.id, "channel": delivery.channel}


class PersonalDataFilter(logging.Filter):
    """Masks every phone number and email address in a record's message and string fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place (its message is rendered now); never drops one."""
        record.msg, record.args = redact(record.getMessage()), None
        for name, value in vars(record).items():
            if name not in _STANDARD and isinstance(value, str):
                setattr(record, name, redact(value))
        return True


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class _RedactingText(logging.Formatter):
    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatException(ei))


class _RedactingJson(JsonFormatter):
    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatException(ei))


def make_formatter(log_format: str) -> logging.Formatter:
    """The formatter for LOG_FORMAT: "json" (timestamp, level, logger, message, process, extras)
    or "text"."""
    if log_format == "json":
        return _RedactingJson(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"},
                              timestamp=True, json_ensure_ascii=False)
    return _RedactingText(TEXT_FORMAT)


def configure_logging(log_format: str = "text", level: str | int = "INFO", stream=None) -> None:
    """Send the root logger's records to stderr (or `stream`) in this format, masked; idempotent."""
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}: {log_format!r}")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(PersonalDataFilter())
    setattr(handler, _OURS, True)
    root.addHandler(handler)
    root.setLevel(level)
