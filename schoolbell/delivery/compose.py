"""Turning an alert into the SMS and email a person receives, rendered once per language."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale

from schoolbell.alerts.models import Alert
from schoolbell.alerts.texts import sms_text
from schoolbell.channels.messages import EmailMessage, SmsMessage
from schoolbell.signing import make_token, public_url


@dataclass(frozen=True)
class AlertTexts:
    """One alert's texts in one language, ready to address."""

    subject: str
    sms_body: str
    email_text: str
    email_html: str


def render_texts(alert: Alert, language: str) -> AlertTexts:
    """Render subject, SMS and email bodies for one language (needs an app context)."""
    title, body, _fell_back = alert.text(language)
    with force_locale(language):
        context = {"alert": alert, "title": title, "body": body, "language": language}
        return AlertTexts(subject=title, sms_body=sms_text(alert, language),
                          email_text=render_template("email/alert.txt", **context),
                          email_html=render_template("email/alert.html", **context))


def unsubscribe_url(contact_id: int, channel: str) -> str:
    """A signed link that turns off routine messages on one channel for one person."""
    return public_url(f"/unsubscribe/{make_token('unsubscribe', [contact_id, channel])}")


def sms_message(texts: AlertTexts, to: str, status_callback: str | None) -> SmsMessage:
    """The SMS for one recipient."""
    return SmsMessage(to=to, body=texts.sms_body, status_callback=status_callback)


def email_message(texts: AlertTexts, to: str, contact_id: int, language: str) -> EmailMessage:
    """The email for one recipient, with a one-click unsubscribe link."""
    return EmailMessage(to=to, subject=texts.subject, text=texts.email_text, html=texts.email_html,
                        unsubscribe_url=unsubscribe_url(contact_id, "email"), language=language)
