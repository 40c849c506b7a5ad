"""Turning an alert into the SMS and email a person receives, rendered once per language.

Each text is rendered once per (alert, language); only the personal link differs between
recipients, and it is put in by plain string substitution.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale

from schoolbell.alerts.links import LinkTarget, recipient_link, unsubscribe_link
from schoolbell.alerts.models import Alert
from schoolbell.alerts.sms_rendering import sms_body, sms_head
from schoolbell.channels.messages import EmailMessage, SmsMessage
from schoolbell.signing import make_token, public_url

LINK_SLOT = "\x00LINK\x00"  # cannot occur in authored text
SETTINGS_SLOT = "\x00SETTINGS\x00"


@dataclass(frozen=True)
class AlertTexts:
    """One alert's texts in one language, ready to address."""

    link_target: LinkTarget  # plain values: the texts outlive the database session that loaded them
    language: str
    subject: str
    sms_head: str
    email_text: str
    email_html: str

    def link_for(self, delivery_id: int) -> str:
        """The recipient's own link."""
        return recipient_link(self.link_target, delivery_id, self.language)


def render_texts(alert: Alert, language: str) -> AlertTexts:
    """Render subject, SMS head and email bodies for one language (needs an app context)."""
    title, body, _fell_back = alert.text(language)
    with force_locale(language):
        context = {"alert": alert, "title": title, "body": body, "language": language,
                   "personal_link": LINK_SLOT, "settings_link": SETTINGS_SLOT}
        return AlertTexts(link_target=LinkTarget.of(alert), language=language, subject=title,
                          sms_head=sms_head(alert, language),
                          email_text=render_template("email/alert.txt", **context),
                          email_html=render_template("email/alert.html", **context))


def unsubscribe_url(contact_id: int, channel: str) -> str:
    """The long unsubscribe link of earlier emails (still honoured for a year; no longer sent)."""
    return public_url(f"/unsubscribe/{make_token('unsubscribe', [contact_id, channel])}")


def sms_message(texts: AlertTexts, to: str, delivery_id: int, status_callback: str | None) -> SmsMessage:
    """The SMS for one recipient: the language's head, then their own link."""
    return SmsMessage(to=to, body=sms_body(texts.sms_head, texts.link_for(delivery_id)),
                      status_callback=status_callback)


def email_message(texts: AlertTexts, to: str, delivery_id: int, contact_id: int,
                  language: str) -> EmailMessage:
    """The email for one recipient, with their own link and a one-click unsubscribe link (RFC 8058)
    that also opens their preferences."""
    link, settings = texts.link_for(delivery_id), unsubscribe_link(delivery_id)
    return EmailMessage(to=to, subject=texts.subject,
                        text=texts.email_text.replace(LINK_SLOT, link).replace(SETTINGS_SLOT, settings),
                        html=texts.email_html.replace(LINK_SLOT, link).replace(SETTINGS_SLOT, settings),
                        unsubscribe_url=settings, language=language)
