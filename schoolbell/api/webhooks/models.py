"""Tables of outgoing webhooks: an office's endpoint with its two signing secrets, and its event log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from schoolbell.database import UTCDateTime
from schoolbell.extensions import db
from schoolbell.timeutil import now_for_column

EVENT_TYPES = ("delivery.status", "alert.finished", "acknowledgement")


class Webhook(db.Model):
    """An office's endpoint; events are signed with the current secret and, during a rotation, the
    previous one too, so a receiver holding either accepts them."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("education_offices.id"))
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(100))
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret_id: Mapped[str] = mapped_column(String(16))
    secret: Mapped[str] = mapped_column(String(64))
    previous_secret_id: Mapped[str | None] = mapped_column(String(16))
    previous_secret: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)
    collected_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookEvent(db.Model):
    """One event to one endpoint, and what happened when it was posted (the delivery log)."""

    __tablename__ = "webhook_events"
    # The sender's question: which events are due now.
    __table_args__ = (Index("ix_webhook_events_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(50))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    give_up_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
