"""Lesson types: a lesson, its sources and facilitator notes, the library, and content problems."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from schoolbell.curriculum import rendering

AUDIENCES = ("elementary", "middle", "high", "parents", "teachers")
PUPIL_AUDIENCES = ("elementary", "middle", "high")
LANGUAGES = ("ko", "en")


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
class Activity:
    """One timed step of a lesson, as the facilitator runs it (without phones)."""

    minutes: int
    text: Mapping[str, str]


@dataclass(frozen=True)
class FacilitatorNotes:
    """Notes for whoever teaches a lesson: timing, safety in class, disclosures, no phones."""

    activities: tuple[Activity, ...]
    personal_stories: Mapping[str, str]
    if_a_pupil_discloses: Mapping[str, str]
    without_phones: Mapping[str, str]


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
    facilitator: FacilitatorNotes | None = None

    @property
    def for_pupils(self) -> bool:
        """Whether pupils are taught this lesson in class (so it carries facilitator notes)."""
        return any(audience in PUPIL_AUDIENCES for audience in self.audiences)

    def html(self, lang: str, *, link_for: rendering.LinkFor, include_sources: bool = True) -> str:
        """Render the body in ``lang`` to safe HTML, followed by the sources and check date."""
        if lang not in self.body_markdown:
            raise KeyError(f"lesson {self.slug!r} has no language {lang!r}")
        body = rendering.render_markdown(self.body_markdown[lang], link_for=link_for)
        if not include_sources:
            return body
        return body + rendering.render_sources(self.sources, lang=lang, last_checked=self.last_checked)


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
