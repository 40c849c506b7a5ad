"""Each recipient's own link: signed, expiring, carrying only the delivery's id."""

from __future__ import annotations

from schoolbell.alerts.models import Alert
from schoolbell.signing import DAY, public_url, read_id, sign_id

PURPOSE = "recipient"
LINK_DAYS = 60


def recipient_token(delivery_id: int) -> str:
    """A token that names one delivery (one person, one alert)."""
    return sign_id(PURPOSE, delivery_id)


def delivery_id_from(token: str) -> int:
    """The delivery a token names; raises InvalidLink when forged or older than LINK_DAYS."""
    return read_id(PURPOSE, token, LINK_DAYS * DAY)


def recipient_link(alert: Alert, delivery_id: int, language: str) -> str:
    """The page a recipient opens, in their language: the lesson for lesson alerts, else the alert."""
    token = recipient_token(delivery_id)
    if alert.lesson_slug:
        return public_url(f"/lessons/{alert.lesson_slug}?lang={language}&t={token}")
    return public_url(f"/m/{token}")
