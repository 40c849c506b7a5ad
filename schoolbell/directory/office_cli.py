"""`flask offices`: an office's settings parents notice, such as the name its SMS starts with."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from schoolbell.directory.office_lookup import office_or_exit
from schoolbell.directory.sender_names import SenderNameError, sender_for, set_sender_names
from schoolbell.extensions import db

offices_cli = AppGroup("offices", help="Education offices: the SMS sender name.")


@offices_cli.command("sender-name")
@click.argument("code")
@click.option("--ko", "korean", default=None,
              help='Korean sender name, e.g. "서울시교육청" ("" for the default).')
@click.option("--en", "english", default=None, help='English sender name, e.g. "Seoul Education Office".')
def sender_name(code: str, korean: str | None, english: str | None) -> None:
    """Show or set the name every SMS of office CODE starts with ("[서울시교육청] …")."""
    office = office_or_exit(code)
    try:
        set_sender_names(office, korean, english)
    except SenderNameError as problem:
        raise click.ClickException(str(problem)) from None
    db.session.commit()
    click.echo(f"{office.code} {office.name}: SMS start with [{sender_for(office, 'ko')}] in Korean, "
               f"[{sender_for(office, 'en')}] in English")
