"""The personal-data audit log (개인정보 보호법): who viewed, revealed, exported, imported or deleted
whose data, and when. Rows are only ever added."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from schoolbell.database import UTCDateTime
from schoolbell.extensions import db
from schoolbell.timeutil import now_for_column


class DataAction(enum.StrEnum):
    """What was done with personal data."""

    VIEW = "view"  # a person's page, masked
    REVEAL = "reveal"  # a phone or email shown in full
    EXPORT = "export"  # a person's data downloaded
    IMPORT = "import"  # a contacts file written to the directory
    DELETE = "delete"  # a person erased on request
    SYNC_REMOVE = "sync_remove"  # people removed by a sync import


class PersonalDataEvent(db.Model):
    """One use of personal data by a console user (or a command)."""

    __tablename__ = "personal_data_events"
    __table_args__ = (Index("ix_personal_data_events_office_at", "office_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)
    office_id: Mapped[int] = mapped_column(ForeignKey("education_offices.id"))
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(16))
    # No foreign key: the record outlives the person it is about.
    contact_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


def record(office_id: int, actor: str, action: DataAction, subject: str, *,
           contact_id: int | None = None, **detail) -> PersonalDataEvent:
    """Add an audit record to the session (committed with the work it records). Never holds a phone
    or an email: `subject` names the person by id or the file by name."""
    event = PersonalDataEvent(office_id=office_id, actor=actor[:254], action=action.value,
                              contact_id=contact_id, subject=subject[:200], detail=detail)
    db.session.add(event)
    return event


def recent(office_id: int, *, action: str = "", actor: str = "", contact_id: int | None = None,
           limit: int = 200, offset: int = 0) -> list[PersonalDataEvent]:
    """The office's audit records, newest first, optionally narrowed."""
    statement = select(PersonalDataEvent).where(PersonalDataEvent.office_id == office_id)
    if action:
        statement = statement.where(PersonalDataEvent.action == action)
    if actor:
        statement = statement.where(PersonalDataEvent.actor.contains(actor, autoescape=True))
    if contact_id is not None:
        statement = statement.where(PersonalDataEvent.contact_id == contact_id)
    newest_first = (PersonalDataEvent.at.desc(), PersonalDataEvent.id.desc())
    return list(db.session.scalars(statement.order_by(*newest_first).limit(limit).offset(offset)))


def record_import(office_id: int, actor: str, file_name: str, summary) -> None:
    """The records of one contacts import: the import, and the people a sync removed, if any."""
    sync = summary.sync
    record(office_id, actor, DataAction.IMPORT, file_name, rows=summary.rows,
           sync=sync.scope if sync else "", left=sync.leave if sync else 0)
    if sync is not None and sync.people_removed:
        record(office_id, actor, DataAction.SYNC_REMOVE, file_name, people=sync.people_removed)
