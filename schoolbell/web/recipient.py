"""The page a recipient opens from their message: who sent it and when, the alert in their language,
its lesson and where to get help, "I have read this" (and, later, when they confirmed)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import select

from schoolbell import database
from schoolbell.alerts.acknowledgements import acknowledge
from schoolbell.alerts.confirmation_time import confirmed_on
from schoolbell.alerts.links import OpenedLink, opened_link
from schoolbell.alerts.models import AckKind, Acknowledgement, AlertClass, Delivery
from schoolbell.alerts.sms_rendering import sender_name
from schoolbell.curriculum.library import get_library, lesson_url
from schoolbell.curriculum.rendering import render_markdown
from schoolbell.extensions import db
from schoolbell.i18n import SUPPORTED_LANGUAGES
from schoolbell.signing import InvalidLink

recipient = Blueprint("recipient", __name__)
HELP_HEADINGS = {"ko": "## 도움받을 곳", "en": "## Where to get help"}


def opened_or_404(token: str) -> OpenedLink:
    """The message a link names with its alert and person, or a 404 page (forged, expired, unknown)."""
    try:
        return opened_link(token)
    except InvalidLink:
        abort(404)


def page_language(opened: OpenedLink) -> str:
    """The language asked for with ?lang= when we write in it, else the recipient's own as it is now
    (they may have changed it since the message went), else the message's."""
    asked = request.args.get("lang")
    if asked in SUPPORTED_LANGUAGES:
        return asked
    return opened.person.language.value if opened.person is not None else opened.delivery.language


def help_lines(slug: str | None, language: str) -> Markup | None:
    """The lesson's "where to get help" section as safe HTML (numbers and services to call)."""
    lesson = get_library().get(slug) if slug else None
    if lesson is None:
        return None
    text = lesson.body_markdown.get(language, "")
    start = text.find(HELP_HEADINGS[language])
    if start < 0:
        return None
    section = text[start + len(HELP_HEADINGS[language]):].split("\n## ", 1)[0]
    return Markup(render_markdown(section, link_for=lambda other: lesson_url(other, lang=language)))


def acknowledgement_of(delivery: Delivery, kind: AckKind) -> Acknowledgement | None:
    """The person's confirmation of this alert, if they gave one."""
    return db.session.scalar(select(Acknowledgement).where(
        Acknowledgement.alert_id == delivery.alert_id, Acknowledgement.contact_id == delivery.contact_id,
        Acknowledgement.kind == kind))


@recipient.get("/m/<token>")
def message(token: str):
    """The alert as its recipient should read it; a class lesson's link opens the lesson itself."""
    database.without_transaction()  # three of every four requests during a send: it only reads
    opened = opened_or_404(token)
    delivery, alert = opened.delivery, opened.alert
    language = page_language(opened)
    if alert.alert_class is AlertClass.CURRICULUM and alert.lesson_slug:
        return redirect(url_for("lessons.lesson", slug=alert.lesson_slug, lang=language, t=token))
    title, body, _fell_back = alert.text(language)
    lesson = get_library().get(alert.lesson_slug) if alert.lesson_slug else None
    ack = acknowledgement_of(delivery, AckKind.READ)
    with force_locale(language):
        return render_template(
            "recipient/message.html", alert=alert, title=title, body=body, token=token, language=language,
            sender=sender_name(alert, language), sent_at=alert.fanned_out_at or delivery.sent_at,
            lesson=lesson, help=help_lines(alert.lesson_slug, language),
            confirmed=confirmed_on(ack.at, language) if ack else None,
            just_confirmed=bool(request.args.get("done")))


@recipient.post("/m/<token>/read")
def read(token: str):
    """Record "I have read this" once per person, then show the page at its confirmation."""
    opened = opened_or_404(token)
    acknowledge(opened.delivery, AckKind.READ)
    language = page_language(opened)
    return redirect(url_for("recipient.message", token=token, lang=language, done=1,
                            _anchor="confirmation"), code=303)
