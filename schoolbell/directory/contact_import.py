"""Importing people and their school memberships from a CSV, in batches, keeping every good row."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from itertools import islice
from pathlib import Path

from sqlalchemy import select, update

from schoolbell.database import bulk_insert, in_values
from schoolbell.directory.csvfiles import CsvRow, ImportFileError, iter_rows, read_header, write_csv
from schoolbell.directory.models import Contact, Membership, School
from schoolbell.directory.summary import ImportSummary, RowProblem
from schoolbell.directory.sync import Sync
from schoolbell.directory.validation import (
    InvalidValue,
    NotMobile,
    normalize_email,
    normalize_phone,
    parse_class,
    parse_consent,
    parse_grade,
    parse_language,
    parse_role,
)
from schoolbell.extensions import db

CONTACT_OUTCOMES = ("imported", "updated", "unchanged", "rejected")
BATCH_ROWS = 2000

# Documented in the README; Korean headers are accepted as well.
CONTACT_COLUMNS = {
    "school_code": ("school_code", "학교코드", "표준학교코드"),
    "role": ("role", "역할"),
    "grade": ("grade", "학년"),
    "class": ("class", "반"),
    "name": ("name", "이름", "성명"),
    "phone": ("phone", "전화번호", "휴대전화"),
    "email": ("email", "이메일"),
    "language": ("language", "언어"),
    "consent": ("consent", "수신동의"),
}
REQUIRED_COLUMNS = ("school_code", "role", "name")
PERSON_FIELDS = ("name", "language", "sms_consent", "email_consent")
PERSON_COLUMNS = ("office_id", "phone", "email", *PERSON_FIELDS)
KEPT_WHEN_BLANK = {"language": "language", "sms_consent": "consent", "email_consent": "consent"}
NAME_LIMIT = Contact.__table__.c.name.type.length
CLASH = "the phone and the email belong to two different people"


@dataclass(frozen=True)
class ContactRow:
    """A validated row: one person, one membership."""

    line: int
    office_id: int
    school_id: int
    role: str
    grade: int
    class_name: str
    name: str
    phone: str | None
    email: str | None
    language: str
    sms_consent: bool
    email_consent: bool
    raw: dict = dataclass_field(default_factory=dict, compare=False, repr=False)


def contact_columns(header: list[str], file_name: str) -> dict[str, str]:
    """Map the file's headers to field names, or fail when required ones are missing."""
    spelled = {alias.lower(): field for field, aliases in CONTACT_COLUMNS.items() for alias in aliases}
    columns = {name: spelled[name.lower()] for name in header if name.lower() in spelled}
    missing = [field for field in REQUIRED_COLUMNS if field not in columns.values()]
    if len(columns) == 0 or missing:
        raise ImportFileError(
            f"{file_name}: missing columns {', '.join(missing or REQUIRED_COLUMNS)}; "
            f"expected {', '.join(CONTACT_COLUMNS)}")
    if not {"phone", "email"} & set(columns.values()):
        raise ImportFileError(f"{file_name}: needs a phone or an email column")
    return columns


class ContactImporter:
    """Import one contacts file; the first row of a person in a file decides their details."""

    def __init__(self, path: Path, progress: Callable[[int], None] | None = None, *,
                 sync: str | None = None, dry_run: bool = False, school_ids: set[int] | None = None):
        self.path = path
        self.progress = progress or (lambda _n: None)
        self.summary = ImportSummary(file=path.name, kind="contacts")
        self.sync = Sync(sync) if sync else None
        self.dry_run = dry_run
        self.schools = {code: (sid, office) for sid, code, office in
                        db.session.execute(select(School.id, School.code, School.office_id))}
        # Who imports through the console may write only their own office's or school's rosters.
        self.allowed = school_ids
        self.seen_contact_ids: set[int] = set()

    def run(self) -> ImportSummary:
        """Read, validate and write every batch in one transaction; roll back on a file error."""
        _encoding, header = read_header(self.path)
        rows = iter_rows(self.path, contact_columns(header, self.path.name))
        try:
            while batch := list(islice(rows, BATCH_ROWS)):
                self._import_batch(batch)
                self.progress(len(batch))
        except Exception:
            db.session.rollback()
            raise
        if not self.summary.rows:
            db.session.rollback()
            raise ImportFileError(f"{self.path.name}: no rows to import, only a header")
        if self.sync is not None:
            self.summary.sync = self.sync.apply(self.summary)
        if self.dry_run:
            db.session.rollback()  # a preview: the same work, counted, then undone
        else:
            db.session.commit()
        self.summary.problems.sort(key=lambda problem: problem.line)
        self.summary.warnings.sort(key=lambda warning: warning.line)
        return self.summary

    def _validate(self, row: CsvRow) -> ContactRow | RowProblem:
        v = row.values
        if row.problem:
            return RowProblem(row.line, *row.problem, v)
        for field in REQUIRED_COLUMNS:
            if not v.get(field):
                return RowProblem(row.line, field, "", "required value is missing", v)
        if not (v.get("phone") or v.get("email")):
            return RowProblem(row.line, "phone", "", "a phone or an email is required", v)
        if len(v["name"]) > NAME_LIMIT:
            return RowProblem(row.line, "name", "", f"name is longer than {NAME_LIMIT} characters", v)
        school = self.schools.get(v["school_code"])
        if school is None:
            return RowProblem(row.line, "school_code", v["school_code"], "unknown school code", v)
        if self.allowed is not None and school[0] not in self.allowed:
            return RowProblem(row.line, "school_code", v["school_code"], "not a school you manage", v)
        self.summary.offices.add(school[1])
        parsed = {}
        for field, parse in FIELD_PARSERS:
            try:
                parsed[field] = parse(v.get(field, ""))
            except NotMobile as error:
                if not v.get("email"):
                    return RowProblem(row.line, field, v[field], str(error), v)
                # The email can still reach this person: the row goes in without the phone.
                self.summary.warn(RowProblem(row.line, field, v[field],
                                             f"{error}: imported with the email only", v))
                parsed[field] = None
            except InvalidValue as error:
                return RowProblem(row.line, field, v.get(field, ""), str(error), v)
        sms_consent, email_consent = parsed["consent"]
        return ContactRow(
            line=row.line, office_id=school[1], school_id=school[0], role=parsed["role"].value,
            grade=parsed["grade"], class_name=parsed["class"], name=v["name"],
            phone=parsed["phone"], email=parsed["email"], language=parsed["language"].value,
            sms_consent=sms_consent, email_consent=email_consent, raw=v)

    def _import_batch(self, batch: list[CsvRow]) -> None:
        rows: list[ContactRow] = []
        for raw in batch:
            result = self._validate(raw)
            if isinstance(result, RowProblem):
                self.summary.reject(result)
            else:
                rows.append(result)
        if not rows:
            return
        people = _People(rows)
        outcome: dict[int, str] = {}
        new_people: list[dict] = []
        row_person: dict[int, dict] = {}
        updates: dict[int, dict] = {}
        for row in rows:
            person = people.find(row)
            if isinstance(person, RowProblem):
                self.summary.reject(person)
                continue
            if person is None:
                person = {**_person_values(row), "id": None, "line": row.line}
                new_people.append(person)
                people.remember(person)
                outcome[row.line] = "imported"
            elif person["id"] is None:
                people.remember(_fill_blanks(person, row, self.summary))
            else:
                changes = self._changes(person, row)
                if changes:
                    updates.setdefault(person["id"], {}).update(changes)
                    person.update(changes)
                    people.remember(person)
                    outcome[row.line] = "updated"
                _warn_if_kept(person, row, self.summary)
                self.seen_contact_ids.add(person["id"])
            row_person[row.line] = person
        self._write_people(new_people, updates)
        self._write_memberships(rows, row_person, outcome)
        for row in rows:
            if row.line in row_person:
                self.summary.count(outcome.get(row.line, "unchanged"))

    def _changes(self, contact: dict, row: ContactRow) -> dict:
        """What a row changes on an existing person: details only on the person's first row."""
        wanted = {}
        if contact["id"] not in self.seen_contact_ids:
            # A language or consent left blank (or a file without the column) keeps what the person
            # chose: a school's spreadsheet must not undo their opt-out.
            given = {"name"} | {field for field, column in KEPT_WHEN_BLANK.items()
                                if (row.raw.get(column) or "").strip()}
            wanted = {field: getattr(row, field) for field in PERSON_FIELDS if field in given}
        # A blank phone or email in a row means 'not given', never 'remove'.
        for field in ("phone", "email"):
            if getattr(row, field) and not contact[field]:
                wanted[field] = getattr(row, field)
        return {field: value for field, value in wanted.items() if contact[field] != value}

    def _write_people(self, new_people: list[dict], updates: dict) -> None:
        connection = db.session.connection()
        if new_people:
            # Plain executemany, then one lookup: ORM bulk INSERT … RETURNING spliced rows one by one.
            bulk_insert(connection, Contact.__table__,
                        [{name: person[name] for name in PERSON_COLUMNS} for person in new_people])
            self._give_ids(new_people)
        for contact_id, changes in updates.items():
            connection.execute(update(Contact.__table__).where(Contact.id == contact_id).values(**changes))

    def _give_ids(self, new_people: list[dict]) -> None:
        """Find the ids just given to new people, by phone (or email when they have none)."""
        wanted: dict[tuple[str, int], dict[str, dict]] = {}
        for person in new_people:
            field = "phone" if person["phone"] else "email"
            wanted.setdefault((field, person["office_id"]), {})[person[field]] = person
        for (field, office_id), people in wanted.items():
            column = getattr(Contact, field)
            for contact_id, value in db.session.execute(
                    select(Contact.id, column).where(Contact.office_id == office_id,
                                                     in_values(column, people))):
                people[value]["id"] = contact_id
                self.seen_contact_ids.add(contact_id)

    def _write_memberships(self, rows, row_person, outcome) -> None:
        wanted: dict[tuple, int] = {}
        for row in rows:
            person = row_person.get(row.line)
            if person is None:
                continue
            contact_id = person["id"]
            wanted.setdefault((contact_id, row.school_id, row.role, row.grade, row.class_name),
                              row.line)
        if self.sync is not None:
            self.sync.keep(wanted)
        existing = set(db.session.execute(
            select(Membership.contact_id, Membership.school_id, Membership.role,
                   Membership.grade, Membership.class_name)
            .where(in_values(Membership.contact_id, {key[0] for key in wanted}))))
        existing = {(c, s, str(getattr(r, "value", r)), g, k) for c, s, r, g, k in existing}
        fresh = [key for key in wanted if key not in existing]
        if fresh:
            bulk_insert(db.session.connection(), Membership.__table__, [
                {"contact_id": c, "school_id": s, "role": r, "grade": g, "class_name": k}
                for c, s, r, g, k in fresh])
            for key in fresh:
                outcome.setdefault(wanted[key], "imported")


def _optional_phone(raw: str) -> str | None:
    return normalize_phone(raw) if raw.strip() else None


def _optional_email(raw: str) -> str | None:
    return normalize_email(raw) if raw.strip() else None


FIELD_PARSERS = (("role", parse_role), ("grade", parse_grade), ("class", parse_class),
                 ("language", parse_language), ("consent", parse_consent),
                 ("phone", _optional_phone), ("email", _optional_email))


def _person_values(row: ContactRow) -> dict:
    return {"office_id": row.office_id, "name": row.name, "phone": row.phone, "email": row.email,
            "language": row.language, "sms_consent": row.sms_consent,
            "email_consent": row.email_consent}


def _fill_blanks(person: dict, row: ContactRow, summary: ImportSummary) -> dict:
    """A later row of a person new in this file gives the phone or email the first row lacked."""
    for field in ("phone", "email"):
        if getattr(row, field) and not person[field]:
            person[field] = getattr(row, field)
    _warn_if_kept(person, row, summary)
    return person


def _warn_if_kept(person: dict, row: ContactRow, summary: ImportSummary) -> None:
    for field in ("phone", "email"):
        given = getattr(row, field)
        if given and person[field] and given != person[field]:
            summary.warn(RowProblem(row.line, field, row.raw.get(field, ""),
                                    f"this person already has another {field}; it was kept",
                                    row.raw))


class _People:
    """The people a batch refers to, known or new in this file, by phone and by email.

    Existing ones are loaded with one query per field and office; new ones join as rows create them."""

    def __init__(self, rows: Iterable[ContactRow]):
        rows = list(rows)
        columns = (Contact.id, Contact.office_id, Contact.phone, Contact.email, Contact.name,
                   Contact.language, Contact.sms_consent, Contact.email_consent)
        self.by_phone: dict[tuple, dict] = {}
        self.by_email: dict[tuple, dict] = {}
        for field in ("phone", "email"):
            by_office: dict[int, set[str]] = {}
            for row in rows:
                if getattr(row, field):
                    by_office.setdefault(row.office_id, set()).add(getattr(row, field))
            column = getattr(Contact, field)
            for office_id, values in by_office.items():
                # office_id = x AND phone IN (...) uses the unique index on both databases;
                # a row-value IN list made PostgreSQL scan the table once per batch.
                found = db.session.execute(select(*columns).where(
                    Contact.office_id == office_id, in_values(column, values))).mappings()
                for record in found:
                    self._load(dict(record))

    def _load(self, record: dict) -> None:
        person = self.by_phone.get((record["office_id"], record["phone"])) or \
            self.by_email.get((record["office_id"], record["email"])) or record
        person["language"] = str(getattr(person["language"], "value", person["language"]))
        self.remember(person)

    def remember(self, person: dict) -> None:
        """Let later rows find this person by their phone and email."""
        if person["phone"]:
            self.by_phone[(person["office_id"], person["phone"])] = person
        if person["email"]:
            self.by_email[(person["office_id"], person["email"])] = person

    def find(self, row: ContactRow) -> dict | RowProblem | None:
        """The person this row names, None if new, or a problem if phone and email name two."""
        by_phone = self.by_phone.get((row.office_id, row.phone)) if row.phone else None
        by_email = self.by_email.get((row.office_id, row.email)) if row.email else None
        if by_phone and by_email and by_phone is not by_email:
            # Merging them would make one person of two; which one is meant is for a person to say.
            return RowProblem(row.line, "email", row.raw.get("email", ""),
                              f"{CLASH} (the phone's: {_where(by_phone)}; "
                              f"the email's: {_where(by_email)})", row.raw)
        return by_phone or by_email


def _where(person: dict) -> str:
    return f"line {person['line']}" if person["id"] is None else "already in the directory"


def import_contacts(path: Path, progress: Callable[[int], None] | None = None, *,
                    sync: str | None = None, dry_run: bool = False,
                    school_ids: set[int] | None = None) -> ImportSummary:
    """Import a contacts CSV: every good row goes in, every bad row is reported.

    `sync` ("school" or "class"): the file is the whole roster of each school (or class) it names,
    and people there who are not in it leave. `dry_run`: count everything, write nothing.
    `school_ids`: the only schools rows may name (the importer's scope); None for any.
    """
    return ContactImporter(path, progress, sync=sync, dry_run=dry_run, school_ids=school_ids).run()


def errors_csv(summary: ImportSummary) -> str:
    """Rejected rows as CSV text: the original columns, then line, field and reason; every cell safe
    in a spreadsheet (the caller adds a BOM)."""
    fields = [*CONTACT_COLUMNS, "error_line", "error_field", "error_reason"]
    rows = [{**problem.row, "error_line": problem.line, "error_field": problem.field,
             "error_reason": problem.reason} for problem in summary.problems]
    return write_csv(rows, fields)
