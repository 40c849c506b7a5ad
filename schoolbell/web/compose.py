"""Office staff compose alerts in the console, check the preview, then send, schedule or cancel."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import User, UserRole
from schoolbell.alerts.models import Alert, AlertClass
from schoolbell.alerts.services import (
    NOT_STARTED,
    AlertDraft,
    AlertError,
    cancel_alert,
    create_alert,
    edit_alert,
    resend_failed,
    schedule_alert,
    send_alert,
)
from schoolbell.alerts.summary import kst
from schoolbell.alerts.target_names import school_ids
from schoolbell.alerts.targeting import TargetError
from schoolbell.curriculum.library import get_library
from schoolbell.directory.models import DistrictOffice, Role, School, SchoolLevel
from schoolbell.extensions import db
from schoolbell.timeutil import SEOUL

compose = Blueprint("compose", __name__, url_prefix="/console/alerts")
ROLES = {Role.GUARDIAN: _l("Guardians"), Role.TEACHER: _l("Teachers"),
         Role.STUDENT: _l("Pupils"), Role.STAFF: _l("School staff")}
LEVELS = {SchoolLevel.ELEMENTARY: _l("Elementary"), SchoolLevel.MIDDLE: _l("Middle"),
          SchoolLevel.HIGH: _l("High"), SchoolLevel.SPECIAL: _l("Special"),
          SchoolLevel.OTHER: _l("Other")}
AUTHOR_CLASSES = (AlertClass.EMERGENCY, AlertClass.URGENT, AlertClass.ROUTINE)


def _office_user() -> User:
    user = current_user()
    if user.role is not UserRole.OFFICE:
        abort(404)  # teachers assign lessons; only office staff broadcast
    return user


def _own_alert(user: User, alert_id: int) -> Alert:
    alert = db.session.get(Alert, alert_id)
    if alert is None or alert.office_id != user.office_id:
        abort(404)
    return alert


def _words(text: str) -> list[str]:
    """Codes or names typed in a box: split on commas, spaces and new lines."""
    return [word for word in re.split(r"[\s,]+", text) if word]


def draft_from_form(user: User, form) -> AlertDraft:
    """The author's draft from the form; TargetError names a district or school that is not theirs."""
    alert_class = form.get("alert_class", "")
    if alert_class not in {c.value for c in AUTHOR_CLASSES}:
        # Curriculum alerts come from lesson assignments, never from this form.
        raise AlertError(f"class {alert_class!r}: choose emergency, urgent or routine")
    districts = [int(value) for value in form.getlist("district") if value.isdigit()]
    own = set(db.session.scalars(select(DistrictOffice.id).where(DistrictOffice.office_id == user.office_id)))
    if not set(districts) <= own:
        raise TargetError("a chosen district office is not part of your office")
    grades = [int(value) for value in form.getlist("grade") if value.isdigit()]
    target = {"district_office_ids": districts, "levels": form.getlist("level"),
              "school_ids": school_ids(user.office, _words(form.get("schools", ""))),
              "grades": grades, "classes": _words(form.get("classes", "")), "roles": form.getlist("role")}
    lesson = form.get("lesson", "")
    if lesson and lesson not in get_library():
        raise TargetError(f"no lesson {lesson!r}")
    return AlertDraft(alert_class=alert_class, title_ko=form.get("title_ko", "").strip(),
                      body_ko=form.get("body_ko", "").strip(), title_en=form.get("title_en", "").strip(),
                      body_en=form.get("body_en", "").strip(), link_url=form.get("link", "").strip(),
                      lesson_slug=lesson, target=target)


@compose.route("/new", methods=["GET", "POST"])
@login_required
def new_alert():
    """The compose form; a valid one becomes a draft, shown with its preview before anything is sent."""
    user = _office_user()
    error = None
    if request.method == "POST":
        try:
            alert = create_alert(user.office, draft_from_form(user, request.form), actor=user.email)
            db.session.commit()
            return redirect(url_for("console.alert_detail", alert_id=alert.id))
        except (AlertError, TargetError) as problem:
            db.session.rollback()
            error = str(problem)
    return _compose_page(user, request.form, error)


def _compose_page(user: User, form, error: str | None, editing: Alert | None = None):
    districts = db.session.scalars(select(DistrictOffice).where(DistrictOffice.office_id == user.office_id)
                                   .order_by(DistrictOffice.name)).all()
    return render_template("console/compose.html", user=user, error=error, form=form, editing=editing,
                           districts=districts, levels=LEVELS, roles=ROLES,
                           classes=AUTHOR_CLASSES, library=get_library()), 400 if error else 200


def form_of(alert: Alert) -> MultiDict:
    """A stored alert as the compose form's fields, to edit it."""
    target = alert.target or {}
    codes = db.session.scalars(select(School.code).where(School.id.in_(target.get("school_ids") or [])))
    fields = [("alert_class", alert.alert_class.value), ("title_ko", alert.title_ko or ""),
              ("body_ko", alert.body_ko or ""), ("title_en", alert.title_en or ""),
              ("body_en", alert.body_en or ""), ("link", alert.link_url or ""),
              ("lesson", alert.lesson_slug or ""), ("schools", " ".join(sorted(codes))),
              ("classes", " ".join(target.get("classes") or []))]
    fields += [("role", role) for role in target.get("roles") or []]
    fields += [("district", str(d)) for d in target.get("district_office_ids") or []]
    fields += [("level", level) for level in target.get("levels") or []]
    fields += [("grade", str(grade)) for grade in target.get("grades") or []]
    return MultiDict(fields)


@compose.route("/<int:alert_id>/edit", methods=["GET", "POST"])
@login_required
def edit(alert_id: int):
    """Change a draft or scheduled alert until it is sent."""
    user = _office_user()
    alert = _own_alert(user, alert_id)
    if alert.status not in NOT_STARTED:
        flash(_("Only an alert that has not been sent can be edited."), "error")
        return redirect(url_for("console.alert_detail", alert_id=alert.id))
    if request.method == "GET":
        return _compose_page(user, form_of(alert), None, editing=alert)
    try:
        edit_alert(alert, draft_from_form(user, request.form), actor=user.email)
        db.session.commit()
    except (AlertError, TargetError) as problem:
        db.session.rollback()
        return _compose_page(user, request.form, str(problem), editing=alert)
    return redirect(url_for("console.alert_detail", alert_id=alert.id))


def _act(alert_id: int, action) -> object:
    """Run an action on one of the user's office's alerts; its error is shown on the alert's page."""
    user = _office_user()
    alert = _own_alert(user, alert_id)
    try:
        message = action(alert, user.email)
    except AlertError as problem:
        db.session.rollback()
        flash(str(problem), "error")
    else:
        flash(message, "done")
    return redirect(url_for("console.alert_detail", alert_id=alert.id))


@compose.post("/<int:alert_id>/send")
@login_required
def send(alert_id: int):
    """Fan the alert out now; the workers send it."""
    def go(alert: Alert, actor: str) -> str:
        created = send_alert(alert, actor)
        held = kst(alert.deferred_until)
        return (_("%(count)s messages queued.", count=f"{created:,}")
                + (" " + _("Quiet hours: they wait until %(time)s.", time=held) if held else ""))
    return _act(alert_id, go)


@compose.post("/<int:alert_id>/schedule")
@login_required
def schedule(alert_id: int):
    """Send the alert at a Seoul time from the form (or move it), until sending starts."""
    def go(alert: Alert, actor: str) -> str:
        try:
            moment = datetime.fromisoformat(request.form.get("at", "")).replace(tzinfo=SEOUL)
        except ValueError:
            raise AlertError(_("Choose a date and time to send at.")) from None
        schedule_alert(alert, moment, actor)
        return _("Scheduled for %(time)s.", time=kst(alert.send_at))
    return _act(alert_id, go)


@compose.post("/<int:alert_id>/cancel")
@login_required
def cancel(alert_id: int):
    """Stop whatever has not been sent yet."""
    def go(alert: Alert, actor: str) -> str:
        return _("Cancelled; %(count)s unsent messages stopped.", count=f"{cancel_alert(alert, actor):,}")
    return _act(alert_id, go)


@compose.post("/<int:alert_id>/resend")
@login_required
def resend(alert_id: int):
    """Try again for the people whose message failed, and only them."""
    def go(alert: Alert, actor: str) -> str:
        return _("%(count)s failed messages will be tried again.", count=f"{resend_failed(alert, actor):,}")
    return _act(alert_id, go)
