"""The long unsubscribe links of emails sent before the preference centre (honoured for a year)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l

from schoolbell.directory import preferences as prefs
from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from schoolbell.signing import DAY, InvalidLink, read_token

unsubscribe = Blueprint("unsubscribe", __name__)
CHANNEL_NAMES = {"sms": _l("SMS"), "email": _l("email")}
LINK_DAYS = 365


def _person_and_channel(token: str) -> tuple[int, str]:
    try:
        contact_id, channel = read_token("unsubscribe", token, LINK_DAYS * DAY)
    except (InvalidLink, ValueError, TypeError):
        abort(404)
    if channel not in CHANNEL_NAMES:
        abort(404)
    return int(contact_id), channel


@unsubscribe.route("/unsubscribe/<token>", methods=["GET", "POST"])
def opt_out(token: str):
    """GET asks to confirm; POST (a mail client's one-click, or the form) records the opt-out.

    Emergency alerts still arrive: the page says so, because safety notices override routine choices.
    """
    contact_id, channel = _person_and_channel(token)
    contact = db.session.get(Contact, contact_id) or abort(404)
    name = CHANNEL_NAMES[channel]
    if request.method == "POST":
        now = prefs.current(contact)
        wanted = prefs.Preferences(now.language, now.sms and channel != "sms",
                                   now.email and channel != "email", now.muted_school_ids)
        prefs.change(contact, wanted, "one_click")
        db.session.commit()
        return render_template("recipient/unsubscribed.html", channel=name)
    return render_template("recipient/unsubscribe.html", channel=name, token=token)
