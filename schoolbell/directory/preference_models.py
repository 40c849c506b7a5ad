"""Tables of a person's own choices: schools they hear routine news from, and every change they made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from schoolbell.database import UTCDateTime
from schoolbell.extensions import db
from schoolbell.timeutil import now_for_column


class SchoolOptOut(db.Model):
    """A person who wants no routine or lesson messages about one school (emergencies still come)."""

    __tablename__ = "school_opt_outs"
    __table_args__ = (UniqueConstraint("contact_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)


class PreferenceChange(db.Model):
    """One change a person (or a mail client's one-click) made: what was before, what after, and when.

    `before` and `after` hold the whole set of choices, so a change is undone by putting `before` back.
    """

    __tablename__ = "preference_changes"
    __table_args__ = (Index("ix_preference_changes_contact_at", "contact_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)
    source: Mapped[str] = mapped_column(String(30))
    before: Mapped[dict] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
