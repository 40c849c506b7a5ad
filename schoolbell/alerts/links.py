"""Each recipient's own link: short, signed, expiring, carrying only the delivery's id.

A link is `/m/<code>`: the delivery id in base 62 followed by a 6-character signature (HMAC of the
id with the app's secret), so "/m/" plus the code is 12 characters up to delivery 238,327 and 13 up
to 14.7 million. It holds no personal data; its age is that of the alert's send (the delivery's
alert is read to check it). The long links of earlier messages ("<id>.<time>.<signature>") keep
working until they expire.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from schoolbell import timeutil
from schoolbell.alerts.models import Alert, AlertClass, Delivery
from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from schoolbell.signing import DAY, InvalidLink, public_url, read_id, sign_id

PURPOSE = "recipient"
LINK_DAYS = 60
UNSUBSCRIBE_DAYS = 365  # a mail client's one-click may come from an old email
MESSAGE_PREFIX = "/m/"
UNSUBSCRIBE_PREFIX = "/u/"
_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
_MAC_LENGTH = 6  # 62**6 ≈ 5.7e10 guesses per hit
_SHORT = re.compile(r"[0-9A-Za-z]{7,18}")


def is_web_link(url: str | None) -> bool:
    """True for an absolute http(s) address with a host: what an alert's link may be (never
    javascript:, data: or a relative path, which would run or resolve on our own pages)."""
    if not url or any(ord(c) < 0x20 for c in url):
        return False
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("https", "http") and bool(parts.hostname)


def _base62(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 62)
        digits = _ALPHABET[rest] + digits
        if number == 0:
            return digits


@functools.lru_cache(maxsize=8)
def _key(secret_key: str, purpose: str) -> bytes:
    # One key per purpose: a code made for /u/ is refused on /m/ and the other way round.
    return hashlib.sha256(f"schoolbell.short.{purpose}\x00{secret_key}".encode()).digest()


def _mac(purpose: str, id_part: str) -> str:
    digest = hmac.new(_key(current_app.config["SECRET_KEY"], purpose), id_part.encode(), "sha256").digest()
    return _base62(int.from_bytes(digest[:8], "big") % 62 ** _MAC_LENGTH).rjust(_MAC_LENGTH, "0")


def short_code(delivery_id: int, purpose: str = PURPOSE) -> str:
    """The code in a short link: the id in base 62, then its signature; the same at every call."""
    id_part = _base62(delivery_id)
    return id_part + _mac(purpose, id_part)


def read_short_code(code: str, purpose: str = PURPOSE) -> int:
    """The delivery id of a short code, or InvalidLink when it is malformed or forged (not aged)."""
    if not _SHORT.fullmatch(code):
        raise InvalidLink("not a short link")
    id_part, mac = code[:-_MAC_LENGTH], code[-_MAC_LENGTH:]
    if not hmac.compare_digest(mac, _mac(purpose, id_part)):
        raise InvalidLink("bad signature")
    value = 0
    for ch in id_part:
        value = value * 62 + _ALPHABET.index(ch)
    return value


def recipient_token(delivery_id: int, issued_at: datetime | None = None) -> str:
    """The long token of earlier messages ("<id>.<time>.<signature>"); still read, no longer sent."""
    return sign_id(PURPOSE, delivery_id, issued_at)


def delivery_id_from(token: str, purpose: str = PURPOSE, days: int = LINK_DAYS) -> int:
    """The delivery a link names; InvalidLink when forged, unknown, or older than `days`."""
    delivery_id, age_unchecked = _named_id(token, purpose, days)
    if age_unchecked:
        sent = db.session.execute(select(Alert.fanned_out_at, Alert.created_at)
                                  .join(Delivery, Delivery.alert_id == Alert.id)
                                  .where(Delivery.id == delivery_id)).first()
        if sent is None:
            raise InvalidLink("no such message")
        _refuse_if_old(sent, days)
    return delivery_id


class OpenedLink(NamedTuple):
    """What a recipient's link opens: the message, its alert (with its office) and the person."""

    delivery: Delivery
    alert: Alert
    person: Contact | None  # None once the person was erased


def opened_link(token: str) -> OpenedLink:
    """The delivery a recipient link names with its alert, office and person, read in one round trip
    (a parent's page during a city-wide send: six queries became two); InvalidLink when forged,
    unknown or older than LINK_DAYS."""
    delivery_id, age_unchecked = _named_id(token, PURPOSE, LINK_DAYS)
    found = db.session.execute(
        select(Delivery, Alert, Contact)
        .join(Alert, Alert.id == Delivery.alert_id)
        .join(Alert.office)
        .outerjoin(Contact, Contact.id == Delivery.contact_id)
        .options(contains_eager(Alert.office))
        .where(Delivery.id == delivery_id)).first()
    if found is None:
        raise InvalidLink("no such message")
    if age_unchecked:
        _refuse_if_old(found.Alert, days=LINK_DAYS)
    return OpenedLink(found.Delivery, found.Alert, found.Contact)


def _named_id(token: str, purpose: str, days: int) -> tuple[int, bool]:
    """The delivery id in a link, and whether its age is still to be checked against its alert."""
    if "." in token:  # a long link of an earlier message carries its own time
        if purpose != PURPOSE:
            raise InvalidLink("not a link of this kind")
        return read_id(PURPOSE, token, days * DAY), False
    return read_short_code(token, purpose), True


def _refuse_if_old(alert, days: int) -> None:
    """InvalidLink when the alert (anything with fanned_out_at and created_at) went out over `days` ago."""
    if timeutil.utcnow() - (alert.fanned_out_at or alert.created_at) > timedelta(days=days):
        raise InvalidLink("expired")


@dataclass(frozen=True)
class LinkTarget:
    """What a recipient link depends on: whether it leads to a lesson (kept for callers' sake)."""

    lesson_slug: str | None
    issued_at: datetime | None

    @classmethod
    def of(cls, alert: Alert) -> LinkTarget:
        """The link target of an alert."""
        return cls(alert.lesson_slug if alert.alert_class is AlertClass.CURRICULUM else None,
                   alert.fanned_out_at)


def recipient_link(target: Alert | LinkTarget | None, delivery_id: int, language: str = "ko") -> str:
    """The short link a recipient opens: /m/<code>; a lesson's link leads on to the lesson page."""
    return public_url(MESSAGE_PREFIX + short_code(delivery_id))


def unsubscribe_link(delivery_id: int) -> str:
    """The one-click unsubscribe and preferences link of an email (plain ASCII, valid a year)."""
    return public_url(UNSUBSCRIBE_PREFIX + short_code(delivery_id, "unsubscribe"))
