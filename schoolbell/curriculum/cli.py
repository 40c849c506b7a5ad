"""`flask lessons ...` commands: check the lesson content, list the lessons, print facilitator notes."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from schoolbell.curriculum.lesson_types import LessonContentError
from schoolbell.curriculum.loading import check_lessons, load_lessons

lessons_cli = AppGroup("lessons", help="Check and list the prevention lessons.")

_dir_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Lessons directory (default: the app's LESSONS_DIR setting).",
)


def _lessons_dir(directory: Path | None) -> Path:
    """Return the --dir value, or the app's LESSONS_DIR setting."""
    if directory is not None:
        return directory
    configured = current_app.config.get("LESSONS_DIR")
    if not configured:
        raise click.UsageError("LESSONS_DIR is not configured; pass --dir PATH")
    return Path(configured)


@lessons_cli.command("check")
@_dir_option
def check_command(directory: Path | None) -> None:
    """Validate every lesson; print one line per problem and exit 1 if there are any."""
    root = _lessons_dir(directory)
    problems = check_lessons(root)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", err=True)
        raise SystemExit(1)
    count = len(load_lessons(root))
    click.echo(f"{count} lesson{'s' if count != 1 else ''} OK")


_NOTE_LABELS = {
    "ko": ("진행 순서", "개인 경험", "학생이 털어놓으면", "휴대전화 없이", "분"),
    "en": ("Timing", "Personal stories", "If a pupil discloses", "Without phones", "min"),
}


def _load(directory: Path | None):
    try:
        return load_lessons(_lessons_dir(directory))
    except LessonContentError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the lessons have problems; run 'flask lessons check'") from None


@lessons_cli.command("notes")
@_dir_option
@click.argument("slug")
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
def notes_command(directory: Path | None, slug: str, lang: str) -> None:
    """Print a lesson's facilitator notes: timed activities, safety in class, disclosures, no phones."""
    lesson = _load(directory).get(slug)
    if lesson is None:
        raise click.ClickException(f"unknown lesson {slug!r}; see `flask lessons list`")
    notes = lesson.facilitator
    if notes is None:
        raise click.ClickException(f"{slug} has no facilitator notes (it is not taught to pupils)")
    timing, stories, discloses, phones, minutes = _NOTE_LABELS[lang]
    click.echo(f"{lesson.title[lang]} ({lesson.duration_minutes} {minutes})\n\n{timing}:")
    for activity in notes.activities:
        click.echo(f"  {activity.minutes:>3} {minutes}  {activity.text[lang]}")
    for label, text in ((stories, notes.personal_stories), (discloses, notes.if_a_pupil_discloses),
                        (phones, notes.without_phones)):
        click.echo(f"\n{label}:\n  {text[lang]}")


@lessons_cli.command("list")
@_dir_option
@click.option("--audience", default=None, help="Only lessons for this audience.")
def list_command(directory: Path | None, audience: str | None) -> None:
    """Print each lesson's slug, audiences and Korean / English titles."""
    library = _load(directory)
    lessons = library.for_audience(audience) if audience else tuple(library)
    slug_width = max((len(lesson.slug) for lesson in lessons), default=0)
    audience_width = max((len(",".join(lesson.audiences)) for lesson in lessons), default=0)
    for lesson in lessons:
        audiences = ",".join(lesson.audiences)
        click.echo(
            f"{lesson.slug:<{slug_width}}  {audiences:<{audience_width}}  "
            f"{lesson.title['ko']} / {lesson.title['en']}"
        )
