"""Teachers assign prevention lessons to their own classes from the console."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import UserRole
from schoolbell.alerts.acknowledgements import ack_rates
from schoolbell.alerts.models import AckKind
from schoolbell.curriculum.assignments import assign_series
from schoolbell.curriculum.library import get_library
from schoolbell.curriculum.models import Assignment
from schoolbell.curriculum.series import SeriesSpec, expand
from schoolbell.extensions import db
from schoolbell.timeutil import SEOUL

assign = Blueprint("assign", __name__, url_prefix="/console/lessons")


def _teacher():
    user = current_user()
    if user.role is not UserRole.TEACHER or user.school is None:
        abort(404)  # assignments are made by a school's teachers for their own classes
    return user


def _form_times(form, count: int) -> list[datetime]:
    """The lessons' times from the form: a start, then weekly or every N days, weekends skipped if asked."""
    start = datetime.fromisoformat(form["start"]).replace(tzinfo=SEOUL)
    skip = bool(form.get("skip_weekends"))
    if form.get("repeat") == "weekly":
        return expand(SeriesSpec(start=start, every=start.strftime("%A").lower(), count=count,
                                 skip_weekends=skip))
    gap = int(form.get("gap_days") or 7)
    return expand(SeriesSpec(start=start, offsets=(f"+{gap} days",) * (count - 1), skip_weekends=skip))


@assign.route("/", methods=["GET", "POST"])
@login_required
def assignments():
    """A teacher's form to assign lessons to one of their classes, and their assignments so far."""
    user = _teacher()
    library = get_library()
    error = None
    if request.method == "POST":
        slugs = request.form.getlist("lesson")
        try:
            lessons = [library[slug] for slug in slugs]
            grade, class_name = int(request.form["grade"]), request.form["class_name"].strip()
            times = _form_times(request.form, len(lessons))
            assign_series(user.school, grade, class_name, lessons, times, actor=user.email,
                          include_students=bool(request.form.get("with_students")))
            return redirect(url_for("assign.assignments"))
        except (KeyError, ValueError) as problem:
            error = str(problem) or _("Choose at least one lesson, a grade, a class and a start time.")
    mine = db.session.scalars(select(Assignment).where(Assignment.school_id == user.school_id)
                              .order_by(Assignment.send_at.desc()).limit(100)).all()
    rates = {a.id: next(iter(ack_rates(a.alert, AckKind.TALKED)), None) for a in mine}
    lang = "en" if str(request.args.get("lang") or "") == "en" else "ko"
    return render_template("console/assign.html", user=user, library=library, assignments=mine,
                           rates=rates, error=error, lang=lang), 400 if error else 200
