"""Assigning lessons to classes: each lesson becomes a curriculum alert to the class's guardians."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select

from schoolbell import timeutil
from schoolbell.alerts.audience import TEST, restrict
from schoolbell.alerts.dry_run import dry_run_send
from schoolbell.alerts.services import AlertDraft, create_alert, schedule_alert, send_alert
from schoolbell.curriculum.lesson_types import Lesson
from schoolbell.curriculum.models import Assignment
from schoolbell.directory.models import Membership, Role, School
from schoolbell.extensions import db
from schoolbell.signing import public_url

TIPS_HEADINGS = {"ko": "## 기억할 것", "en": "## Remember"}
TIPS_INTRO = {"ko": "집에서 이야기 나눌 점", "en": "Points to talk about at home"}


class AssignmentError(ValueError):
    """An assignment that cannot be made; the message says why."""


MAX_SERIES = 20  # lessons in one assignment: a form cannot flood a class's families
LATE_TOLERANCE = timedelta(minutes=5)  # a start "now" typed a few minutes ago still goes at once


def families_in(school: School, grade: int, class_name: str) -> int:
    """Guardians of one class: who an assignment reaches."""
    return db.session.scalar(select(func.count(func.distinct(Membership.contact_id))).where(
        Membership.school_id == school.id, Membership.grade == grade, Membership.class_name == class_name,
        Membership.role == Role.GUARDIAN)) or 0


def check_series(school: School, grade: int, class_name: str, lessons: list[Lesson],
                 times: list[datetime], now: datetime) -> None:
    """Refuse what would flood or miss a class: repeats, too many lessons, a past start, no class."""
    if not lessons:
        raise AssignmentError("choose at least one lesson")
    if len(lessons) > MAX_SERIES:
        raise AssignmentError(f"{len(lessons)} lessons: one assignment holds at most {MAX_SERIES}")
    repeated = sorted(slug for slug, n in Counter(lesson.slug for lesson in lessons).items() if n > 1)
    if repeated:
        raise AssignmentError(f"the same lesson more than once: {', '.join(repeated)}")
    if len(times) != len(lessons):
        raise AssignmentError(f"{len(lessons)} lessons need {len(lessons)} send times, got {len(times)}")
    if not 1 <= grade <= 12 or not class_name or len(class_name) > 10:
        raise AssignmentError("an assignment is for one class: a grade from 1 to 12 and its class")
    if min(times) < now - LATE_TOLERANCE:
        raise AssignmentError(f"the first lesson's time, {timeutil.seoul(min(times)):%Y-%m-%d %H:%M}, "
                              "has passed")
    if families_in(school, grade, class_name) == 0:
        raise AssignmentError(f"class {grade}-{class_name} of {school.name_ko} has no families on file")


def home_tips(lesson: Lesson, language: str) -> str:
    """The lesson's "Remember" points, as plain lines for an email to parents."""
    text = lesson.body_markdown[language]
    start = text.find(TIPS_HEADINGS[language])
    if start < 0:
        return ""
    section = text[start + len(TIPS_HEADINGS[language]):].split("\n## ", 1)[0]
    return "\n".join(line.strip() for line in section.strip().splitlines() if line.strip())


def lesson_draft(lesson: Lesson, school: School, grade: int, class_name: str,
                 include_students: bool) -> AlertDraft:
    """The curriculum alert for one lesson and one class: summary and home tips in each language."""
    bodies = {}
    for language in ("ko", "en"):
        tips = home_tips(lesson, language)
        bodies[language] = lesson.summary[language] + (f"\n\n{TIPS_INTRO[language]}:\n{tips}" if tips else "")
    roles = ["guardian", "student"] if include_students else ["guardian"]
    return AlertDraft(
        alert_class="curriculum", title_ko=lesson.title["ko"], body_ko=bodies["ko"],
        title_en=lesson.title["en"], body_en=bodies["en"], lesson_slug=lesson.slug,
        link_url=public_url(f"/lessons/{lesson.slug}"),
        target={"school_ids": [school.id], "grades": [grade], "classes": [class_name], "roles": roles})


def assign_series(school: School, grade: int, class_name: str, lessons: list[Lesson],
                  times: list[datetime], actor: str, include_students: bool = False,
                  now: datetime | None = None, mode: str | None = None) -> list[Assignment]:
    """Assign lessons to a class at the given UTC times; what is due now is sent at once.

    `mode` ("team" or "test", from an API key) restricts each lesson's alert before it can go.
    """
    now = now or timeutil.utcnow()
    check_series(school, grade, class_name, lessons, times, now)
    series = uuid.uuid4().hex
    made = []
    for position, (lesson, when) in enumerate(zip(lessons, times, strict=True), start=1):
        alert = create_alert(school.office, lesson_draft(lesson, school, grade, class_name,
                                                         include_students), actor)
        assignment = Assignment(series_id=series, position=position, school_id=school.id, grade=grade,
                                class_name=class_name, lesson_slug=lesson.slug,
                                lesson_version=lesson.version, include_students=include_students,
                                send_at=when, alert_id=alert.id, created_by=actor)
        db.session.add(assignment)
        if restrict(alert.id, mode) == TEST and when <= now:
            dry_run_send(alert, actor)
        elif when <= now:
            send_alert(alert, actor)
        else:
            schedule_alert(alert, when, actor, now=now)
        made.append(assignment)
    db.session.commit()
    return made
