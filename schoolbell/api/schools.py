"""GET /api/v1/schools: the caller's office's schools, by NEIS code."""

from __future__ import annotations

from sqlalchemy import select

from schoolbell.api.framework import api_blueprint, current_office_id
from schoolbell.api.pagination import page
from schoolbell.api.problems import ApiProblem
from schoolbell.api.schemas import SchoolArgs, SchoolOut, SchoolPage
from schoolbell.directory.models import School
from schoolbell.extensions import db

blp = api_blueprint("api_schools", __name__, "/api/v1/schools", "Schools of the key's office")


def school_out(school: School) -> dict:
    """A school as the API shows it."""
    return {"code": school.code, "name_ko": school.name_ko, "name_en": school.name_en,
            "level": school.level.value,
            "district_office": school.district_office.name if school.district_office else None,
            "gu": school.gu, "address": school.address}


@blp.route("")
@blp.arguments(SchoolArgs, location="query", as_kwargs=True)
@blp.response(200, SchoolPage)
def list_schools(**args):
    """The office's schools, by id; filter by level."""
    query = select(School).where(School.office_id == current_office_id())
    if args.get("level"):
        query = query.where(School.level == args["level"])
    rows, next_cursor = page(query, School.id, args)
    return {"items": [school_out(row) for row in rows], "next_cursor": next_cursor}


@blp.route("/<string:code>")
@blp.response(200, SchoolOut)
def get_school(code: str):
    """One school of the office by its NEIS code; another office's school is a 404."""
    school = db.session.scalar(select(School).where(School.code == code[:10],
                                                    School.office_id == current_office_id()))
    if school is None:
        raise ApiProblem(404, f"your office has no school with code {code[:20]!r}")
    return school_out(school)
