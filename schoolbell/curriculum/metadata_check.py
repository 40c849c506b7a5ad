"""The lesson.toml check: validates one lesson's metadata and builds the Lesson fields from it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from schoolbell.curriculum.lesson_types import (
    AUDIENCES,
    LANGUAGES,
    PUPIL_AUDIENCES,
    Activity,
    FacilitatorNotes,
    Source,
)

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_DURATION_MINUTES = 180
MAX_TITLE_CHARS = 80
MAX_SUMMARY_CHARS = 200
MAX_ACTIVITY_CHARS = 200
MAX_NOTE_CHARS = 600

FIELDS = (
    "slug", "version", "audiences", "duration_minutes", "topics", "last_checked",
    "title", "summary", "sources", "facilitator",
)  # fmt: skip
SOURCE_FIELDS = ("title", "publisher", "url", "date")
FACILITATOR_NOTES = ("personal_stories", "if_a_pupil_discloses", "without_phones")
FACILITATOR_FIELDS = ("activities", *FACILITATOR_NOTES)
ACTIVITY_FIELDS = ("minutes", *LANGUAGES)
_PARTIAL_DATE = re.compile(r"\d{4}(?:-(0[1-9]|1[0-2]))?")


class MetadataCheck:
    """Validates the parsed lesson.toml of one lesson; each problem goes to ``problem``."""

    def __init__(
        self, data: dict[str, Any], dir_name: str, today: date, problem: Callable[[str], None]
    ) -> None:
        self.data = data
        self.dir_name = dir_name
        self.today = today
        self.report = problem
        self.ok = True

    def problem(self, message: str) -> None:
        self.ok = False
        self.report(message)

    def run(self) -> dict[str, Any] | None:
        """Return the Lesson fields (all but the bodies), or None if anything is wrong."""
        for key in self.data:
            if key not in FIELDS:
                self.problem(f"unknown field '{key}' (allowed: {', '.join(FIELDS)})")
        fields = {
            "slug": self.slug(),
            "version": self.integer("version", 1, None),
            "audiences": self.word_list("audiences", AUDIENCES),
            "duration_minutes": self.integer("duration_minutes", 1, MAX_DURATION_MINUTES),
            "topics": self.word_list("topics", None),
            "last_checked": self.last_checked(),
            "title": self.languages("title", self.required("title"), MAX_TITLE_CHARS),
            "summary": self.languages("summary", self.required("summary"), MAX_SUMMARY_CHARS),
            "sources": self.sources(),
        }
        fields["facilitator"] = self.facilitator(fields["audiences"], fields["duration_minutes"])
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

    def integer(self, name: str, low: int, high: int | None, value: Any = None) -> int | None:
        value = self.required(name) if value is None else value
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
            self.problem(f"last_checked: {value!r} must be a TOML date like 2026-11-21 (no quotes, no time)")
            return None
        if value > self.today:
            self.problem(f"last_checked: {value.isoformat()} is in the future")
        return value

    def languages(
        self, name: str, value: Any, max_chars: int, *, single_line: bool = True
    ) -> Mapping[str, str] | None:
        """A table with one text per language (``name`` labels the problems)."""
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
            elif single_line and "\n" in text.strip():
                self.problem(f"{name}.{lang}: must be a single line")
            elif len(text.strip()) > max_chars:
                self.problem(f"{name}.{lang}: {len(text.strip())} characters, at most {max_chars}")
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
            if key not in SOURCE_FIELDS:
                self.problem(f"{where}: unknown field '{key}' (allowed: {', '.join(SOURCE_FIELDS)})")
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

    # --- [facilitator]: notes for whoever teaches; required for lessons taught to pupils --------

    def facilitator(self, audiences: tuple[str, ...] | None, duration: int | None) -> FacilitatorNotes | None:
        value = self.data.get("facilitator")
        if value is None:
            if any(audience in PUPIL_AUDIENCES for audience in audiences or ()):
                self.problem(
                    "facilitator: a lesson for pupils needs facilitator notes "
                    f"([facilitator] with {', '.join(FACILITATOR_FIELDS)})"
                )
            return None
        if not isinstance(value, dict):
            self.problem("facilitator: must be a table ([facilitator])")
            return None
        for key in value:
            if key not in FACILITATOR_FIELDS:
                self.problem(f"facilitator: unknown field '{key}' (allowed: {', '.join(FACILITATOR_FIELDS)})")
        notes = {}
        for name in FACILITATOR_NOTES:
            if name not in value:
                self.problem(f"facilitator.{name}: required notes are missing")
            notes[name] = self.languages(
                f"facilitator.{name}", value.get(name), MAX_NOTE_CHARS, single_line=False
            )
        activities = self.activities(value.get("activities"), duration)
        if activities is None or any(note is None for note in notes.values()):
            return None
        return FacilitatorNotes(activities=activities, **notes)

    def activities(self, value: Any, duration: int | None) -> tuple[Activity, ...] | None:
        if not value or not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
            self.problem(
                "facilitator.activities: give each timed activity as a [[facilitator.activities]] "
                "table with minutes, ko and en"
            )
            return None
        found = tuple(self.activity(index, item) for index, item in enumerate(value, start=1))
        total = sum(activity.minutes for activity in found)
        if isinstance(duration, int) and total != duration:
            self.problem(
                f"facilitator.activities: the minutes add up to {total}, but duration_minutes is {duration}"
            )
        return found

    def activity(self, index: int, item: dict[str, Any]) -> Activity:
        where = f"facilitator.activities[{index}]"
        for key in item:
            if key not in ACTIVITY_FIELDS:
                self.problem(f"{where}: unknown field '{key}' (allowed: {', '.join(ACTIVITY_FIELDS)})")
        minutes = item.get("minutes")
        if minutes is None:
            self.problem(f"{where}.minutes: required field is missing")
        else:
            self.integer(f"{where}.minutes", 1, MAX_DURATION_MINUTES, minutes)
        text = self.languages(
            where, {lang: item[lang] for lang in LANGUAGES if lang in item}, MAX_ACTIVITY_CHARS
        )
        valid = isinstance(minutes, int) and not isinstance(minutes, bool)
        return Activity(minutes if valid else 0, text or MappingProxyType({}))
