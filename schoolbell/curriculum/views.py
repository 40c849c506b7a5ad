"""Public lesson pages: the index by audience, one lesson in the reader's language, and a print view."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from schoolbell.alerts.acknowledgements import acknowledge, delivery_for_token
from schoolbell.alerts.confirmation_time import confirmed_on
from schoolbell.alerts.models import AckKind, Acknowledgement, Alert, Delivery
from schoolbell.curriculum import rendering
from schoolbell.curriculum.lesson_types import LANGUAGES, Lesson, LessonContentError
from schoolbell.curriculum.library import get_library, lesson_url
from schoolbell.extensions import db
from schoolbell.signing import InvalidLink

lessons = Blueprint("lessons", __name__, url_prefix="/lessons")

PUPIL_LEVELS = ("elementary", "middle", "high")
AUDIENCE_LABELS = {
    "elementary": _l("Elementary school pupils"),
    "middle": _l("Middle school pupils"),
    "high": _l("High school pupils"),
    "parents": _l("Parents"),
    "teachers": _l("Teachers"),
}
# Each label is written in the language it leads to, so a reader who can't read the page finds it.
SWITCH_LABELS = {"ko": "한국어로 보기", "en": "Read in English"}
# No inline script anywhere; inline style attributes only for the table alignment nh3 lets through.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def page_language() -> str:
    """The language of the lesson text: the UI locale, when a lesson exists in it."""
    lang = str(get_locale())
    return lang if lang in LANGUAGES else LANGUAGES[0]


@lessons.get("/")
def index():
    """Every lesson, grouped for pupils by school level, then for parents and for teachers."""
    library = get_library()
    pupils = [(AUDIENCE_LABELS[level], library.for_audience(level)) for level in PUPIL_LEVELS]
    return render_template(
        "lessons/index.html", lang=page_language(), pupils=pupils, parents=library.for_audience("parents"),
        teachers=library.for_audience("teachers"),
    )


@lessons.get("/<slug>")
def lesson(slug: str):
    """One lesson in the reader's language, with a switch to the other language."""
    return _render_lesson(slug, "lessons/lesson.html")


@lessons.get("/<slug>/print")
def print_view(slug: str):
    """A lesson laid out for printing for a class: no navigation, larger type."""
    return _render_lesson(slug, "lessons/print.html")


def _render_lesson(slug: str, template: str):
    found = get_library().get(slug)
    if found is None:
        return render_template("lessons/not_found.html"), 404
    lang = page_language()
    token = request.args.get("t")
    delivery = _lesson_delivery(token, slug) if token else None
    ack_token = token if delivery else None
    return render_template(template, lesson=found, lang=lang, ack_token=ack_token,
                           ack_done=bool(request.args.get("done")),
                           ack_confirmed=_confirmed(delivery, lang) if delivery else None,
                           **_lesson_parts(found, lang))


def _confirmed(delivery: Delivery, lang: str) -> str | None:
    """When this parent said "we talked about it", as the page's language writes it."""
    at = db.session.scalar(select(Acknowledgement.at).where(
        Acknowledgement.alert_id == delivery.alert_id, Acknowledgement.contact_id == delivery.contact_id,
        Acknowledgement.kind == AckKind.TALKED))
    return confirmed_on(at, lang) if at else None


def _lesson_delivery(token: str, slug: str) -> Delivery | None:
    """The delivery behind a parent's link, if it is genuine, unexpired and about this lesson."""
    try:
        delivery = delivery_for_token(token)
    except InvalidLink:
        return None
    alert = db.session.get(Alert, delivery.alert_id)
    return delivery if alert is not None and alert.lesson_slug == slug else None


@lessons.post("/<slug>/talked")
def talked(slug: str):
    """Record "we talked about it" once per person; refuses forged, expired or mismatched links."""
    delivery = _lesson_delivery(request.form.get("t", ""), slug)
    if delivery is None:
        abort(403)
    acknowledge(delivery, AckKind.TALKED)
    # 303 to the confirmation itself: on a phone the result is in view at once, not at the top.
    return redirect(url_for("lessons.lesson", slug=slug, t=request.form["t"], done=1,
                            _anchor="confirmation"), code=303)


def _lesson_parts(found: Lesson, lang: str) -> dict:
    """The lesson's body and closing sources as safe HTML, and the other languages to switch to."""
    body = found.html(lang, link_for=lambda slug: lesson_url(slug, lang=lang), include_sources=False)
    sources = rendering.render_sources(found.sources, lang=lang, last_checked=found.last_checked)
    switch = [(code, SWITCH_LABELS[code]) for code in LANGUAGES if code != lang]
    return {"body": Markup(body), "sources": Markup(sources), "switch": switch}


@lessons.context_processor
def _template_helpers() -> dict:
    return {"audience_labels": AUDIENCE_LABELS, "lesson_url": lesson_url}


@lessons.errorhandler(LessonContentError)
def _content_broken(error: LessonContentError):
    current_app.logger.error("lesson pages unavailable; run 'flask lessons check': %s", error)
    return render_template("lessons/unavailable.html"), 500


@lessons.after_request
def _lesson_headers(response: Response) -> Response:
    """Forbid inline script (the app keeps the ?lang= choice: i18n.remember_locale)."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
