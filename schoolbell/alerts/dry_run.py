"""A test send: everything a send checks and records, except that no message is made or sent."""

from __future__ import annotations

from schoolbell import timeutil
from schoolbell.alerts.fanout import preview
from schoolbell.alerts.models import Alert, AlertStatus
from schoolbell.alerts.services import NOT_STARTED, REACHES_NOBODY, AlertError, mark_sending, record
from schoolbell.extensions import db

TEST_ACTION = "sent"


def dry_run_send(alert: Alert, actor: str) -> dict:
    """Mark the alert sent without creating a delivery; returns what a real send would have made."""
    counts = preview(alert)
    if counts.messages == 0:
        raise AlertError(REACHES_NOBODY)
    if not mark_sending(alert, Alert.status.in_(NOT_STARTED)):
        raise AlertError(f"alert {alert.id} is {alert.status.value}; only a draft or scheduled "
                         "alert can be sent")
    would_send = {"people": counts.people, "sms": counts.sms, "email": counts.email,
                  "messages": counts.messages}
    alert.status = AlertStatus.SENT
    alert.fanned_out_at = timeutil.utcnow()
    record(alert, TEST_ACTION, actor, {"deliveries": 0, "test": True, "would_send": would_send})
    db.session.commit()
    return would_send
