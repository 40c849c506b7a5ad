"""A teacher's assignment of a lesson to one class, sent to the class's guardians as an alert."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolbell.alerts.models import Alert
from schoolbell.database import UTCDateTime
from schoolbell.directory.models import School
from schoolbell.extensions import db
from schoolbell.timeutil import now_for_column


class Assignment(db.Model):
    """One lesson for one class at one time; lessons of a series share a series id."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[str] = mapped_column(String(32), index=True)
    position: Mapped[int] = mapped_column(Integer)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    grade: Mapped[int] = mapped_column(Integer)
    class_name: Mapped[str] = mapped_column(String(10))
    lesson_slug: Mapped[str] = mapped_column(String(100))
    lesson_version: Mapped[int] = mapped_column(Integer)
    include_students: Mapped[bool] = mapped_column(Boolean, default=False)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)

    school: Mapped[School] = relationship()
    alert: Mapped[Alert] = relationship()
