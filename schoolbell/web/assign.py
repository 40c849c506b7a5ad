"""Teachers assign prevention lessons to their own classes from the console, see each class's
lessons with their confirmation rates, and cancel one lesson or the rest of a series."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from schoolbell import timeutil
from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import User, UserRole
from schoolbell.accounts.scope import class_keys, may_teach
from schoolbell.alerts.acknowledgements import ack_rates
from schoolbell.alerts.models import AckKind, AlertStatus
from schoolbell.alerts.services import AlertError, cancel_alert
from schoolbell.curriculum.assignments import LATE_TOLERANCE, assign_series, check_series, families_in
from schoolbell.curriculum.lesson_types import PUPIL_AUDIENCES
from schoolbell.curriculum.library import get_library
from schoolbell.curriculum.models import Assignment
from schoolbell.curriculum.series import SeriesSpec, expand
from schoolbell.directory.models import Membership
from schoolbell.extensions import db
from schoolbell.timeutil import SEOUL

CANCELLABLE = (AlertStatus.DRAFT, AlertStatus.SCHEDULED)
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
            _check_for_teacher(user, grade, class_name, lessons, times)
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
    mine = _assignments(user, request.args.get("class", ""))
    rates = {a.id: next(iter(ack_rates(a.alert, AckKind.TALKED)), None) for a in mine}
    lang = "en" if str(request.args.get("lang") or "") == "en" else "ko"
    return render_template("console/assign.html", user=user, library=library, assignments=mine,
                           rates=rates, error=error, lang=lang, confirm=confirm, form=request.form,
                           classes=[f"{g}-{c}" for g, c in class_keys(user)],
                           shown_class=request.args.get("class", ""),
                           cancellable=CANCELLABLE), 400 if error else 200


def _check_for_teacher(user: User, grade: int, class_name: str, lessons, times) -> None:
    """Clear refusals, in the teacher's language, before the series' own checks."""
    school = user.school
    if not 1 <= grade <= 12:  # before any query: PostgreSQL refuses an integer beyond its range
        raise ValueError(_("A grade is a number from 1 to 12."))
    if not db.session.scalar(select(Membership.id).where(
            Membership.school_id == school.id, Membership.grade == grade,
            Membership.class_name == class_name).limit(1)):
        raise ValueError(_("There is no class %(name)s at %(school)s.", name=f"{grade}-{class_name}",
                           school=school.name_ko))
    if not may_teach(user, school, grade, class_name) and class_keys(user):
        raise ValueError(_("Class %(name)s is not one of yours (%(yours)s).", name=f"{grade}-{class_name}",
                           yours=", ".join(f"{g}-{c}" for g, c in class_keys(user))))
    level = school.level.value
    for lesson in lessons:
        pupils = [a for a in lesson.audiences if a in PUPIL_AUDIENCES]
        for_families = "parents" in lesson.audiences or level in pupils or (
            pupils and level not in PUPIL_AUDIENCES)
        if not for_families:
            title = lesson.title.get(str(get_locale())) or lesson.slug
            raise ValueError(_("“%(lesson)s” is written for %(audience)s, not for the families of "
                               "this class.", lesson=title,
                               audience=", ".join(_audience_word(a) for a in lesson.audiences)))
    if min(times) < timeutil.utcnow() - LATE_TOLERANCE:
        raise ValueError(_("The first lesson's time has passed: choose a time from now on."))


def _audience_word(audience: str) -> str:
    words = {"elementary": _("elementary pupils"), "middle": _("middle school pupils"),
             "high": _("high school pupils"), "parents": _("parents"), "teachers": _("teachers")}
    return words.get(audience, audience)


def _assignments(user: User, wanted_class: str) -> list[Assignment]:
    """The school's assignments the teacher may see (their classes, when recorded), newest first."""
    statement = select(Assignment).where(Assignment.school_id == user.school_id)
    keys = class_keys(user)
    if wanted_class and "-" in wanted_class:
        grade, _sep, name = wanted_class.partition("-")
        keys = [(g, c) for g, c in (keys or [(int(grade), name)]) if f"{g}-{c}" == wanted_class] \
            if grade.isdigit() else []
        if not keys:
            return []
    found = db.session.scalars(statement.order_by(Assignment.send_at.desc()).limit(500)).all()
    return [a for a in found if not keys or (a.grade, a.class_name) in keys][:100]


@assign.post("/<int:assignment_id>/cancel")
@login_required
def cancel(assignment_id: int):
    """Cancel one lesson, or (rest=1) it and every later lesson of its series not yet sent."""
    user = _teacher()
    chosen = db.session.get(Assignment, assignment_id)
    if chosen is None or not may_teach(user, chosen.school, chosen.grade, chosen.class_name):
        abort(404)
    targets = [chosen]
    if request.form.get("rest"):
        targets = db.session.scalars(select(Assignment).where(
            Assignment.series_id == chosen.series_id, Assignment.position >= chosen.position)
            .order_by(Assignment.position)).all()
    cancelled = 0
    for assignment in targets:
        if assignment.alert.status in CANCELLABLE:
            try:
                cancel_alert(assignment.alert, user.email)
                cancelled += 1
            except AlertError:
                db.session.rollback()
    if cancelled:
        flash(_("%(count)s lessons cancelled; nothing of them will be sent.", count=cancelled), "done")
    else:
        flash(_("Nothing to cancel: these lessons have already gone out or were cancelled."), "error")
    return redirect(url_for("assign.assignments"))
