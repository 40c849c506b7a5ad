"""Choose a backend by short name, as configuration names it ("twilio", "smtp", "file", …)."""

import importlib
from typing import Any

from schoolbell.channels.base import EmailBackend, SmsBackend

# Imported on demand, so choosing "memory" never imports twilio.
_SMS_BACKENDS = {
    "twilio": "schoolbell.channels.twilio_sms:TwilioSmsBackend",
    "console": "schoolbell.channels.console:ConsoleSmsBackend",
    "file": "schoolbell.channels.file:FileSmsBackend",
    "memory": "schoolbell.channels.memory:MemorySmsBackend",
}
_EMAIL_BACKENDS = {
    "smtp": "schoolbell.channels.smtp_email:SmtpEmailBackend",
    "console": "schoolbell.channels.console:ConsoleEmailBackend",
    "file": "schoolbell.channels.file:FileEmailBackend",
    "memory": "schoolbell.channels.memory:MemoryEmailBackend",
}

SMS_BACKEND_NAMES = tuple(_SMS_BACKENDS)
EMAIL_BACKEND_NAMES = tuple(_EMAIL_BACKENDS)


def make_sms_backend(name: str, **options: Any) -> SmsBackend:
    """Build the SMS backend called `name` with its keyword options."""
    return _load("SMS", _SMS_BACKENDS, name)(**options)


def make_email_backend(name: str, **options: Any) -> EmailBackend:
    """Build the email backend called `name` with its keyword options."""
    return _load("email", _EMAIL_BACKENDS, name)(**options)


def _load(kind: str, backends: dict[str, str], name: str) -> Any:
    try:
        target = backends[name]
    except KeyError:
        valid = ", ".join(repr(known) for known in backends)
        raise ValueError(f"unknown {kind} backend {name!r}; valid names: {valid}") from None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)
