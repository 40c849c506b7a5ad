"""The app's lesson library: loaded lazily once per app from LESSONS_DIR, and links to lesson pages."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_request_context, url_for

from schoolbell.curriculum.lesson_types import LessonLibrary
from schoolbell.curriculum.loading import load_lessons

EXTENSION_KEY = "schoolbell.lessons"
LESSON_ENDPOINT = "lessons.lesson"


def get_library() -> LessonLibrary:
    """Return the current app's lessons, loading them on first use; raise LessonContentError if broken.

    A broken library is not kept, so fixed content is picked up without a restart. Two threads
    loading at once both read the same files and one result wins: loading has no side effects.
    """
    library = current_app.extensions.get(EXTENSION_KEY)
    if library is None:
        library = load_lessons(Path(current_app.config["LESSONS_DIR"]))
        current_app.extensions[EXTENSION_KEY] = library
    return library


def lesson_url(slug: str, lang: str | None = None, _external: bool = False) -> str:
    """Return the URL of a lesson page; external URLs start with PUBLIC_BASE_URL when it is set."""
    values = {"slug": slug} if lang is None else {"slug": slug, "lang": lang}
    base = current_app.config.get("PUBLIC_BASE_URL")
    if _external and base:
        path = current_app.url_map.bind("localhost").build(LESSON_ENDPOINT, values)
        return base.rstrip("/") + path
    if has_request_context() or _external:
        return url_for(LESSON_ENDPOINT, _external=_external, **values)
    # Outside a request (a message being rendered) a relative link is the bare path.
    return current_app.url_map.bind("localhost").build(LESSON_ENDPOINT, values)
