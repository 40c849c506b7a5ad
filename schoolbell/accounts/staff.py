"""Managing staff accounts: invite, change role, school and classes, deactivate — each within the
manager's scope (accounts.scope.may_manage)."""

from __future__ import annotations

import re
import secrets

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select

from schoolbell.accounts.models import User, UserClass, UserRole
from schoolbell.accounts.scope import may_manage
from schoolbell.directory.models import School
from schoolbell.extensions import db

CLASS = re.compile(r"^\s*(\d{1,2})\s*-\s*(\S{1,10})\s*$")
NAME_LIMIT = 100


class StaffError(ValueError):
    """A staff change that cannot be made; the message names the field and the reason."""


def roles_for(manager: User) -> list[UserRole]:
    """The roles a manager may give."""
    if manager.role is UserRole.OFFICE:
        return [UserRole.OFFICE, UserRole.SCHOOL_ADMIN, UserRole.TEACHER]
    if manager.role is UserRole.SCHOOL_ADMIN:
        return [UserRole.TEACHER]
    return []


def parse_classes(text: str) -> list[tuple[int, str]]:
    """'3-2, 3-4' → [(3, '2'), (3, '4')]; a bad one is named."""
    classes = []
    for part in filter(None, (piece.strip() for piece in re.split(r"[,\n]", text or ""))):
        match = CLASS.match(part)
        if not match or not 1 <= int(match.group(1)) <= 12:
            raise StaffError(_("Classes: %(value)s is not a class like 3-2.", value=part[:20]))
        classes.append((int(match.group(1)), match.group(2)))
    return list(dict.fromkeys(classes))


def _school(manager: User, role: UserRole, code: str) -> School | None:
    if role is UserRole.OFFICE:
        return None
    if manager.role is UserRole.SCHOOL_ADMIN:
        return manager.school
    school = db.session.scalar(select(School).where(School.code == (code or "").strip()))
    if school is None or school.office_id != manager.office_id:
        raise StaffError(_("School: no school of your office has the code %(code)s.", code=(code or "")[:10]))
    return school


def apply(manager: User, user: User, *, role: str, school_code: str, classes: str,
          name: str | None = None) -> None:
    """Set a staff account's role, school and classes, as the manager may."""
    try:
        wanted = UserRole(role)
    except ValueError:
        raise StaffError(_("Role: choose one of the roles offered.")) from None
    if wanted not in roles_for(manager):
        raise StaffError(_("Role: you may not give this role."))
    if name is not None:
        name = name.strip()
        if not name or len(name) > NAME_LIMIT:
            raise StaffError(_("Name: give a name of at most %(count)s characters.", count=NAME_LIMIT))
        user.name = name
    school = _school(manager, wanted, school_code)
    parsed = parse_classes(classes) if wanted is UserRole.TEACHER else []
    user.role, user.school_id, user.office_id = wanted, school.id if school else None, manager.office_id
    user.school = school
    user.classes = [UserClass(grade=grade, class_name=class_name) for grade, class_name in parsed]


def invite(manager: User, *, email: str, name: str, role: str, school_code: str, classes: str) -> User:
    """A new account that cannot sign in until the invitee sets a password through their link."""
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise StaffError(_("Email: %(reason)s", reason=str(error))) from None
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise StaffError(_("Email: %(email)s already has an account.", email=email))
    user = User(email=email, name="", role=UserRole.TEACHER, office_id=manager.office_id)
    # Nobody knows this password: the account opens only through the invitation link.
    user.set_password(secrets.token_urlsafe(32))
    apply(manager, user, role=role, school_code=school_code, classes=classes, name=name)
    db.session.add(user)
    return user


def set_active(manager: User, user: User, active: bool) -> None:
    """Deactivate (every session ends at once) or reactivate an account; nobody deactivates themselves."""
    if user.id == manager.id:
        raise StaffError(_("You cannot deactivate your own account."))
    if not may_manage(manager, user):
        raise StaffError(_("You may not change this account."))
    user.active = active
    if not active:
        user.end_sessions()
