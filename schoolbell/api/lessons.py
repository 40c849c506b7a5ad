"""/api/v1/lessons: the prevention lessons an alert can point to."""

from __future__ import annotations

from marshmallow import fields, validate

from schoolbell.api.framework import api_blueprint
from schoolbell.api.pagination import PageArgs
from schoolbell.api.problems import ApiProblem
from schoolbell.api.schemas import LessonOut, LessonPage
from schoolbell.curriculum.lesson_types import Lesson
from schoolbell.curriculum.library import get_library, lesson_url


class LessonPageArgs(PageArgs):
    """A lesson page starts after a slug."""

    cursor = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z0-9-]{1,100}$"),
                           metadata={"description": "next_cursor of the previous page (a slug)"})


blp = api_blueprint("api_lessons", __name__, "/api/v1/lessons", "Prevention lessons")


def lesson_out(lesson: Lesson, with_body: bool) -> dict:
    """A lesson as the API shows it."""
    shown = {"slug": lesson.slug, "version": lesson.version, "audiences": list(lesson.audiences),
             "duration_minutes": lesson.duration_minutes, "topics": list(lesson.topics),
             "title": dict(lesson.title), "summary": dict(lesson.summary),
             "url": lesson_url(lesson.slug, _external=True)}
    if with_body:
        shown["body_markdown"] = dict(lesson.body_markdown)
    return shown


@blp.route("")
@blp.arguments(LessonPageArgs, location="query", as_kwargs=True)
@blp.response(200, LessonPage)
def list_lessons(**args):
    """Lessons by slug; the cursor is the last slug seen (as next_cursor gave it)."""
    after = args.get("cursor") or ""
    lessons = [lesson for lesson in get_library() if lesson.slug > after]
    limit = args["limit"]
    shown = lessons[:limit]
    next_cursor = shown[-1].slug if len(lessons) > limit else None
    return {"items": [lesson_out(lesson, with_body=False) for lesson in shown], "next_cursor": next_cursor}


@blp.route("/<string:slug>")
@blp.response(200, LessonOut)
def get_lesson(slug: str):
    """One lesson, with its Markdown body in each language."""
    lesson = get_library().get(slug)
    if lesson is None:
        raise ApiProblem(404, f"there is no lesson {slug[:100]!r}")
    return lesson_out(lesson, with_body=True)
