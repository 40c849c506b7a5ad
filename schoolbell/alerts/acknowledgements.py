"""Recipients' confirmations ("I have read this", "we talked about it") and their rates."""

from __future__ import annotations

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.exc import IntegrityError

from schoolbell.alerts.links import opened_link
from schoolbell.alerts.models import (
    AckKind,
    Acknowledgement,
    Alert,
    AlertClass,
    Delivery,
    DeliveryStatus,
)
from schoolbell.alerts.targeting import Target, membership_conditions
from schoolbell.directory.models import Membership, School
from schoolbell.extensions import db

REACHED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)


def delivery_for_token(token: str) -> Delivery:
    """The delivery a recipient link names; InvalidLink when forged, expired or unknown."""
    return opened_link(token).delivery


def acknowledge(delivery: Delivery, kind: AckKind) -> bool:
    """Record a confirmation once per person, alert and kind; False when it was already there."""
    exists = db.session.scalar(select(Acknowledgement.id).where(
        Acknowledgement.alert_id == delivery.alert_id, Acknowledgement.contact_id == delivery.contact_id,
        Acknowledgement.kind == kind))
    if exists:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Acknowledgement(alert_id=delivery.alert_id, contact_id=delivery.contact_id,
                                           kind=kind))
    except IntegrityError:  # a double click racing itself: the unique constraint keeps one
        return False
    db.session.commit()
    return True


def confirming_kinds(alert: Alert) -> tuple[AckKind, ...]:
    """What counts as a confirmation of this alert: a lesson's "we talked about it" counts too."""
    if alert.alert_class is AlertClass.CURRICULUM:
        return (AckKind.TALKED,)
    return (AckKind.READ, AckKind.TALKED) if alert.lesson_slug else (AckKind.READ,)


def ack_rates(alert: Alert, kinds: AckKind | tuple[AckKind, ...] | None = None, by_class: bool = False,
              school_filter=None) -> list[dict]:
    """Per school (or per school, grade and class): people reached, people who confirmed, rate.

    A person counts under each targeted school or class they belong to, once, whichever of the
    `kinds` (by default the alert's confirming kinds) they pressed. Rates keep a tenth of a percent.
    """
    if kinds is None:
        kinds = confirming_kinds(alert)
    elif isinstance(kinds, AckKind):
        kinds = (kinds,)
    target = Target.from_dict(alert.target)
    keys = [School.code, School.name_ko] + ([Membership.grade, Membership.class_name] if by_class else [])
    acked = and_(Acknowledgement.alert_id == alert.id, Acknowledgement.contact_id == Delivery.contact_id,
                 Acknowledgement.kind.in_(kinds))
    query = (select(*keys, func.count(distinct(Delivery.contact_id)),
                    func.count(distinct(Acknowledgement.contact_id)))
             .select_from(Delivery)
             .join(Membership, Membership.contact_id == Delivery.contact_id)
             .join(School, School.id == Membership.school_id)
             .outerjoin(Acknowledgement, acked)
             .where(Delivery.alert_id == alert.id, Delivery.status.in_(REACHED),
                    *membership_conditions(target, alert.office_id))
             .group_by(*keys).order_by(*keys))
    if school_filter is not None:
        query = query.where(school_filter)
    rows = []
    for row in db.session.execute(query):
        reached, confirmed = row[-2], row[-1]
        entry = {"school_code": row[0], "school": row[1], "reached": reached, "confirmed": confirmed,
                 "rate": round(confirmed / reached, 4) if reached else 0.0}
        if by_class:
            entry.update(grade=row[2], class_name=row[3])
        rows.append(entry)
    return rows
