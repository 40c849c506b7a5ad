"""An alert as its recipients will see it: the SMS on a phone, per language, and the email."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from schoolbell.alerts.models import Alert
from schoolbell.alerts.sms_preview import CARRIER_PREFIX
from schoolbell.alerts.texts import sms_text
from schoolbell.delivery.backends import sender_pool
from schoolbell.delivery.compose import LINK_SLOT, render_texts
from schoolbell.signing import public_url


def sample_link() -> str:
    """A link as long as a recipient's own (the real one is made for each person when it is sent)."""
    return public_url("/m/" + "x" * 60)


def sender_name() -> str:
    """Who the SMS comes from, as the phone shows it: the first registered sender number."""
    numbers = sender_pool(current_app.config)
    return numbers[0] if numbers else str(current_app.config.get("SITE_OPERATOR_KO") or "SchoolBell")


def sms_bubble(alert: Alert, language: str) -> str:
    """The SMS as the phone shows it: the carrier's prefix, the text, the personal link."""
    return CARRIER_PREFIX + sms_text(alert, language, link=sample_link())


@dataclass(frozen=True)
class EmailPreview:
    """The email's subject and text in one language."""

    subject: str
    text: str


def email_preview(alert: Alert, language: str) -> EmailPreview:
    """The email a recipient in this language gets (with a sample personal link)."""
    texts = render_texts(alert, language)
    return EmailPreview(texts.subject, texts.email_text.replace(LINK_SLOT, sample_link()))
