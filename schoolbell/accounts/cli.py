"""`flask users create`: make console accounts for office staff and teachers."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup
from sqlalchemy import func, select

from schoolbell.accounts.models import User, UserClass, UserRole
from schoolbell.accounts.passwords import WeakPassword, check_password_strength
from schoolbell.accounts.staff import StaffError, parse_classes
from schoolbell.directory.models import School
from schoolbell.directory.office_lookup import office_or_exit
from schoolbell.extensions import db

users_cli = AppGroup("users", help="Console accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in UserRole]), required=True)
@click.option("--office", "office_code", default="B10", show_default=True)
@click.option("--school", "school_code", help="NEIS code of a teacher's school.")
@click.option("--classes", default="", help="A teacher's classes, e.g. '3-2, 3-4' (what they see).")
@click.password_option()
def create_user(email, name, role, office_code, school_code, classes, password) -> None:
    """Create a console account: an office administrator, or a school administrator or teacher of
    one school (`flask schools list` shows the codes)."""
    office = office_or_exit(office_code)
    school = None
    if role in (UserRole.TEACHER.value, UserRole.SCHOOL_ADMIN.value):
        school = db.session.scalar(select(School).where(School.code == (school_code or "")))
        if school is None or school.office_id != office.id:
            raise click.ClickException(f"a {role} needs --school with a school code of {office_code} "
                                     "(see `flask schools list`)")
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.ClickException(f"--email {email!r}: {error}") from None
    try:
        check_password_strength(password, email, name)
    except WeakPassword as error:
        raise click.ClickException(f"password refused: {error}") from None
    if db.session.scalar(select(User).where(func.lower(User.email) == email.lower())):
        raise click.ClickException(f"{email} already has an account")
    try:
        taught = parse_classes(classes) if role == UserRole.TEACHER.value else []
    except StaffError as error:
        raise click.ClickException(f"--classes: {error}") from None
    user = User(email=email, name=name, role=UserRole(role), office_id=office.id,
                school_id=school.id if school else None,
                classes=[UserClass(grade=grade, class_name=class_name) for grade, class_name in taught])
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} account {email}.")
