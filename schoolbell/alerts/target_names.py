"""Turning what an author names (district offices, NEIS school codes) into a target's ids."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select

from schoolbell.alerts.targeting import TargetError
from schoolbell.directory.models import DistrictOffice, EducationOffice, School
from schoolbell.extensions import db


def district_ids(office: EducationOffice, names: Iterable[str]) -> list[int]:
    """The office's district offices named by name, part of a name, or code; each must match one."""
    ids = []
    for name in names:
        found = list(db.session.scalars(select(DistrictOffice).where(
            DistrictOffice.office_id == office.id,
            or_(DistrictOffice.name == name, DistrictOffice.code == name,
                DistrictOffice.name.contains(name)))))
        if len(found) != 1:
            raise TargetError(f"district office {name!r} matches {len(found)} offices")
        ids.append(found[0].id)
    return ids


def school_ids(office: EducationOffice, codes: Iterable[str]) -> list[int]:
    """The office's schools with these NEIS codes; unknown codes are named in the error."""
    codes = list(codes)
    found = dict(db.session.execute(select(School.code, School.id).where(
        School.office_id == office.id, School.code.in_(codes))).all())
    missing = [code for code in codes if code not in found]
    if missing:
        raise TargetError(f"unknown school code(s) in this office: {', '.join(missing)}")
    return [found[code] for code in codes]
