"""Claiming work with a lease, so any number of workers share deliveries without coordination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from schoolbell.alerts.models import Delivery, DeliveryStatus
from schoolbell.extensions import db
from schoolbell.timeutil import to_db, utcnow


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery this worker now holds the lease on."""

    id: int
    alert_id: int
    contact_id: int
    channel: str
    language: str
    attempts: int
    is_fallback: bool


def claim(worker: str, limit: int, lease_seconds: float) -> list[ClaimedDelivery]:
    """Lease up to `limit` due deliveries, most urgent first; commits so others see the lease.

    On PostgreSQL the inner SELECT takes row locks with SKIP LOCKED, so concurrent workers claim
    disjoint batches; SQLite serialises writers, which gives the same guarantee.
    """
    now = utcnow()
    due = (select(Delivery.id)
           .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= to_db(now))
           .order_by(Delivery.priority, Delivery.next_attempt_at)
           .limit(limit)
           .with_for_update(skip_locked=True))
    rows = db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_(due.scalar_subquery()))
        .values(status=DeliveryStatus.SENDING, lease_owner=worker,
                lease_expires_at=to_db(now + timedelta(seconds=lease_seconds)),
                attempts=Delivery.attempts + 1, updated_at=to_db(now))
        .returning(Delivery.id, Delivery.alert_id, Delivery.contact_id, Delivery.channel,
                   Delivery.language, Delivery.attempts, Delivery.is_fallback)
        .execution_options(synchronize_session=False)).all()
    db.session.commit()
    claimed = [ClaimedDelivery(row.id, row.alert_id, row.contact_id, str(row.channel),
                               row.language, row.attempts, bool(row.is_fallback)) for row in rows]
    claimed.sort(key=lambda delivery: delivery.id)
    return claimed


def recover_expired_leases() -> int:
    """Return the deliveries of crashed workers to pending once their lease has expired."""
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.SENDING,
               Delivery.lease_expires_at < to_db(utcnow()))
        .values(status=DeliveryStatus.PENDING, lease_owner=None, lease_expires_at=None,
                next_attempt_at=to_db(utcnow()))
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount

