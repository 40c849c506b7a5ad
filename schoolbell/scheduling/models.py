"""Tables of the scheduler: the single-scheduler lock and APScheduler's job store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Float, LargeBinary, String, Table, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from schoolbell.extensions import db

LOCK_NAME = "scheduler"
JOBS_TABLE = "apscheduler_jobs"


class SchedulerLock(db.Model):
    """The one row a running scheduler holds and renews; a second scheduler finds it and refuses."""

    __tablename__ = "scheduler_lock"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))  # host:pid:random
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_pass_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# The table APScheduler's SQLAlchemyJobStore uses, column for column: declared here so that the migration
# creates it and autogenerate never proposes to drop it.
apscheduler_jobs = Table(
    JOBS_TABLE, db.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
