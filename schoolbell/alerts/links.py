"""Each recipient's own link: signed, expiring, carrying only the delivery's id."""

from __future__ import annotations

from datetime import datetime

from schoolbell.alerts.models import Alert
from schoolbell.signing import DAY, public_url, read_id, sign_id

PURPOSE = "recipient"
LINK_DAYS = 60


def recipient_token(delivery_id: int, issued_at: datetime | None = None) -> str:
    """A token that names one delivery (one person, one alert); the same for every attempt when
    `issued_at` (the alert's send) is given."""
    return sign_id(PURPOSE, delivery_id, issued_at)


def delivery_id_from(token: str) -> int:
    """The delivery a token names; raises InvalidLink when forged or older than LINK_DAYS."""
    return read_id(PURPOSE, token, LINK_DAYS * DAY)


def recipient_link(alert: Alert, delivery_id: int, language: str) -> str:
    """The page a recipient opens, in their language: the lesson for lesson alerts, else the alert."""
    token = recipient_token(delivery_id, alert.fanned_out_at)
    if alert.lesson_slug:
        return public_url(f"/lessons/{alert.lesson_slug}?lang={language}&t={token}")
    return public_url(f"/m/{token}")
