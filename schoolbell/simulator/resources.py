"""JSON bodies the simulator answers with, shaped like Twilio's API 2010-04-01."""

import secrets
from datetime import UTC, datetime

from aiohttp import web

from schoolbell import timeutil

API_VERSION = "2010-04-01"


def new_sid(prefix: str) -> str:
    """A Twilio-style SID: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc2822(moment: datetime) -> str:
    """An aware time as Twilio writes dates: "Wed, 28 Aug 2024 00:00:00 +0000"."""
    # Hand-formatted: email.utils.format_datetime took half of the handler's own time,
    # and strftime's %a/%b follow the process locale.
    now = moment.astimezone(UTC)
    return (
        f"{_DAYS[now.weekday()]}, {now.day:02d} {_MONTHS[now.month - 1]} {now.year} "
        f"{now.hour:02d}:{now.minute:02d}:{now.second:02d} +0000"
    )


def rfc2822_now() -> str:
    """The current time as Twilio writes dates."""
    return rfc2822(timeutil.utcnow())


def message_resource(
    *,
    sid: str,
    account_sid: str,
    to: str,
    sender: str | None,
    messaging_service_sid: str | None,
    body: str,
    num_segments: int,
    status: str = "queued",
    created: datetime | None = None,
    sent: datetime | None = None,
    updated: datetime | None = None,
    error_code: int | None = None,
    error_message: str | None = None,
) -> dict[str, object]:
    """The Message resource: every property of the spec's schema; times default to now."""
    created_text = rfc2822(created) if created else rfc2822_now()
    uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}"
    return {
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "body": body,
        "date_created": created_text,
        "date_sent": rfc2822(sent) if sent else None,
        "date_updated": rfc2822(updated) if updated else created_text,
        "direction": "outbound-api",
        "error_code": error_code,
        "error_message": error_message,
        "from": sender,
        "messaging_service_sid": messaging_service_sid,
        "num_media": "0",
        "num_segments": str(num_segments),
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": status,
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": to,
        "uri": f"{uri}.json",
    }


def error_body(status: int, code: int, message: str) -> dict[str, object]:
    """Twilio's (pre RFC 9457) error shape, which twilio-python turns into TwilioRestException."""
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def error_response(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """An HTTP answer carrying Twilio's error body."""
    return web.json_response(error_body(status, code, message), status=status, headers=headers)
