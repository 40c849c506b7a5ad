"""Opting out of routine messages from a link in an email (List-Unsubscribe, one click)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import update

from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from schoolbell.signing import DAY, InvalidLink, read_token

unsubscribe = Blueprint("unsubscribe", __name__)
CONSENT_COLUMN = {"sms": "sms_consent", "email": "email_consent"}
LINK_DAYS = 365


def _person_and_channel(token: str) -> tuple[int, str]:
    try:
        contact_id, channel = read_token("unsubscribe", token, LINK_DAYS * DAY)
    except (InvalidLink, ValueError, TypeError):
        abort(404)
    if channel not in CONSENT_COLUMN:
        abort(404)
    return int(contact_id), channel


@unsubscribe.route("/unsubscribe/<token>", methods=["GET", "POST"])
def opt_out(token: str):
    """GET asks to confirm; POST (a mail client's one-click, or the form) records the opt-out.

    Emergency alerts still arrive: the page says so, because safety notices override routine choices.
    """
    contact_id, channel = _person_and_channel(token)
    if request.method == "POST":
        db.session.execute(update(Contact).where(Contact.id == contact_id)
                           .values({CONSENT_COLUMN[channel]: False}))
        db.session.commit()
        return render_template("recipient/unsubscribed.html", channel=channel)
    return render_template("recipient/unsubscribe.html", channel=channel, token=token)
