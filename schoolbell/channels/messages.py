"""The messages a channel backend sends: plain, immutable values."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SmsMessage:
    """One SMS to one recipient; `to` is an E.164 number such as +821012345678."""

    to: str
    body: str
    sender: str | None = None
    status_callback: str | None = None


@dataclass(frozen=True)
class EmailMessage:
    """One email to one recipient, already rendered in its language."""

    to: str
    subject: str
    text: str
    html: str | None = None
    unsubscribe_url: str | None = None
    language: str = "ko"
