"""Finding schools (by district office, level, name in Korean or English, code) and counting their people."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select, true
from sqlalchemy.orm import joinedload

from schoolbell.directory.models import Contact, DistrictOffice, Membership, Role, School, SchoolLevel
from schoolbell.extensions import db

LEVEL_ORDER = [level.value for level in SchoolLevel]


def find_schools(where: ColumnElement[bool] | None = None, *, district: str = "", query: str = "",
                 level: str = "", limit: int | None = None) -> list[School]:
    """Schools in the given scope, ordered by district office, level and name.

    `district` matches a district office's name (any part, e.g. 성동광진) or its code; `query` a
    school's Korean or English name (any part, any case) or its code (exact).
    """
    statement = (select(School).outerjoin(DistrictOffice, School.district_office_id == DistrictOffice.id)
                 .options(joinedload(School.district_office)).where(where if where is not None else true()))
    if district.strip():
        wanted = district.strip()
        statement = statement.where(or_(DistrictOffice.name.contains(wanted, autoescape=True),
                                        DistrictOffice.code == wanted))
    if query.strip():
        wanted = query.strip()
        statement = statement.where(or_(School.name_ko.contains(wanted, autoescape=True),
                                        func.lower(School.name_en).contains(wanted.lower(), autoescape=True),
                                        School.code == wanted))
    if level in LEVEL_ORDER:
        statement = statement.where(School.level == SchoolLevel(level))
    level_rank = case({value: rank for rank, value in enumerate(LEVEL_ORDER)}, value=School.level)
    statement = statement.order_by(DistrictOffice.name, level_rank, School.name_ko, School.code)
    if limit:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))


def school_as_dict(school: School) -> dict:
    """A school as `flask schools list --json` prints it."""
    return {"code": school.code, "name_ko": school.name_ko, "name_en": school.name_en,
            "level": school.level.value, "gu": school.gu,
            "district_office": school.district_office.name if school.district_office else None,
            "district_office_code": school.district_office.code if school.district_office else None}


@dataclass
class Headcount:
    """A school's (or class's) people: by role, and how many a channel can reach."""

    people: int = 0
    by_role: dict[str, int] = field(default_factory=dict)
    sms: int = 0
    email: int = 0
    nothing: int = 0

    def share(self, part: int) -> float:
        """part as a fraction of everyone (0 when there is nobody)."""
        return part / self.people if self.people else 0.0


def _reach_columns():
    sms = and_(Contact.phone.is_not(None), Contact.sms_consent.is_(True),
               Contact.sms_blocked_reason.is_(None))
    email = and_(Contact.email.is_not(None), Contact.email_consent.is_(True),
                 Contact.email_blocked_reason.is_(None))
    return (func.sum(case((sms, 1), else_=0)), func.sum(case((email, 1), else_=0)),
            func.sum(case((or_(sms, email), 0), else_=1)))


def headcounts(school_ids: list[int], *, by_class: bool = False,
               where: ColumnElement[bool] | None = None) -> dict[tuple, Headcount]:
    """Distinct people per school (or per school and class), by role and by reachable channel.

    Keys are (school_id,) or (school_id, grade, class_name). Two grouped queries, whatever the size.
    """
    if not school_ids:
        return {}
    keys = [Membership.school_id] + ([Membership.grade, Membership.class_name] if by_class else [])
    scope = and_(Membership.school_id.in_(school_ids), where if where is not None else true())
    result: dict[tuple, Headcount] = {}
    for *key, role, people in db.session.execute(
            select(*keys, Membership.role, func.count(distinct(Membership.contact_id)))
            .where(scope).group_by(*keys, Membership.role)):
        count = result.setdefault(tuple(key), Headcount())
        count.by_role[Role(role).value] = people
    members = select(*keys, Membership.contact_id).where(scope).distinct().subquery()
    member_keys = [members.c[column.key] for column in keys]
    for *key, people, sms, email, nothing in db.session.execute(
            select(*member_keys, func.count(), *_reach_columns())
            .join(Contact, Contact.id == members.c.contact_id).group_by(*member_keys)):
        count = result.setdefault(tuple(key), Headcount())
        count.people, count.sms, count.email, count.nothing = people, sms or 0, email or 0, nothing or 0
    return result
