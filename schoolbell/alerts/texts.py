"""The words of an alert as an SMS (kept for callers of the first API; sms_rendering is the renderer)."""

from __future__ import annotations

from schoolbell.alerts.models import Alert
from schoolbell.alerts.sms_rendering import preview_link, sms_body
from schoolbell.alerts.sms_rendering import sms_head as sms_head


def sms_text(alert: Alert, language: str, link: str | None = None) -> str:
    """The SMS body with a link (one as long as the next delivery's when None)."""
    return sms_body(sms_head(alert, language), link or preview_link())
