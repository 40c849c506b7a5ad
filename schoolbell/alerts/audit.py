"""The audit trail of an alert as people read it: who created, approved, sent, cancelled or resent it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from schoolbell.alerts.models import Alert, AlertEvent
from schoolbell.extensions import db


@dataclass(frozen=True)
class AuditEntry:
    """One thing someone did to an alert, and when."""

    at: datetime
    action: str  # created, edited, approval_requested, approved, test_sent, scheduled, sent, …
    actor: str
    detail: dict


def audit_trail(alert: Alert) -> list[AuditEntry]:
    """Every recorded action on the alert, oldest first."""
    rows = select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.at, AlertEvent.id)
    return [AuditEntry(event.at, event.action, event.actor, dict(event.detail or {}))
            for event in db.session.scalars(rows)]
