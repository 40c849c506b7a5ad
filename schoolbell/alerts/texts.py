"""The words of an alert as an SMS: a short tag, the title, the body where it fits, one link."""

from __future__ import annotations

from schoolbell.alerts.models import Alert, AlertClass

SMS_TAG = {"ko": "[스쿨벨]", "en": "[SchoolBell]"}
# The personal link's usual length, for length analysis before any link exists.
TYPICAL_LINK = "https://schoolbell.example.kr/m/" + "x" * 60


def sms_head(alert: Alert, language: str) -> str:
    """Everything in the SMS before the personal link; the same for everyone in a language.

    Curriculum messages stay short: the title, then the link to the lesson.
    """
    title, body, _fell_back = alert.text(language)
    if alert.alert_class is AlertClass.CURRICULUM:
        return f"{SMS_TAG[language]} {title}"
    return f"{SMS_TAG[language]} {title}\n{body}"


def sms_text(alert: Alert, language: str, link: str = TYPICAL_LINK) -> str:
    """The SMS body with a link."""
    return f"{sms_head(alert, language)}\n{link}"
