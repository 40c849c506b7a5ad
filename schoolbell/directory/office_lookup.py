"""An education office named by its code on the command line (B10 is Seoul)."""

from __future__ import annotations

import click
from sqlalchemy import select

from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db


def office_or_exit(code: str) -> EducationOffice:
    """The office with this code; a command-line error naming the code when there is none."""
    office = db.session.scalar(select(EducationOffice).where(EducationOffice.code == code))
    if office is None:
        raise click.ClickException(f"no education office with code {code!r} (B10 is Seoul's; "
                                   "`flask schools import` brings the offices in with their schools)")
    return office
