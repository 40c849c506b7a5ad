"""Telling colleagues that an emergency waits for their approval: one email to each other office user."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from schoolbell.accounts.models import User, UserRole
from schoolbell.alerts.models import Alert
from schoolbell.channels.errors import ChannelError
from schoolbell.channels.messages import EmailMessage
from schoolbell.delivery.backends import get_backends
from schoolbell.extensions import db
from schoolbell.signing import public_url


def colleagues(alert: Alert, asking: str) -> list[User]:
    """The office's other active office users, who may approve."""
    return list(db.session.scalars(select(User).where(
        User.office_id == alert.office_id, User.role == UserRole.OFFICE, User.active.is_(True),
        User.email != asking).order_by(User.email)))


def ask_colleagues(alert: Alert, asking: str) -> int:
    """Email each colleague a link to the alert to approve it; returns how many were told.

    A colleague the mail server refuses is skipped: the request stands on the alert's page anyway.
    """
    email = get_backends(current_app).email
    link = public_url(url_for("console.alert_detail", alert_id=alert.id))
    told = 0
    for user in colleagues(alert, asking):
        with force_locale("ko"):
            subject = _("Approval needed: %(title)s", title=alert.text("ko")[0])
            text = _("%(who)s asks you to approve an emergency alert to the whole office before it is "
                     "sent.\n\nOpen it, check it and approve it here:\n%(link)s",
                     who=asking, link=link)
        try:
            email.send(EmailMessage(to=user.email, subject=subject, text=text, language="ko"))
        except ChannelError:
            continue
        told += 1
    return told
