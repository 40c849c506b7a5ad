"""Tables of alerts: the alert, its deliveries (one per person per channel) and its audit trail."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolbell.database import UTCDateTime, string_enum
from schoolbell.directory.models import Contact, EducationOffice
from schoolbell.extensions import db
from schoolbell.timeutil import now_for_column


class AlertClass(enum.StrEnum):
    """How an alert treats preferences, opt-outs and quiet hours (see DESIGN.md)."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"
    CURRICULUM = "curriculum"


# Claim order (lower first): an emergency is never stuck behind a routine send, and within a class a
# retry that is due goes before fresh rows (its lane is one lower: see RETRY_LANE).
PRIORITY = {AlertClass.EMERGENCY: 1, AlertClass.URGENT: 3, AlertClass.ROUTINE: 5,
            AlertClass.CURRICULUM: 7}
RETRY_LANE = 1  # subtracted from a class's priority once a delivery is waiting to be retried


class AlertStatus(enum.StrEnum):
    """Where an alert is in its life."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"


class Channel(enum.StrEnum):
    """A way to reach a person."""

    SMS = "sms"
    EMAIL = "email"


class DeliveryStatus(enum.StrEnum):
    """A delivery's state; it only ever moves forward (see RANK)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


RANK = {DeliveryStatus.PENDING: 0, DeliveryStatus.SENDING: 1, DeliveryStatus.SENT: 2,
        DeliveryStatus.DELIVERED: 3, DeliveryStatus.UNDELIVERED: 3, DeliveryStatus.FAILED: 3,
        DeliveryStatus.SKIPPED: 3, DeliveryStatus.CANCELLED: 3}
FINAL = frozenset(status for status, rank in RANK.items() if rank == 3)



class Alert(db.Model):
    """One message an office sends to a target audience, written in Korean and English."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("education_offices.id"), index=True)
    alert_class: Mapped[AlertClass] = mapped_column(string_enum(AlertClass, "alert_class"))
    status: Mapped[AlertStatus] = mapped_column(string_enum(AlertStatus, "alert_status"),
                                                default=AlertStatus.DRAFT)
    title_ko: Mapped[str | None] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    body_ko: Mapped[str | None] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    link_url: Mapped[str | None] = mapped_column(String(500))
    lesson_slug: Mapped[str | None] = mapped_column(String(100))
    # {"district_office_ids": [...], "levels": [...], "school_ids": [...], "grades": [...],
    #  "classes": [...], "roles": [...]}; an absent or empty list means "all".
    target: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When quiet hours held the deliveries back at fan-out: the time they became due.
    deferred_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    office: Mapped[EducationOffice] = relationship()

    def text(self, language: str) -> tuple[str, str, bool]:
        """(title, body, fell back) in a language; the other language is used where one is missing."""
        other = "en" if language == "ko" else "ko"
        title, body = getattr(self, f"title_{language}"), getattr(self, f"body_{language}")
        if title and body:
            return title, body, False
        return getattr(self, f"title_{other}") or "", getattr(self, f"body_{other}") or "", True


class Delivery(db.Model):
    """One message to one person on one channel for one alert: the unit that is sent and tracked.

    alert_id and contact_id carry no foreign keys, on purpose: a Seoul-wide alert inserts about a
    million rows at once, and PostgreSQL checks a foreign key row by row (locking each contact),
    which took 9 of the 19 s of that fan-out. The rows are only ever made by INSERT … SELECT from
    the alert and from contacts that exist (fanout.py, outcomes.py), and nothing deletes alerts or
    contacts; whatever comes to delete them must delete their deliveries in the same transaction.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "contact_id", "channel"),
        # The dispatcher's claim: due pending work in priority order.
        Index("ix_deliveries_claim", "status", "priority", "next_attempt_at"),
        # Whether an alert still has work open, asked by every worker every few seconds of a send:
        # through the unique index it meant reading the alert's sent rows (0.4 s at Seoul scale).
        Index("ix_deliveries_alert_status", "alert_id", "status"),
        # Status callbacks without our delivery id find the row by Twilio's SID; rows not yet sent
        # have none and stay out of the index, so a fan-out does not write it.
        Index("ix_deliveries_provider_ref", "provider_ref",
              postgresql_where=text("provider_ref IS NOT NULL"),
              sqlite_where=text("provider_ref IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(Integer)
    contact_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel, "channel"))
    status: Mapped[DeliveryStatus] = mapped_column(string_enum(DeliveryStatus, "delivery_status"),
                                                   default=DeliveryStatus.PENDING)
    priority: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(2))
    is_fallback: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Each claim is a new attempt with its own number, never reused (a resend keeps counting), so
    # a late status callback of an earlier attempt can be told apart and ignored.
    attempt_no: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    error_code: Mapped[str | None] = mapped_column(String(20))
    error_reason: Mapped[str | None] = mapped_column(String(500))
    # The last attempt may have reached the provider (a broken connection, a crashed worker): the
    # provider is asked before it is sent again.
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Sent again after an attempt that may have gone, with no way to ask (email): maybe twice.
    maybe_duplicate: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Transient failures are retried until then (a deadline per alert class), then it fails.
    give_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    alert: Mapped[Alert] = relationship(primaryjoin="Alert.id == foreign(Delivery.alert_id)")
    contact: Mapped[Contact] = relationship(primaryjoin="Contact.id == foreign(Delivery.contact_id)")


class AlertEvent(db.Model):
    """The audit trail: who created, sent, resent or cancelled an alert, and when."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class AckKind(enum.StrEnum):
    """What a recipient confirmed."""

    READ = "read"  # "I have read this" on an alert page
    TALKED = "talked"  # "we talked about it" on a lesson page


class Acknowledgement(db.Model):
    """A recipient's confirmation; unique per person, alert and kind, so it counts once."""

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("alert_id", "contact_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    kind: Mapped[AckKind] = mapped_column(string_enum(AckKind, "ack_kind"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)
