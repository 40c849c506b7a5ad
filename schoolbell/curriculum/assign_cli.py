"""`flask lessons assign`: a teacher's lesson or series for one class (create_app adds it to `lessons`)."""

from __future__ import annotations

import getpass
from datetime import datetime

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from schoolbell.curriculum.assignments import assign_series
from schoolbell.curriculum.library import get_library
from schoolbell.curriculum.series import SeriesSpec, expand
from schoolbell.directory.models import School
from schoolbell.extensions import db
from schoolbell.timeutil import SEOUL, seoul


@click.command("assign")
@click.option("--school", "school_code", required=True, help="NEIS school code.")
@click.option("--grade", type=int, required=True)
@click.option("--class-name", "class_name", required=True, help="Class name, e.g. 2.")
@click.option("--lesson", "slugs", multiple=True, required=True, help="Lesson slug; repeat for a series.")
@click.option("--start", required=True, help='First lesson, Seoul time: "2026-11-23 09:00".')
@click.option("--every", help="Repeat weekly on a weekday (monday … or 월 …) or every day ('day').")
@click.option("--after", "offsets", multiple=True,
              help="Relative gap before each later lesson, e.g. '+3 days' or '+2 school days'.")
@click.option("--skip-weekends", is_flag=True, help="Never on Saturday or Sunday.")
@click.option("--with-students", is_flag=True, help="Send to the class's pupils as well as guardians.")
@click.option("--actor", default=lambda: getpass.getuser(), show_default="your login")
@with_appcontext
def assign_command(school_code, grade, class_name, slugs, start, every, offsets, skip_weekends,
                   with_students, actor) -> None:
    """Assign lessons to a class; each goes to the class's guardians when its time comes."""
    school = db.session.scalar(select(School).where(School.code == school_code))
    if school is None:
        raise click.ClickException(f"unknown school code {school_code}")
    library = get_library()
    missing = [slug for slug in slugs if slug not in library]
    if missing:
        raise click.ClickException(f"unknown lesson(s): {', '.join(missing)}; see `flask lessons list`")
    if len(slugs) > 1 and not every and len(offsets) != len(slugs) - 1:
        raise click.ClickException(f"{len(slugs)} lessons: give --every WEEKDAY, or one --after for each "
                                   f"lesson after the first ({len(slugs) - 1})")
    try:
        first = datetime.fromisoformat(start)
        spec = SeriesSpec(start=first if first.tzinfo else first.replace(tzinfo=SEOUL),
                          every=every, count=len(slugs) if every else None,
                          offsets=tuple(offsets) if not every else (), skip_weekends=skip_weekends)
        times = expand(spec)
        made = assign_series(school, grade, class_name, [library[slug] for slug in slugs], times, actor,
                             include_students=with_students)
    except ValueError as error:  # SeriesError, AssignmentError, AlertError, a bad --start
        raise click.ClickException(str(error)) from None
    for assignment in made:
        click.echo(f"{assignment.position}. {assignment.lesson_slug} → {school.name_ko} "
                   f"{grade}-{class_name} at {seoul(assignment.send_at):%Y-%m-%d %H:%M} KST "
                   f"(alert {assignment.alert_id}, {assignment.alert.status.value})")
