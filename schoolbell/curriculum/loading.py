"""Loading lessons: read every lesson folder of a directory, run the checks, build the library."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from types import MappingProxyType

from schoolbell import timeutil
from schoolbell.curriculum.body_check import body_messages
from schoolbell.curriculum.lesson_types import (
    LANGUAGES,
    Lesson,
    LessonContentError,
    LessonLibrary,
    Problem,
)
from schoolbell.curriculum.metadata_check import MetadataCheck

METADATA_FILE = "lesson.toml"


def load_lessons(directory: Path | str, *, today: date | None = None) -> LessonLibrary:
    """Load every lesson in ``directory``; raise LessonContentError if anything is wrong."""
    lessons, problems = _read_directory(Path(directory), today or timeutil.seoul_today())
    if problems:
        raise LessonContentError(problems)
    return LessonLibrary(tuple(sorted(lessons, key=lambda lesson: lesson.slug)))


def check_lessons(directory: Path | str, *, today: date | None = None) -> list[Problem]:
    """Return every problem found in ``directory`` (an empty list means the content is valid)."""
    return _read_directory(Path(directory), today or timeutil.seoul_today())[1]


class _Report:
    """Collects the problems of one lesson, labelled with the file they concern."""

    def __init__(self, root: Path, slug: str) -> None:
        self.root = root
        self.slug = slug
        self.problems: list[Problem] = []

    def add(self, filename: str, message: str) -> None:
        label = f"{self.root.name}/{self.slug}/{filename}"
        self.problems.append(Problem(self.slug, label, message))


def _read_directory(root: Path, today: date) -> tuple[list[Lesson], list[Problem]]:
    if not root.is_dir():
        return [], [Problem("", str(root), "lessons directory does not exist")]
    lesson_dirs = sorted(
        path for path in root.iterdir() if path.is_dir() and not path.name.startswith((".", "_"))
    )
    if not lesson_dirs:
        return [], [Problem("", str(root), "no lessons found (expected one folder per lesson)")]
    known = {path.name for path in lesson_dirs}
    lessons: list[Lesson] = []
    problems: list[Problem] = []
    for lesson_dir in lesson_dirs:
        report = _Report(root, lesson_dir.name)
        lesson = _read_lesson(lesson_dir, known, today, report)
        problems.extend(report.problems)
        if lesson is not None:
            lessons.append(lesson)
    return lessons, problems


def _read_lesson(lesson_dir: Path, known: set[str], today: date, report: _Report) -> Lesson | None:
    meta = _read_metadata(lesson_dir, today, report)
    bodies = {lang: _read_body(lesson_dir, lang, known, report) for lang in LANGUAGES}
    if report.problems or meta is None:
        return None
    return Lesson(body_markdown=MappingProxyType(bodies), **meta)


def _read_metadata(lesson_dir: Path, today: date, report: _Report) -> dict | None:
    path = lesson_dir / METADATA_FILE
    if not path.is_file():
        report.add(METADATA_FILE, "missing")
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        report.add(METADATA_FILE, f"cannot be read: {error}")
        return None
    check = MetadataCheck(data, lesson_dir.name, today, lambda msg: report.add(METADATA_FILE, msg))
    return check.run()


def _read_body(lesson_dir: Path, lang: str, known: set[str], report: _Report) -> str:
    filename = f"{lang}.md"
    path = lesson_dir / filename
    if not path.is_file():
        names = " and ".join(f"{code}.md" for code in LANGUAGES)
        report.add(filename, f"missing (every lesson needs {names})")
        return ""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        report.add(filename, f"is not UTF-8 text: {error}")
        return ""
    if not text.strip():
        report.add(filename, "is empty")
        return text
    for message in body_messages(text, lang, known):
        report.add(filename, message)
    return text
