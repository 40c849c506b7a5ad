"""The page a recipient opens from their message: the alert in their language, and "I have read this"."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import force_locale

from schoolbell.alerts.acknowledgements import acknowledge, delivery_for_token
from schoolbell.alerts.models import AckKind, Alert
from schoolbell.extensions import db
from schoolbell.i18n import SUPPORTED_LANGUAGES
from schoolbell.signing import InvalidLink

recipient = Blueprint("recipient", __name__)


def _delivery_or_404(token: str):
    try:
        return delivery_for_token(token)
    except InvalidLink:
        abort(404)


@recipient.get("/m/<token>")
def message(token: str):
    """The alert as its recipient should read it."""
    delivery = _delivery_or_404(token)
    alert = db.session.get(Alert, delivery.alert_id)
    # Only a language we write in; anything else (?lang=fr) is the reader's own.
    asked = request.args.get("lang")
    language = asked if asked in SUPPORTED_LANGUAGES else delivery.language
    title, body, _fell_back = alert.text(language)
    with force_locale(language):
        return render_template("recipient/message.html", alert=alert, title=title, body=body,
                               token=token, language=language, done=request.args.get("done"))


@recipient.post("/m/<token>/read")
def read(token: str):
    """Record "I have read this" once per person."""
    delivery = _delivery_or_404(token)
    acknowledge(delivery, AckKind.READ)
    return redirect(url_for("recipient.message", token=token, done=1))
