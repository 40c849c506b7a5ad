"""Each recipient's own link: signed, expiring, carrying only the delivery's id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from schoolbell.alerts.models import Alert
from schoolbell.signing import DAY, public_url, read_id, sign_id

PURPOSE = "recipient"
LINK_DAYS = 60


def is_web_link(url: str | None) -> bool:
    """True for an absolute http(s) address with a host: what an alert's link may be (never
    javascript:, data: or a relative path, which would run or resolve on our own pages)."""
    if not url or any(ord(c) < 0x20 for c in url):
        return False
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("https", "http") and bool(parts.hostname)


def recipient_token(delivery_id: int, issued_at: datetime | None = None) -> str:
    """A token that names one delivery (one person, one alert); the same for every attempt when
    `issued_at` (the alert's send) is given."""
    return sign_id(PURPOSE, delivery_id, issued_at)


def delivery_id_from(token: str) -> int:
    """The delivery a token names; raises InvalidLink when forged or older than LINK_DAYS."""
    return read_id(PURPOSE, token, LINK_DAYS * DAY)


@dataclass(frozen=True)
class LinkTarget:
    """What a recipient link depends on: the alert's lesson, and when it was sent (the token's age)."""

    lesson_slug: str | None
    issued_at: datetime | None

    @classmethod
    def of(cls, alert: Alert) -> LinkTarget:
        """The link target of an alert."""
        return cls(alert.lesson_slug, alert.fanned_out_at)


def recipient_link(target: Alert | LinkTarget, delivery_id: int, language: str) -> str:
    """The page a recipient opens, in their language: the lesson for lesson alerts, else the alert."""
    target = target if isinstance(target, LinkTarget) else LinkTarget.of(target)
    token = recipient_token(delivery_id, target.issued_at)
    if target.lesson_slug:
        return public_url(f"/lessons/{target.lesson_slug}?lang={language}&t={token}")
    return public_url(f"/m/{token}")
