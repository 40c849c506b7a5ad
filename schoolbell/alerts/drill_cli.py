"""`flask drills`: the people an office designates to receive its drills (exercise alerts)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from schoolbell.alerts.drills import DrillError, designate, find_person, members, release
from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db

drills_cli = AppGroup("drills", help="Drills: who receives an office's exercise alerts (with its staff).")


def _office(code: str) -> EducationOffice:
    office = db.session.scalar(select(EducationOffice).where(EducationOffice.code == code))
    if office is None:
        raise click.ClickException(f"no education office with code {code!r}")
    return office


@drills_cli.command("add")
@click.argument("office_code")
@click.argument("person", nargs=-1, required=True)
def add(office_code: str, person: tuple[str, ...]) -> None:
    """Add people (by mobile number or email) to OFFICE_CODE's drill group."""
    office = _office(office_code)
    try:
        for value in person:
            contact = find_person(office.id, value)
            added = designate(office.id, contact, actor="cli")
            click.echo(f"#{contact.id} {'added' if added else 'already in the group'}")
    except DrillError as problem:
        db.session.rollback()
        raise click.ClickException(str(problem)) from None
    db.session.commit()


@drills_cli.command("remove")
@click.argument("office_code")
@click.argument("person", nargs=-1, required=True)
def remove(office_code: str, person: tuple[str, ...]) -> None:
    """Take people (by mobile number or email) out of OFFICE_CODE's drill group."""
    office = _office(office_code)
    try:
        for value in person:
            contact = find_person(office.id, value)
            gone = release(office.id, contact.id)
            click.echo(f"#{contact.id} {'removed' if gone else 'was not in the group'}")
    except DrillError as problem:
        db.session.rollback()
        raise click.ClickException(str(problem)) from None
    db.session.commit()


@drills_cli.command("list")
@click.argument("office_code")
def list_group(office_code: str) -> None:
    """The people OFFICE_CODE designated for drills (masked); its console staff receive drills too."""
    for contact in members(_office(office_code).id):
        click.echo(f"#{contact.id} {contact.name} {mask_phone(contact.phone) if contact.phone else '-'} "
                   f"{mask_email(contact.email) if contact.email else '-'}")
