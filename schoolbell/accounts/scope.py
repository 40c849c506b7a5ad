"""What a signed-in user may see: their office's schools, or their own school only."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from schoolbell.accounts.models import User, UserRole
from schoolbell.directory.models import School


def school_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause on School limiting rows to what the user may see."""
    if user.role is UserRole.OFFICE:
        return School.office_id == user.office_id
    if user.role is UserRole.TEACHER and user.school_id is not None:
        return School.id == user.school_id
    return false()


def may_see_school(user: User, school: School) -> bool:
    """Whether the user may see this school's people and figures."""
    if user.role is UserRole.OFFICE:
        return school.office_id == user.office_id
    return user.school_id == school.id
