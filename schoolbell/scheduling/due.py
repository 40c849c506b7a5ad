"""Due work: scheduled alerts whose time has come are fanned out, each exactly once, however late."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from schoolbell import timeutil
from schoolbell.alerts.models import Alert, AlertStatus
from schoolbell.alerts.services import fan_out_marked, mark_sending, quiet_due
from schoolbell.extensions import db
from schoolbell.timeutil import seoul

log = logging.getLogger(__name__)
ACTOR = "scheduler"
# Later than this after its due time, a send is reported as late (the scheduler was down or busy).
LATE_AFTER_SECONDS = 60.0


@dataclass(frozen=True)
class Released:
    """One scheduled alert the scheduler sent: how many deliveries, how late, deferred until when."""

    alert_id: int
    deliveries: int
    late_seconds: float
    deferred_until: datetime | None


def send_due_alerts() -> list[Released]:
    """Fan out every scheduled alert that is due now; safe to run in several places at once."""
    released, tried = [], set()
    while (alert_id := _next_due(timeutil.utcnow(), tried)) is not None:
        tried.add(alert_id)
        result = _release(alert_id, timeutil.utcnow())
        if result is not None:
            released.append(result)
    return released


def upcoming(after: datetime, until: datetime) -> list[tuple[int, datetime]]:
    """(alert id, send time) of scheduled alerts due in (after, until]: exact-time jobs to plan."""
    rows = db.session.execute(select(Alert.id, Alert.send_at).where(
        Alert.status == AlertStatus.SCHEDULED, Alert.send_at > after,
        Alert.send_at <= until).order_by(Alert.send_at)).all()
    db.session.rollback()
    return [(alert_id, send_at) for alert_id, send_at in rows]


def _next_due(now: datetime, tried: set[int]) -> int | None:
    query = (select(Alert.id).where(Alert.status == AlertStatus.SCHEDULED, Alert.send_at <= now)
             .order_by(Alert.send_at, Alert.id).limit(1))
    if tried:
        query = query.where(Alert.id.not_in(tried))
    alert_id = db.session.scalar(query)
    db.session.rollback()  # a fresh snapshot for the next look, not a transaction held open
    return alert_id


def _release(alert_id: int, now: datetime) -> Released | None:
    """Mark one due alert sending and fan it out in one transaction; None if someone else did."""
    alert = db.session.get(Alert, alert_id)
    if alert is None or not mark_sending(alert, Alert.status == AlertStatus.SCHEDULED,
                                          Alert.send_at <= now):
        db.session.rollback()
        return None
    due_at = alert.send_at
    late = max(0.0, (now - due_at).total_seconds())
    try:
        created = fan_out_marked(alert, ACTOR, quiet_due(alert, now), now,
                                 {"due_at": seoul(due_at).isoformat(timespec="seconds"),
                                  "late_seconds": round(late, 1)})
    except Exception:
        db.session.rollback()  # the alert stays scheduled and is tried again on the next pass
        raise
    deferred = alert.deferred_until
    level = logging.WARNING if late > LATE_AFTER_SECONDS else logging.INFO
    log.log(level, "alert %s sent %.0f s after its due time %s: %s deliveries%s", alert_id, late,
            f"{seoul(due_at):%Y-%m-%d %H:%M:%S %Z}", created,
            f", held by quiet hours until {seoul(deferred):%Y-%m-%d %H:%M %Z}" if deferred else "")
    return Released(alert_id, created, late, deferred)
