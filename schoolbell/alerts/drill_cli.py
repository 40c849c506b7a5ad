"""`flask drills`: the people an office designates to receive its drills (exercise alerts)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from schoolbell.alerts.drills import DrillError, designate, find_person, members, release
from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.directory.office_lookup import office_or_exit
from schoolbell.extensions import db

drills_cli = AppGroup("drills", help="Drills: who receives an office's exercise alerts (with its staff).")


def _for_each_person(office_code: str, people: tuple[str, ...], change) -> None:
    """Apply `change(office_id, contact)` to each person named, saying what it did; all or nothing."""
    office = office_or_exit(office_code)
    try:
        for value in people:
            contact = find_person(office.id, value)
            click.echo(f"#{contact.id} {change(office.id, contact)}")
    except DrillError as problem:
        db.session.rollback()
        raise click.ClickException(str(problem)) from None
    db.session.commit()


@drills_cli.command("add")
@click.argument("office_code")
@click.argument("person", nargs=-1, required=True)
def add(office_code: str, person: tuple[str, ...]) -> None:
    """Add people (by mobile number or email) to OFFICE_CODE's drill group."""
    _for_each_person(office_code, person, lambda office_id, contact: (
        "added" if designate(office_id, contact, actor="cli") else "already in the group"))


@drills_cli.command("remove")
@click.argument("office_code")
@click.argument("person", nargs=-1, required=True)
def remove(office_code: str, person: tuple[str, ...]) -> None:
    """Take people (by mobile number or email) out of OFFICE_CODE's drill group."""
    _for_each_person(office_code, person, lambda office_id, contact: (
        "removed" if release(office_id, contact.id) else "was not in the group"))


@drills_cli.command("list")
@click.argument("office_code")
def list_group(office_code: str) -> None:
    """The people OFFICE_CODE designated for drills (masked); its console staff receive drills too."""
    for contact in members(office_or_exit(office_code).id):
        click.echo(f"#{contact.id} {contact.name} {mask_phone(contact.phone) if contact.phone else '-'} "
                   f"{mask_email(contact.email) if contact.email else '-'}")
