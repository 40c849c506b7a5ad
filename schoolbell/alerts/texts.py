"""The words of an alert as an SMS: a short tag, the title, the body and the link."""

from __future__ import annotations

from schoolbell.alerts.models import Alert

SMS_TAG = {"ko": "[스쿨벨]", "en": "[SchoolBell]"}


def sms_text(alert: Alert, language: str) -> str:
    """The SMS body in a language; it holds no personal data, so it is the same for everyone."""
    title, body, _fell_back = alert.text(language)
    parts = [f"{SMS_TAG[language]} {title}", body]
    if alert.link_url:
        parts.append(alert.link_url)
    return "\n".join(parts)
