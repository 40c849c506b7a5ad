"""The preference centre a parent reaches from any message, with no account: language, SMS and email,
routine and lesson messages per school; every change recorded and undoable."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from schoolbell.alerts.confirmation_time import confirmed_on
from schoolbell.alerts.links import UNSUBSCRIBE_DAYS, delivery_id_from
from schoolbell.alerts.models import Delivery
from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.directory import preferences as prefs
from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from schoolbell.i18n import SUPPORTED_LANGUAGES
from schoolbell.signing import InvalidLink

preferences = Blueprint("preferences", __name__)
# A link from an SMS or an alert page ("m"), or an email's List-Unsubscribe link ("u", valid a year).
KINDS = {"m": ("recipient", 60), "u": ("unsubscribe", UNSUBSCRIBE_DAYS)}


def _contact(kind: str, token: str) -> tuple[Contact, Delivery]:
    purpose, days = KINDS[kind]
    try:
        delivery = db.session.get(Delivery, delivery_id_from(token, purpose, days))
    except InvalidLink:
        abort(404)
    contact = db.session.get(Contact, delivery.contact_id) if delivery else None
    if contact is None:
        abort(404)
    return contact, delivery


def _language(contact: Contact) -> str:
    asked = request.args.get("lang")
    return asked if asked in SUPPORTED_LANGUAGES else str(contact.language.value)


def _page(kind: str, token: str, contact: Contact, error: str | None = None):
    language = _language(contact)
    current = prefs.current(contact)
    history = prefs.history(contact)
    with force_locale(language):
        return render_template(
            "recipient/preferences.html", kind=kind, token=token, language=language, current=current,
            schools=prefs.schools_of(contact), history=history, error=error,
            saved=request.args.get("saved"), when=lambda moment: confirmed_on(moment, language),
            phone=mask_phone(contact.phone) if contact.phone else None,
            email=mask_email(contact.email) if contact.email else None,
            sms_blocked=bool(contact.sms_blocked_reason), email_blocked=bool(contact.email_blocked_reason),
            back=url_for("recipient.message", token=token, lang=language) if kind == "m" else None,
        ), (400 if error else 200)


def _wanted(contact: Contact) -> prefs.Preferences:
    """The choices the form sent; a school left unticked is muted."""
    form = request.form
    language = form.get("language", "")
    own = [school.id for school in prefs.schools_of(contact)]
    kept = {value for value in form.getlist("school") if value.isdigit()}
    now = prefs.current(contact)
    # A channel with no address is shown but cannot be ticked: saving keeps its choice as it was.
    return prefs.Preferences(language=language, sms="sms" in form if contact.phone else now.sms,
                             email="email" in form if contact.email else now.email,
                             muted_school_ids=tuple(i for i in own if str(i) not in kept))


@preferences.get("/m/<token>/settings")
def centre(token: str):
    """The preference centre, from an SMS or the alert page."""
    contact, _delivery = _contact("m", token)
    return _page("m", token, contact)


@preferences.get("/u/<token>")
def centre_from_email(token: str):
    """The preference centre, from an email's settings link (a GET never changes anything)."""
    contact, _delivery = _contact("u", token)
    return _page("u", token, contact)


@preferences.post("/u/<token>")
def one_click(token: str):
    """RFC 8058 one-click unsubscribe: a mail provider's POST turns routine email off."""
    contact, _delivery = _contact("u", token)
    if request.form.get("List-Unsubscribe") != "One-Click":
        abort(400)
    prefs.opt_out_of_email(contact, "one_click")
    db.session.commit()
    return "Unsubscribed from routine email.\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@preferences.post("/<any(m, u):kind>/<token>/settings")
def save(kind: str, token: str):
    """Apply the form's choices; the next fan-out follows them. Then show the page at the notice."""
    contact, _delivery = _contact(kind, token)
    try:
        prefs.change(contact, _wanted(contact), "preference_centre")
    except prefs.PreferenceError:
        db.session.rollback()
        with force_locale(_language(contact)):
            return _page(kind, token, contact, error=str(_("Choose 한국어 or English.")))
    db.session.commit()
    language = str(contact.language.value)
    return redirect(_centre_url(kind, token, language, saved=1, _anchor="saved"), code=303)


@preferences.post("/<any(m, u):kind>/<token>/undo/<int:change_id>")
def undo(kind: str, token: str, change_id: int):
    """Put back what one change replaced."""
    contact, _delivery = _contact(kind, token)
    try:
        prefs.undo(contact, change_id)
    except prefs.PreferenceError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    return redirect(_centre_url(kind, token, str(contact.language.value), saved=1, _anchor="saved"),
                    code=303)


def _centre_url(kind: str, token: str, language: str, **values) -> str:
    endpoint = "preferences.centre" if kind == "m" else "preferences.centre_from_email"
    return url_for(endpoint, token=token, lang=language, **values)
