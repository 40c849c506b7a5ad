"""Transports for SMS and email: plain messages in, a provider reference or a typed error out."""

from schoolbell.channels.errors import (
    ChannelError,
    MaybeSentError,
    PermanentError,
    RecipientBlockedError,
    TransientError,
)
from schoolbell.channels.messages import EmailMessage, SmsMessage
from schoolbell.channels.registry import make_email_backend, make_sms_backend

__all__ = [
    "ChannelError",
    "EmailMessage",
    "MaybeSentError",
    "PermanentError",
    "RecipientBlockedError",
    "SmsMessage",
    "TransientError",
    "make_email_backend",
    "make_sms_backend",
]
