"""The dispatchers' own table: which workers are alive, so shared limits can be divided among them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from schoolbell.database import UTCDateTime
from schoolbell.extensions import db


class Worker(db.Model):
    """A running `flask worker` (or dispatcher thread), seen alive at its last heartbeat."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
