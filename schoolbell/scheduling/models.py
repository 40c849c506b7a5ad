"""The scheduler's table: the single-scheduler lock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from schoolbell.database import UTCDateTime
from schoolbell.extensions import db

LOCK_NAME = "scheduler"


class SchedulerLock(db.Model):
    """The one row a running scheduler holds and renews; a second scheduler finds it and refuses."""

    __tablename__ = "scheduler_lock"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))  # host:pid:random
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_pass_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

