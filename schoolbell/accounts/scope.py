"""What a signed-in user may see and change: their office, their school, or their classes."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from schoolbell.accounts.models import User, UserRole
from schoolbell.directory.models import Contact, Membership, School


def school_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause on School limiting rows to what the user may see."""
    if user.role is UserRole.OFFICE:
        return School.office_id == user.office_id
    if user.school_id is not None:
        return School.id == user.school_id
    return false()


def may_see_school(user: User, school: School) -> bool:
    """Whether the user may see this school (its figures; its people as far as membership_scope allows)."""
    if user.role is UserRole.OFFICE:
        return school.office_id == user.office_id
    return user.school_id == school.id


def class_keys(user: User) -> list[tuple[int, str]]:
    """A teacher's classes as (grade, class name)."""
    return [(c.grade, c.class_name) for c in user.classes]


def membership_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause on Membership: the memberships whose people the user may see.

    An office administrator: every school of the office; a school administrator: their school;
    a teacher: their own classes only (none recorded: none seen).
    """
    if user.role is UserRole.OFFICE:
        return Membership.school_id.in_(select(School.id).where(School.office_id == user.office_id))
    if user.school_id is None:
        return false()
    if user.role is UserRole.SCHOOL_ADMIN:
        return Membership.school_id == user.school_id
    classes = class_keys(user)
    if not classes:
        return false()
    return and_(Membership.school_id == user.school_id,
                or_(*(and_(Membership.grade == grade, Membership.class_name == name)
                      for grade, name in classes)))


def contact_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause on Contact: the people the user may see (through one of their memberships)."""
    if user.role is UserRole.OFFICE:
        return Contact.office_id == user.office_id
    return and_(Contact.office_id == user.office_id,
                exists().where(Membership.contact_id == Contact.id, membership_scope(user)))


def may_teach(user: User, school: School, grade: int, class_name: str) -> bool:
    """Whether the user may act for this class (assign lessons, see its people)."""
    if not may_see_school(user, school):
        return False
    if user.role is not UserRole.TEACHER:
        return True
    return (grade, class_name) in class_keys(user)


def may_manage(user: User, other: User) -> bool:
    """Whether the user may change this staff account: an office administrator anyone of the office,
    a school administrator the teachers of their school; nobody their own role."""
    if other.office_id != user.office_id:
        return False
    if user.role is UserRole.OFFICE:
        return True
    return (user.role is UserRole.SCHOOL_ADMIN and other.role is UserRole.TEACHER
            and other.school_id == user.school_id and other.school_id is not None)


def staff_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause on User: the staff accounts the user may list."""
    if user.role is UserRole.OFFICE:
        return User.office_id == user.office_id
    if user.role is UserRole.SCHOOL_ADMIN and user.school_id is not None:
        return and_(User.office_id == user.office_id, User.school_id == user.school_id)
    return false()


def is_admin(user: User) -> bool:
    """Office and school administrators manage people and staff; teachers do not."""
    return user.role in (UserRole.OFFICE, UserRole.SCHOOL_ADMIN)

