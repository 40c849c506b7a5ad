"""Fan-out: one set-based INSERT … SELECT turns an alert into deliveries, one per person per channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, insert, literal, select, text, union_all

from schoolbell import timeutil
from schoolbell.alerts.audience import audience_conditions
from schoolbell.alerts.models import PRIORITY, Alert, AlertClass, Channel, Delivery, DeliveryStatus
from schoolbell.alerts.targeting import Target, targeted_contact_ids, usable
from schoolbell.database import UTCDateTime, is_postgresql
from schoolbell.directory.models import Contact, Membership
from schoolbell.directory.preference_models import SchoolOptOut
from schoolbell.extensions import db

# A fan-out this large refreshes the planner's statistics of the deliveries table at once.
ANALYZE_AFTER = 1000


@dataclass(frozen=True)
class Preview:
    """What an alert would send: distinct people, messages per channel, people it cannot reach."""

    people: int
    sms: int
    email: int
    unreachable: int

    @property
    def messages(self) -> int:
        """Messages in all."""
        return self.sms + self.email


# Classes a person may turn off per school in the preference centre; emergencies and urgent ones come.
SCHOOL_OPT_OUT_CLASSES = frozenset({AlertClass.ROUTINE, AlertClass.CURRICULUM})


def targeted_people(alert: Alert):
    """The distinct people an alert reaches: for routine and lesson messages, a person counts only
    through a targeted school they have not opted out of."""
    people = targeted_contact_ids(Target.from_dict(alert.target), alert.office_id)
    if AlertClass(alert.alert_class) in SCHOOL_OPT_OUT_CLASSES:
        people = people.where(~exists().where(SchoolOptOut.contact_id == Membership.contact_id,
                                              SchoolOptOut.school_id == Membership.school_id))
    return people


def _channel_select(alert: Alert, channel: Channel, due: datetime):
    """SELECT the delivery rows of one channel; DISTINCT people come from the target subquery."""
    alert_class = AlertClass(alert.alert_class)
    people = targeted_people(alert).subquery()
    return (select(
        literal(alert.id).label("alert_id"),
        Contact.id.label("contact_id"),
        literal(channel.value).label("channel"),
        literal(DeliveryStatus.PENDING.value).label("status"),
        literal(PRIORITY[alert_class]).label("priority"),
        Contact.language.label("language"),
        literal(due, UTCDateTime()).label("next_attempt_at"),
    ).where(Contact.id.in_(select(people.c.contact_id)), usable(channel, alert_class),
            *audience_conditions(alert.id, alert.office_id)))


def fan_out(alert: Alert, due: datetime | None = None) -> int:
    """Create the alert's deliveries in one statement; returns how many were created.

    Uniqueness of (alert, person, channel) holds by construction (each channel's SELECT reads
    distinct people) and by the table's unique constraint.
    """
    due = due or timeutil.utcnow()
    statement = insert(Delivery).from_select(
        ["alert_id", "contact_id", "channel", "status", "priority", "language", "next_attempt_at"],
        union_all(_channel_select(alert, Channel.SMS, due), _channel_select(alert, Channel.EMAIL, due)),
        include_defaults=False)
    # SQLAlchemy 2.1 reports an INSERT's rowcount on PostgreSQL only when asked to keep it.
    result = db.session.execute(statement.execution_options(preserve_rowcount=True))
    if result.rowcount >= ANALYZE_AFTER and is_postgresql():
        # Until autovacuum analyzes the table (a minute or more later), PostgreSQL's planner still
        # counts the queue as it was: a claim then sorted the whole new queue, on disk, 0.4 s each
        # at Seoul scale instead of 1 ms. In this transaction: the workers see the rows and the
        # statistics at the same commit.
        db.session.execute(text("ANALYZE deliveries"))
    return result.rowcount


def preview(alert: Alert) -> Preview:
    """Count people and messages per channel without creating anything."""
    alert_class = AlertClass(alert.alert_class)
    people = targeted_people(alert).subquery()
    sms_ok = usable(Channel.SMS, alert_class)
    email_ok = usable(Channel.EMAIL, alert_class)
    row = db.session.execute(
        select(func.count(),
               func.count().filter(sms_ok),
               func.count().filter(email_ok),
               func.count().filter(~sms_ok & ~email_ok))
        .select_from(Contact).where(Contact.id.in_(select(people.c.contact_id)))).one()
    return Preview(people=row[0], sms=row[1], email=row[2], unreachable=row[3])


def unreachable_people(alert: Alert, limit: int | None = None):
    """The targeted people no channel reaches for this class, with the facts that explain why."""
    alert_class = AlertClass(alert.alert_class)
    people = targeted_people(alert).subquery()
    query = (select(Contact).where(Contact.id.in_(select(people.c.contact_id)),
                                   ~usable(Channel.SMS, alert_class),
                                   ~usable(Channel.EMAIL, alert_class))
             .order_by(Contact.id))
    if limit is not None:
        query = query.limit(limit)
    return db.session.scalars(query)


def unreachable_reason(contact: Contact) -> str:
    """Why a person cannot be reached, in words."""
    if not contact.phone and not contact.email:
        return "no phone or email"
    reasons = []
    for channel, address, consent, blocked in (
            ("SMS", contact.phone, contact.sms_consent, contact.sms_blocked_reason),
            ("email", contact.email, contact.email_consent, contact.email_blocked_reason)):
        if not address:
            reasons.append(f"no {channel}")
        elif blocked:
            reasons.append(f"{channel} blocked: {blocked}")
        elif not consent:
            reasons.append(f"{channel} opted out")
    return "; ".join(reasons)
