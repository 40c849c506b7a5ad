"""Email instead of an SMS that failed for good, at send time or by the carrier's later report."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, insert, literal, select

from schoolbell import timeutil
from schoolbell.alerts.models import (
    PRIORITY,
    Alert,
    AlertClass,
    AlertStatus,
    Channel,
    Delivery,
    DeliveryStatus,
)
from schoolbell.alerts.targeting import usable
from schoolbell.database import UTCDateTime
from schoolbell.directory.models import Contact
from schoolbell.extensions import db


def email_fallback(alert_id: int, contact_ids: set[int]) -> int:
    """Email the people whose SMS failed for good, when they have a usable email not yet used."""
    alert = db.session.get(Alert, alert_id)
    alert_class = AlertClass(alert.alert_class)
    # The preferred channel has just failed for good, so the preference no longer applies.
    rule = AlertClass.EMERGENCY if alert_class is AlertClass.EMERGENCY else AlertClass.URGENT
    already = exists().where(Delivery.alert_id == alert_id, Delivery.contact_id == Contact.id,
                             Delivery.channel == Channel.EMAIL.value)
    rows = select(
        literal(alert_id), Contact.id, literal(Channel.EMAIL.value),
        literal(DeliveryStatus.PENDING.value), literal(PRIORITY[alert_class]), Contact.language,
        literal(True), literal(timeutil.utcnow() - timedelta(seconds=1), UTCDateTime()),
    ).where(Contact.id.in_(contact_ids), usable(Channel.EMAIL, rule), ~already)
    result = db.session.execute(insert(Delivery).from_select(
        ["alert_id", "contact_id", "channel", "status", "priority", "language", "is_fallback",
         "next_attempt_at"], rows, include_defaults=False).execution_options(preserve_rowcount=True))
    if result.rowcount and alert.status is AlertStatus.SENT:
        alert.status = AlertStatus.SENDING  # new work: the dispatcher marks it sent again when done
    return result.rowcount
