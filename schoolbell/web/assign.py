"""Teachers assign prevention lessons to their own classes from the console."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from schoolbell import timeutil
from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import UserRole
from schoolbell.alerts.acknowledgements import ack_rates
from schoolbell.alerts.models import AckKind
from schoolbell.curriculum.assignments import assign_series, check_series, families_in
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
    if not 0 <= start.year - timeutil.seoul_today().year <= 5:
        raise ValueError(_("Choose a first lesson within the next five years."))
    skip = bool(form.get("skip_weekends"))
    if form.get("repeat") == "weekly":
        return expand(SeriesSpec(start=start, every=start.strftime("%A").lower(), count=count,
                                 skip_weekends=skip))
    gap = int(form.get("gap_days") or 7)
    if not 1 <= gap <= 60:
        raise ValueError(_("Lessons can be 1 to 60 days apart."))
    return expand(SeriesSpec(start=start, offsets=(f"+{gap} days",) * (count - 1), skip_weekends=skip))


@assign.route("/", methods=["GET", "POST"])
@login_required
def assignments():
    """A teacher's form to assign lessons to one of their classes, and their assignments so far."""
    user = _teacher()
    library = get_library()
    error = None
    confirm = None
    if request.method == "POST":
        slugs = request.form.getlist("lesson")
        try:
            lessons = [library[slug] for slug in slugs]
            grade, class_name = int(request.form["grade"]), request.form["class_name"].strip()
            times = _form_times(request.form, len(lessons))
            check_series(user.school, grade, class_name, lessons, times, timeutil.utcnow())
            if not request.form.get("confirmed"):
                # Nothing is sent until the teacher has seen how many families it reaches.
                confirm = {"lessons": len(lessons), "families": families_in(user.school, grade, class_name),
                           "class": f"{grade}-{class_name}", "first": times[0]}
            else:
                assign_series(user.school, grade, class_name, lessons, times, actor=user.email,
                              include_students=bool(request.form.get("with_students")))
                return redirect(url_for("assign.assignments"))
        except (KeyError, ValueError, OverflowError) as problem:
            error = str(problem) if isinstance(problem, ValueError) and str(problem) else \
                _("Choose at least one lesson, a grade, a class and a start time.")
    mine = db.session.scalars(select(Assignment).where(Assignment.school_id == user.school_id)
                              .order_by(Assignment.send_at.desc()).limit(100)).all()
    rates = {a.id: next(iter(ack_rates(a.alert, AckKind.TALKED)), None) for a in mine}
    lang = "en" if str(request.args.get("lang") or "") == "en" else "ko"
    return render_template("console/assign.html", user=user, library=library, assignments=mine,
                           rates=rates, error=error, lang=lang, confirm=confirm,
                           form=request.form), 400 if error else 200
