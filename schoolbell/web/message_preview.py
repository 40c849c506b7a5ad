"""An alert's email as its recipients will see it (the SMS comes from the one renderer, sms_rendering)."""

from __future__ import annotations

from dataclasses import dataclass

from schoolbell.alerts.models import Alert
from schoolbell.alerts.sms_rendering import preview_link
from schoolbell.delivery.compose import LINK_SLOT, render_texts


@dataclass(frozen=True)
class EmailPreview:
    """The email's subject and text in one language."""

    subject: str
    text: str


def email_preview(alert: Alert, language: str) -> EmailPreview:
    """The email a recipient in this language gets (with a link as long as theirs will be)."""
    texts = render_texts(alert, language)
    return EmailPreview(texts.subject, texts.email_text.replace(LINK_SLOT, preview_link()))
