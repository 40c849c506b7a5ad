"""Lesson content: the lesson.toml schema, loading a lessons directory and checking it."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from schoolbell.curriculum import rendering

AUDIENCES = ("elementary", "middle", "high", "parents", "teachers")
LANGUAGES = ("ko", "en")
REQUIRED_SECTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "ko": ("알아볼 내용", "이야기 나누기", "기억할 것", "도움받을 곳"),
        "en": ("What we learn", "Talk it through", "Remember", "Where to get help"),
    }
)
METADATA_FILE = "lesson.toml"
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_DURATION_MINUTES = 180
MAX_TITLE_CHARS = 80
MAX_SUMMARY_CHARS = 200
LINK_PREFIXES = ("https://", "http://", "mailto:", "tel:", rendering.LESSON_SCHEME)

_FIELDS = (
    "slug", "version", "audiences", "duration_minutes", "topics", "last_checked",
    "title", "summary", "sources",
)  # fmt: skip
_SOURCE_FIELDS = ("title", "publisher", "url", "date")
_PARTIAL_DATE = re.compile(r"\d{4}(?:-(0[1-9]|1[0-2]))?")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the lessons directory, reported against a file."""

    slug: str
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass(frozen=True)
class Source:
    """Where a lesson's facts come from; shown at the end of the lesson page."""

    title: str
    publisher: str
    url: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Lesson:
    """One validated lesson: metadata from lesson.toml and a Markdown body per language."""

    slug: str
    version: int
    audiences: tuple[str, ...]
    duration_minutes: int
    topics: tuple[str, ...]
    last_checked: date
    title: Mapping[str, str]
    summary: Mapping[str, str]
    sources: tuple[Source, ...]
    body_markdown: Mapping[str, str]

    def html(self, lang: str, *, link_for: rendering.LinkFor, include_sources: bool = True) -> str:
        """Render the body in ``lang`` to safe HTML, followed by the sources and check date."""
        if lang not in self.body_markdown:
            raise KeyError(f"lesson {self.slug!r} has no language {lang!r}")
        body = rendering.render_markdown(self.body_markdown[lang], link_for=link_for)
        if not include_sources:
            return body
        return body + rendering.render_sources(
            self.sources, lang=lang, last_checked=self.last_checked
        )


@dataclass(frozen=True)
class LessonLibrary:
    """All lessons of a directory, in slug order."""

    lessons: tuple[Lesson, ...]

    def __iter__(self) -> Iterator[Lesson]:
        return iter(self.lessons)

    def __len__(self) -> int:
        return len(self.lessons)

    def __contains__(self, slug: object) -> bool:
        return any(lesson.slug == slug for lesson in self.lessons)

    def __getitem__(self, slug: str) -> Lesson:
        lesson = self.get(slug)
        if lesson is None:
            raise KeyError(slug)
        return lesson

    def get(self, slug: str) -> Lesson | None:
        """Return the lesson with this slug, or None."""
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    @property
    def slugs(self) -> tuple[str, ...]:
        """The slugs of all lessons."""
        return tuple(lesson.slug for lesson in self.lessons)

    def for_audience(self, audience: str) -> tuple[Lesson, ...]:
        """Return the lessons written for ``audience``."""
        return tuple(lesson for lesson in self.lessons if audience in lesson.audiences)


class LessonContentError(ValueError):
    """Raised by load_lessons when the directory has problems; ``problems`` lists them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(str(problem) for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in lesson content:\n{lines}")


def load_lessons(directory: Path | str, *, today: date | None = None) -> LessonLibrary:
    """Load every lesson in ``directory``; raise LessonContentError if anything is wrong."""
    lessons, problems = _read_directory(Path(directory), today or date.today())
    if problems:
        raise LessonContentError(problems)
    return LessonLibrary(tuple(sorted(lessons, key=lambda lesson: lesson.slug)))


def check_lessons(directory: Path | str, *, today: date | None = None) -> list[Problem]:
    """Return every problem found in ``directory`` (an empty list means the content is valid)."""
    return _read_directory(Path(directory), today or date.today())[1]


# --- reading -----------------------------------------------------------------------------------


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


def _read_metadata(lesson_dir: Path, today: date, report: _Report) -> dict[str, Any] | None:
    path = lesson_dir / METADATA_FILE
    if not path.is_file():
        report.add(METADATA_FILE, "missing")
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        report.add(METADATA_FILE, f"cannot be read: {error}")
        return None
    return _MetadataCheck(data, lesson_dir.name, today, report).run()


def _read_body(lesson_dir: Path, lang: str, known: set[str], report: _Report) -> str:
    filename = f"{lang}.md"
    path = lesson_dir / filename
    if not path.is_file():
        report.add(filename, f"missing (every lesson needs {' and '.join(_md_names())})")
        return ""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        report.add(filename, f"is not UTF-8 text: {error}")
        return ""
    if not text.strip():
        report.add(filename, "is empty")
        return text
    for message in _body_messages(text, lang, known):
        report.add(filename, message)
    return text


def _md_names() -> list[str]:
    return [f"{lang}.md" for lang in LANGUAGES]


# --- lesson.toml -------------------------------------------------------------------------------


class _MetadataCheck:
    """Validates the parsed lesson.toml of one lesson and builds the Lesson fields."""

    def __init__(self, data: dict[str, Any], dir_name: str, today: date, report: _Report) -> None:
        self.data = data
        self.dir_name = dir_name
        self.today = today
        self.report = report
        self.ok = True

    def problem(self, message: str) -> None:
        self.ok = False
        self.report.add(METADATA_FILE, message)

    def run(self) -> dict[str, Any] | None:
        for key in self.data:
            if key not in _FIELDS:
                self.problem(f"unknown field '{key}' (allowed: {', '.join(_FIELDS)})")
        fields = {
            "slug": self.slug(),
            "version": self.integer("version", 1, None),
            "audiences": self.word_list("audiences", AUDIENCES),
            "duration_minutes": self.integer("duration_minutes", 1, MAX_DURATION_MINUTES),
            "topics": self.word_list("topics", None),
            "last_checked": self.last_checked(),
            "title": self.languages("title", MAX_TITLE_CHARS),
            "summary": self.languages("summary", MAX_SUMMARY_CHARS),
            "sources": self.sources(),
        }
        return fields if self.ok else None

    def required(self, name: str) -> Any:
        if name not in self.data:
            self.problem(f"{name}: required field is missing")
        return self.data.get(name)

    def slug(self) -> str | None:
        value = self.required("slug")
        if value is None:
            return None
        if not isinstance(value, str) or not SLUG_PATTERN.fullmatch(value):
            self.problem(f"slug: {value!r} must be lowercase a-z, 0-9 and single hyphens")
        elif value != self.dir_name:
            self.problem(f"slug: {value!r} does not match the directory name {self.dir_name!r}")
        return value

    def integer(self, name: str, low: int, high: int | None) -> int | None:
        value = self.required(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f"{name}: {value!r} must be a whole number")
        elif value < low or (high is not None and value > high):
            limit = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.problem(f"{name}: {value} must be {limit}")
        return value

    def word_list(self, name: str, allowed: tuple[str, ...] | None) -> tuple[str, ...] | None:
        value = self.required(name)
        if value is None:
            return None
        if not isinstance(value, list) or not value:
            self.problem(f"{name}: must be a non-empty list of strings")
            return None
        for item in value:
            if allowed is not None and item not in allowed:
                self.problem(f"{name}: {item!r} is not one of {', '.join(allowed)}")
            elif not isinstance(item, str) or not SLUG_PATTERN.fullmatch(item):
                self.problem(f"{name}: {item!r} must be lowercase a-z, 0-9 and single hyphens")
        for item in {item for item in value if isinstance(item, str) and value.count(item) > 1}:
            self.problem(f"{name}: {item!r} is listed more than once")
        return tuple(value)

    def last_checked(self) -> date | None:
        value = self.required("last_checked")
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.problem(
                f"last_checked: {value!r} must be a TOML date like 2026-11-21 (no quotes, no time)"
            )
            return None
        if value > self.today:
            self.problem(f"last_checked: {value.isoformat()} is in the future")
        return value

    def languages(self, name: str, max_chars: int) -> Mapping[str, str] | None:
        value = self.required(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(f"{name}: must be a table with {' and '.join(LANGUAGES)} strings")
            return None
        for lang in value:
            if lang not in LANGUAGES:
                self.problem(f"{name}: unknown language {lang!r} (use {', '.join(LANGUAGES)})")
        for lang in LANGUAGES:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.problem(f"{name}.{lang}: missing or empty")
            elif "\n" in text.strip():
                self.problem(f"{name}.{lang}: must be a single line")
            elif len(text) > max_chars:
                self.problem(f"{name}.{lang}: {len(text)} characters, at most {max_chars}")
        return MappingProxyType({lang: str(value.get(lang, "")).strip() for lang in LANGUAGES})

    def sources(self) -> tuple[Source, ...] | None:
        value = self.data.get("sources")
        if not value:
            self.problem("sources: at least one [[sources]] entry is required")
            return None
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.problem("sources: must be written as [[sources]] tables")
            return None
        return tuple(self.source(index, item) for index, item in enumerate(value, start=1))

    def source(self, index: int, item: dict[str, Any]) -> Source:
        where = f"sources[{index}]"
        for key in item:
            if key not in _SOURCE_FIELDS:
                self.problem(
                    f"{where}: unknown field '{key}' (allowed: {', '.join(_SOURCE_FIELDS)})"
                )
        for key in ("title", "publisher"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                self.problem(f"{where}.{key}: required text is missing")
        url = item.get("url")
        if url is not None and (not isinstance(url, str) or not url.startswith("https://")):
            self.problem(f"{where}.url: {url!r} must start with https://")
        when = self.source_date(where, item.get("date"))
        if url is None and when is None:
            self.problem(f"{where}: give a url, or a date to identify the source without one")
        return Source(str(item.get("title", "")), str(item.get("publisher", "")), url, when)

    def source_date(self, where: str, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, str):
            if _PARTIAL_DATE.fullmatch(value):
                return value
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        self.problem(f"{where}.date: {value!r} must be a date: YYYY-MM-DD, YYYY-MM or YYYY")
        return None


# --- Markdown bodies ---------------------------------------------------------------------------


def _body_messages(text: str, lang: str, known: set[str]) -> list[str]:
    return [
        *_heading_messages(text, lang),
        *_link_messages(text, known),
        *(
            f"line {found.line}: raw HTML is not allowed in lesson content: {found.value[:60]!r}"
            for found in rendering.raw_html(text)
        ),
    ]


def _heading_messages(text: str, lang: str) -> list[str]:
    found = rendering.headings(text)
    messages = [
        f"line {h.line}: level-1 heading '{h.text}' is not allowed (the title is in lesson.toml)"
        for h in found
        if h.level == 1
    ]
    sections = [h for h in found if h.level == 2]
    positions = []
    for name in REQUIRED_SECTIONS[lang]:
        matches = [h for h in sections if h.text == name]
        if not matches:
            elsewhere = [h for h in found if h.text == name]
            hint = (
                f" (line {elsewhere[0].line} uses level {elsewhere[0].level})" if elsewhere else ""
            )
            messages.append(f"missing required section '## {name}'{hint}")
            continue
        if len(matches) > 1:
            messages.append(f"section '## {name}' appears {len(matches)} times")
        if not matches[0].has_content:
            messages.append(f"line {matches[0].line}: section '## {name}' is empty")
        positions.append(sections.index(matches[0]))
    if positions != sorted(positions):
        order = ", ".join(f"'## {name}'" for name in REQUIRED_SECTIONS[lang])
        messages.append(f"required sections are out of order; expected {order}")
    return messages


def _link_messages(text: str, known: set[str]) -> list[str]:
    messages = []
    for link in rendering.link_targets(text):
        if link.value.startswith(rendering.LESSON_SCHEME):
            target = link.value.removeprefix(rendering.LESSON_SCHEME)
            if target not in known:
                messages.append(f"line {link.line}: link '{link.value}' points to no lesson")
        elif not link.value.startswith(LINK_PREFIXES):
            allowed = ", ".join(LINK_PREFIXES)
            messages.append(
                f"line {link.line}: link '{link.value}' must start with one of {allowed}"
            )
    return messages
