"""What a claimed batch must not send now: deliveries of cancelled alerts, and those in quiet hours."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from schoolbell import timeutil
from schoolbell.alerts.delivery_status import move
from schoolbell.alerts.models import Alert, AlertStatus, Delivery, DeliveryStatus
from schoolbell.delivery.claims import ClaimedDelivery
from schoolbell.extensions import db

log = logging.getLogger(__name__)


def drop_cancelled(worker: str, batch: list[ClaimedDelivery]) -> list[ClaimedDelivery]:
    """Cancel the claimed deliveries of alerts cancelled since the claim; returns those still to send."""
    cancelled = set(db.session.scalars(select(Alert.id).where(
        Alert.id.in_({delivery.alert_id for delivery in batch}), Alert.status == AlertStatus.CANCELLED)))
    if not cancelled:
        return batch
    db.session.execute(move(
        DeliveryStatus.CANCELLED, Delivery.id.in_([d.id for d in batch if d.alert_id in cancelled]),
        Delivery.lease_owner == worker, only_from=[DeliveryStatus.SENDING],
        lease_owner=None, lease_expires_at=None, attempts=Delivery.attempts - 1,
        error_reason="alert cancelled", updated_at=timeutil.utcnow()))
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
        db.session.execute(move(
            DeliveryStatus.PENDING, Delivery.id.in_([d.id for d in batch if d.alert_id == alert_id]),
            Delivery.lease_owner == worker, only_from=[DeliveryStatus.SENDING],
            lease_owner=None, lease_expires_at=None, attempts=Delivery.attempts - 1,
            next_attempt_at=moment, updated_at=now))
        log.info("quiet hours: alert %s waits until %s", alert_id, moment.isoformat())
    db.session.commit()
    return [delivery for delivery in batch if delivery.alert_id not in waiting]
