"""Recording what happened to a batch of sends, in a few set-based statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import bindparam, case, exists, insert, literal, select, update

from schoolbell.alerts.models import (
    PRIORITY,
    Alert,
    AlertClass,
    Channel,
    Delivery,
    DeliveryStatus,
)
from schoolbell.alerts.targeting import usable
from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from schoolbell.timeutil import to_db, utcnow


@dataclass
class BatchOutcome:
    """The results of one batch, grouped by what must be written."""

    sent: list[dict] = field(default_factory=list)
    uncertain: list[dict] = field(default_factory=list)
    retry: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    sms_blocked: dict[int, str] = field(default_factory=dict)
    sms_failed_people: dict[int, set[int]] = field(default_factory=dict)

    def count(self) -> int:
        """Deliveries this batch settled or rescheduled."""
        return sum(map(len, (self.sent, self.uncertain, self.retry, self.failed, self.skipped)))


def _mine(worker: str):
    return (Delivery.id == bindparam("b_id"), Delivery.lease_owner == worker)


def write_outcome(worker: str, outcome: BatchOutcome) -> int:
    """Write a batch's results; only rows this worker still leases are touched. Returns fallbacks."""
    now = to_db(utcnow())
    done = {"lease_owner": None, "lease_expires_at": None, "updated_at": now}
    # A fast provider callback may already have moved the row past 'sending': keep its status.
    after_send = case((Delivery.status == DeliveryStatus.SENDING, DeliveryStatus.SENT.value),
                      else_=Delivery.status)
    statements = (
        (outcome.sent, {"status": after_send, "provider_ref": bindparam("b_ref"), "sent_at": now,
                        "error_code": None, "error_reason": None}),
        (outcome.uncertain, {"status": after_send, "uncertain": True, "sent_at": now,
                             "error_code": bindparam("b_code"), "error_reason": bindparam("b_reason")}),
        (outcome.retry, {"status": DeliveryStatus.PENDING.value,
                         "next_attempt_at": bindparam("b_next"),
                         "error_code": bindparam("b_code"), "error_reason": bindparam("b_reason")}),
        (outcome.failed, {"status": DeliveryStatus.FAILED.value, "error_code": bindparam("b_code"),
                          "error_reason": bindparam("b_reason")}),
        (outcome.skipped, {"status": DeliveryStatus.SKIPPED.value, "error_reason": bindparam("b_reason")}),
    )
    connection = db.session.connection()
    for rows, values in statements:
        if rows:
            connection.execute(update(Delivery.__table__).where(*_mine(worker))
                               .values(**values, **done), rows)
    for contact_id, reason in outcome.sms_blocked.items():
        connection.execute(update(Contact.__table__).where(Contact.id == contact_id)
                           .values(sms_blocked_reason=reason[:200]))
    fallbacks = sum(_email_fallback(alert_id, people) for alert_id, people
                    in outcome.sms_failed_people.items())
    db.session.commit()
    return fallbacks


def _email_fallback(alert_id: int, contact_ids: set[int]) -> int:
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
        literal(True), literal(to_db(utcnow() - timedelta(seconds=1))),
    ).where(Contact.id.in_(contact_ids), usable(Channel.EMAIL, rule), ~already)
    result = db.session.execute(insert(Delivery).from_select(
        ["alert_id", "contact_id", "channel", "status", "priority", "language", "is_fallback",
         "next_attempt_at"], rows, include_defaults=False).execution_options(preserve_rowcount=True))
    return result.rowcount
