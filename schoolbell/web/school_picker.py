"""Finding schools to target by name (Korean or English), district office, level or NEIS code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from schoolbell.directory.models import DistrictOffice, Membership, School
from schoolbell.extensions import db

LIMIT = 20


@dataclass(frozen=True)
class SchoolChoice:
    """A school as the picker lists it, with the people it adds for the roles chosen."""

    code: str
    name_ko: str
    name_en: str | None
    district: str | None
    level: str
    people: int


def search_schools(office_id: int, text: str = "", district_id: int | None = None, level: str = "",
                   roles: list[str] | None = None, limit: int = LIMIT) -> list[SchoolChoice]:
    """The office's schools matching the words, district office and level, by name."""
    query = select(School).where(School.office_id == office_id)
    text = text.strip()
    if text:
        query = query.where(or_(School.name_ko.contains(text, autoescape=True),
                                func.lower(School.name_en).contains(text.lower(), autoescape=True),
                                School.code == text.upper()))
    if district_id:
        query = query.where(School.district_office_id == district_id)
    if level:
        query = query.where(School.level == level)
    schools = list(db.session.scalars(query.order_by(School.name_ko).limit(limit)))
    return choices_for(schools, roles)


def chosen_schools(office_id: int, codes: list[str], roles: list[str] | None = None) -> list[SchoolChoice]:
    """The office's schools with these codes, in the order given."""
    found = {school.code: school for school in db.session.scalars(
        select(School).where(School.office_id == office_id, School.code.in_(codes)))} if codes else {}
    return choices_for([found[code] for code in codes if code in found], roles)


def choices_for(schools: list[School], roles: list[str] | None) -> list[SchoolChoice]:
    """Schools with their district office's name and the distinct people the chosen roles add."""
    ids = [school.id for school in schools]
    counting = (select(Membership.school_id, func.count(func.distinct(Membership.contact_id)))
                .where(Membership.school_id.in_(ids)).group_by(Membership.school_id))
    if roles:
        counting = counting.where(Membership.role.in_(roles))
    people = dict(db.session.execute(counting).all()) if ids else {}
    districts = dict(db.session.execute(select(DistrictOffice.id, DistrictOffice.name).where(
        DistrictOffice.id.in_({s.district_office_id for s in schools if s.district_office_id}))).all())
    return [SchoolChoice(s.code, s.name_ko, s.name_en, districts.get(s.district_office_id), s.level.value,
                         people.get(s.id, 0)) for s in schools]
