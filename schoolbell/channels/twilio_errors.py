"""Translate what twilio-python and aiohttp raise into the channel's typed errors."""

from datetime import UTC
from email.utils import parsedate_to_datetime

import aiohttp
from twilio.base.exceptions import TwilioRestException, TwilioServiceException

from schoolbell import timeutil
from schoolbell.channels.errors import (
    ChannelError,
    MaybeSentError,
    PermanentError,
    RecipientBlockedError,
    TransientError,
)
from schoolbell.channels.masking import redact

UNSUBSCRIBED = 21610
TOO_MANY_REQUESTS = 20429


def from_twilio_error(
    error: TwilioRestException | TwilioServiceException, retry_after: str | None = None
) -> ChannelError:
    """Map an HTTP error answer of the Twilio API; `retry_after` is its Retry-After header."""
    status = int(error.status)
    code = _int_or_none(error.code)
    reason = redact(_reason(error))
    if status == 429 or code == TOO_MANY_REQUESTS or status >= 500:
        return TransientError(reason, code or status, parse_retry_after(retry_after))
    if code == UNSUBSCRIBED:
        return RecipientBlockedError(reason, code)
    return PermanentError(reason, code or status)


def from_transport_error(error: Exception) -> ChannelError:
    """Map a failure to talk to the API: retryable only when the request cannot have been sent."""
    # Refused, DNS, proxy and TLS failures are all ClientConnectorError: nothing went out.
    if isinstance(error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return TransientError(f"could not connect: {type(error).__name__}")
    # A read timeout, a reset or a broken answer after the POST went out: Twilio may hold the
    # message, and its Messages API has no idempotency key, so a retry could send it twice.
    return MaybeSentError(f"request may have been sent: {type(error).__name__}")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header, given as seconds or as an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - timeutil.utcnow()).total_seconds())


def _reason(error: TwilioRestException | TwilioServiceException) -> str:
    if isinstance(error, TwilioServiceException):
        return error.detail or error.title
    # twilio-python prefixes the API's message with its own ("Unable to create record: …").
    message = str(error.msg)
    return message.split(": ", 1)[1] if message.startswith("Unable to ") else message


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
