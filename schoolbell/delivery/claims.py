"""Claiming work with a lease, so any number of workers share deliveries without coordination."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from schoolbell import timeutil
from schoolbell.alerts.delivery_status import move
from schoolbell.alerts.models import Delivery, DeliveryStatus
from schoolbell.extensions import db


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery this worker now holds the lease on."""

    id: int
    alert_id: int
    contact_id: int
    channel: str
    language: str
    attempts: int  # attempts that count towards backoff (held or cancelled claims do not)
    is_fallback: bool
    attempt_no: int  # this attempt's identity: never reused, carried in its status-callback URL
    uncertain: bool = False  # the last attempt may have reached the provider: ask before sending
    give_up_at: datetime | None = None  # transient failures are retried until then


def claim(worker: str, limit: int, lease_seconds: float,
          skip_channels: Iterable[str] = ()) -> list[ClaimedDelivery]:
    """Lease up to `limit` due deliveries, most urgent first; commits so others see the lease.

    On PostgreSQL the inner SELECT takes row locks with SKIP LOCKED, so concurrent workers claim
    disjoint batches; SQLite serialises writers, which gives the same guarantee.
    """
    now = timeutil.utcnow()
    skipped = sorted(skip_channels)  # channels whose provider is down (their circuit is open)
    due = (select(Delivery.id)
           .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now,
                  *([Delivery.channel.not_in(skipped)] if skipped else []))
           .order_by(Delivery.priority, Delivery.next_attempt_at)
           .limit(limit)
           .with_for_update(skip_locked=True)
           # A CTE is evaluated once: as an IN (subquery), PostgreSQL may run the locking SELECT
           # again per row, skip the rows this very statement just moved, and claim past the limit.
           .cte("due"))
    rows = db.session.execute(
        move(DeliveryStatus.SENDING, Delivery.id.in_(select(due.c.id)),
             lease_owner=worker, lease_expires_at=now + timedelta(seconds=lease_seconds),
             attempts=Delivery.attempts + 1, attempt_no=Delivery.attempt_no + 1, updated_at=now)
        .returning(Delivery.id, Delivery.alert_id, Delivery.contact_id, Delivery.channel,
                   Delivery.language, Delivery.attempts, Delivery.is_fallback,
                   Delivery.attempt_no, Delivery.uncertain, Delivery.give_up_at)).all()
    db.session.commit()
    claimed = [ClaimedDelivery(row.id, row.alert_id, row.contact_id, str(row.channel),
                               row.language, row.attempts, bool(row.is_fallback), row.attempt_no,
                               bool(row.uncertain), row.give_up_at)
               for row in rows]
    claimed.sort(key=lambda delivery: delivery.id)
    return claimed


def recover_expired_leases() -> int:
    """Return the deliveries of crashed workers to pending once their lease has expired.

    The crashed worker may have sent them before it could record it: they are uncertain, and the
    provider is asked before they go again (or they are counted as maybe sent twice).
    """
    now = timeutil.utcnow()
    result = db.session.execute(
        move(DeliveryStatus.PENDING, Delivery.lease_expires_at < now, only_from=[DeliveryStatus.SENDING],
             lease_owner=None, lease_expires_at=None, next_attempt_at=now, uncertain=True))
    db.session.commit()
    return result.rowcount



def release_unsent(worker: str, keep: set[int]) -> int:
    """Hand back the rows this worker claimed but never gave a provider (a database error came
    between its claim and its sends); `keep` are those in batches whose results are in hand."""
    held = select(Delivery.id).where(Delivery.lease_owner == worker,
                                     Delivery.status == DeliveryStatus.SENDING)
    if keep:
        held = held.where(Delivery.id.not_in(sorted(keep)))
    result = db.session.execute(move(
        DeliveryStatus.PENDING, Delivery.id.in_(held.scalar_subquery()), Delivery.lease_owner == worker,
        only_from=[DeliveryStatus.SENDING], lease_owner=None, lease_expires_at=None,
        attempts=Delivery.attempts - 1))
    db.session.commit()
    return result.rowcount
