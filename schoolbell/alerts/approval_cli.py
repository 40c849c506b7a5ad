"""`flask offices two-person CODE on|off`: whether an emergency to the whole office needs a second person."""

from __future__ import annotations

import click

from schoolbell.directory.office_lookup import office_or_exit
from schoolbell.extensions import db


@click.command("two-person")
@click.argument("code")
@click.argument("state", required=False, type=click.Choice(["on", "off"]))
def two_person_command(code: str, state: str | None) -> None:
    """Show or set the two-person rule of office CODE: an emergency to every school waits for a
    second office user's approval before it is sent or scheduled."""
    office = office_or_exit(code)
    if state is not None:
        office.two_person_emergency = state == "on"
        db.session.commit()
    rule = "on" if office.two_person_emergency else "off"
    click.echo(f"{office.code} {office.name}: two-person rule for emergencies to the whole office is {rule}")
