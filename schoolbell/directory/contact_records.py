"""People given as records (an API's JSON) rather than a file: the contacts importer's rules, row by row."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from schoolbell.directory.contact_import import CONTACT_COLUMNS, ContactImporter
from schoolbell.directory.csvfiles import CsvRow
from schoolbell.directory.models import School
from schoolbell.directory.summary import ImportSummary
from schoolbell.extensions import db


def upsert_records(office_id: int, records: list[dict], source: str = "api") -> ImportSummary:
    """Add or update people from records with the importer's columns (school_code, role, grade, class,
    name, phone, email, language, consent); a record's "line" is its 1-based position.

    The same rules as `flask contacts import`: found by phone then email within the office, a blank never
    erases, a phone and email of two people is refused; only the office's schools may be named.
    Writes in the session; the caller commits.
    """
    schools = set(db.session.scalars(select(School.id).where(School.office_id == office_id)))
    importer = ContactImporter(Path(source), school_ids=schools)
    rows = [CsvRow(line=number, values={name: _text(record.get(name)) for name in CONTACT_COLUMNS})
            for number, record in enumerate(records, start=1)]
    importer._import_batch(rows)  # noqa: SLF001 (the importer's own batch step, fed records)
    return importer.summary


def _text(value) -> str:
    return "" if value is None else str(value).strip()
