"""/api/v1/assignments: lessons assigned to one class, each sent to its families when its time comes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from schoolbell.alerts.services import AlertError, cancel_alert
from schoolbell.api.alert_io import iso_seoul
from schoolbell.api.alerts import actor, key_mode
from schoolbell.api.framework import api_blueprint, current_office_id
from schoolbell.api.pagination import PageArgs, page
from schoolbell.api.problems import ApiProblem
from schoolbell.api.schemas import Envelope, PageOut, Strict, text
from schoolbell.curriculum.assignments import MAX_SERIES, AssignmentError, assign_series
from schoolbell.curriculum.library import get_library
from schoolbell.curriculum.models import Assignment
from schoolbell.directory.models import School
from schoolbell.extensions import db

blp = api_blueprint("api_assignments", __name__, "/api/v1/assignments",
                    "Lessons assigned to a class (each a curriculum alert to its families)")


class LessonAt(Strict):
    """One lesson and when it goes."""

    slug = text(100, required=True)
    send_at = fields.AwareDateTime(required=True, format="iso",
                                   metadata={"description": "ISO 8601 with an offset; a past time goes now"})


class AssignmentIn(Strict):
    """A lesson or a series for one class."""

    school_code = text(10, required=True)
    grade = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=12))
    class_name = text(10, minimum=1, data_key="class", required=True)
    lessons = fields.List(fields.Nested(LessonAt), required=True,
                          validate=validate.Length(min=1, max=MAX_SERIES))
    include_students = fields.Boolean(load_default=False)


class AssignmentOut(Schema):
    """One assigned lesson."""

    id = fields.Integer(required=True)
    series_id = fields.String(required=True)
    position = fields.Integer(required=True)
    school_code = fields.String(required=True)
    grade = fields.Integer(required=True)
    class_name = fields.String(required=True, data_key="class")
    lesson_slug = fields.String(required=True)
    send_at = fields.String(required=True)
    alert_id = fields.Integer(required=True)
    alert_status = fields.String(required=True)


class AssignmentsOut(Envelope):
    """The assignments made."""

    items = fields.List(fields.Nested(AssignmentOut), required=True)


class AssignmentPage(PageOut):
    """A page of assignments."""

    items = fields.List(fields.Nested(AssignmentOut), required=True)


class AssignmentArgs(PageArgs):
    """Filter by school."""

    school_code = fields.String(validate=validate.Length(max=10))


class CancelOut(Envelope):
    """An assignment cancelled."""

    assignment = fields.Nested(AssignmentOut, required=True)
    message = fields.String(required=True)


def assignment_out(assignment: Assignment) -> dict:
    """An assignment as the API shows it."""
    return {"id": assignment.id, "series_id": assignment.series_id, "position": assignment.position,
            "school_code": assignment.school.code, "grade": assignment.grade,
            "class_name": assignment.class_name, "lesson_slug": assignment.lesson_slug,
            "send_at": iso_seoul(assignment.send_at), "alert_id": assignment.alert_id,
            "alert_status": assignment.alert.status.value}


def _school(code: str) -> School:
    school = db.session.scalar(select(School).where(School.code == code,
                                                    School.office_id == current_office_id()))
    if school is None:
        raise ApiProblem(422, f"your office has no school {code!r}",
                         [{"field": "body.school_code", "message": "not a school of your office"}])
    return school


@blp.route("", methods=["POST"])
@blp.arguments(AssignmentIn)
@blp.response(201, AssignmentsOut)
def create(data):
    """Assign a lesson or a series to one class; what is due now goes at once, the rest when due."""
    school = _school(data["school_code"])
    library = get_library()
    unknown = [(i, item["slug"]) for i, item in enumerate(data["lessons"]) if item["slug"] not in library]
    if unknown:
        raise ApiProblem(422, "unknown lessons; see GET /api/v1/lessons",
                         [{"field": f"body.lessons.{i}.slug", "message": f"no lesson {slug!r}"}
                          for i, slug in unknown])
    try:
        made = assign_series(school, data["grade"], data["class_name"],
                             [library[item["slug"]] for item in data["lessons"]],
                             [item["send_at"] for item in data["lessons"]], actor(),
                             include_students=data["include_students"], mode=key_mode())
    except (AssignmentError, AlertError) as error:
        db.session.rollback()
        raise ApiProblem(422, str(error), [{"field": "body", "message": str(error)}]) from error
    return {"items": [assignment_out(assignment) for assignment in made]}


@blp.route("")
@blp.arguments(AssignmentArgs, location="query", as_kwargs=True)
@blp.response(200, AssignmentPage)
def list_assignments(**args):
    """The office's assignments, oldest first; filter by school."""
    query = select(Assignment).join(School, School.id == Assignment.school_id).where(
        School.office_id == current_office_id())
    if args.get("school_code"):
        query = query.where(School.code == args["school_code"])
    rows, next_cursor = page(query, Assignment.id, args)
    return {"items": [assignment_out(row) for row in rows], "next_cursor": next_cursor}


@blp.route("/<int:assignment_id>/cancel", methods=["POST"])
@blp.response(200, CancelOut)
def cancel(assignment_id: int):
    """Cancel one assigned lesson before it goes (its alert is cancelled)."""
    assignment = db.session.scalar(select(Assignment).join(School, School.id == Assignment.school_id).where(
        Assignment.id == assignment_id, School.office_id == current_office_id()))
    if assignment is None:
        raise ApiProblem(404, f"your office has no assignment {assignment_id}")
    try:
        cancel_alert(assignment.alert, actor())
    except AlertError as error:
        db.session.rollback()
        raise ApiProblem(409, str(error)) from error
    return {"assignment": assignment_out(assignment), "message": "cancelled"}
