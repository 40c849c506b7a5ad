"""Tables of the public API: an office's keys (stored hashed) and the answers kept for Idempotency-Key."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolbell.database import UTCDateTime, string_enum
from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db
from schoolbell.timeutil import now_for_column


class KeyKind(enum.StrEnum):
    """What a key's sends do, as GOV.UK Notify's three kinds."""

    LIVE = "live"  # sends to everyone the alert targets
    TEAM = "team"  # sends only to the office's own staff (its console users)
    TEST = "test"  # goes through everything, sends nothing, and says so


class ApiKey(db.Model):
    """A key of one office; only a SHA-256 of its secret is kept (it is shown once, at creation)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("education_offices.id"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[KeyKind] = mapped_column(string_enum(KeyKind, "api_key_kind"))
    read_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The public part of the key, for lookup and for naming it in lists and logs.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    office: Mapped[EducationOffice] = relationship()


class IdempotencyRecord(db.Model):
    """The first answer to a POST with an Idempotency-Key, replayed for 24 hours."""

    __tablename__ = "api_idempotency"
    __table_args__ = (UniqueConstraint("api_key_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    request_hash: Mapped[str] = mapped_column(String(64))
    # None while the first request is still being answered.
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    response_headers: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column, index=True)
