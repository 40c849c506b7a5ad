"""What a claimed batch must not send now: deliveries of cancelled alerts, and those in quiet hours."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update

from schoolbell.alerts.models import Alert, AlertStatus, Delivery, DeliveryStatus
from schoolbell.delivery.claims import ClaimedDelivery
from schoolbell.extensions import db
from schoolbell.timeutil import to_db, utcnow

log = logging.getLogger(__name__)


def drop_cancelled(worker: str, batch: list[ClaimedDelivery]) -> list[ClaimedDelivery]:
    """Cancel the claimed deliveries of alerts cancelled since the claim; returns those still to send."""
    cancelled = set(db.session.scalars(select(Alert.id).where(
        Alert.id.in_({delivery.alert_id for delivery in batch}), Alert.status == AlertStatus.CANCELLED)))
    if not cancelled:
        return batch
    db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_([d.id for d in batch if d.alert_id in cancelled]),
               Delivery.lease_owner == worker, Delivery.status == DeliveryStatus.SENDING)
        .values(status=DeliveryStatus.CANCELLED, lease_owner=None, lease_expires_at=None,
                attempts=Delivery.attempts - 1, error_reason="alert cancelled", updated_at=to_db(utcnow()))
        .execution_options(synchronize_session=False))
    db.session.commit()
    return [delivery for delivery in batch if delivery.alert_id not in cancelled]


def hold_for_quiet_hours(worker: str, batch: list[ClaimedDelivery],
                         resume_at: Callable[[int, datetime], datetime],
                         now: datetime) -> list[ClaimedDelivery]:
    """Put back what may not go now; returns the rest.

    A send still under way at 21:00, or leases recovered at night, wait until `resume_at(alert_id,
    now)`: the end of the alert's office's quiet hours (an emergency's is now).
    """
    resume = {alert_id: resume_at(alert_id, now) for alert_id in {d.alert_id for d in batch}}
    waiting = {alert_id: moment for alert_id, moment in resume.items() if moment > now}
    if not waiting:
        return batch
    for alert_id, moment in waiting.items():
        db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_([d.id for d in batch if d.alert_id == alert_id]),
                   Delivery.lease_owner == worker, Delivery.status == DeliveryStatus.SENDING)
            .values(status=DeliveryStatus.PENDING, lease_owner=None, lease_expires_at=None,
                    attempts=Delivery.attempts - 1, next_attempt_at=to_db(moment), updated_at=to_db(now))
            .execution_options(synchronize_session=False))
        log.info("quiet hours: alert %s waits until %s", alert_id, moment.isoformat())
    db.session.commit()
    return [delivery for delivery in batch if delivery.alert_id not in waiting]
