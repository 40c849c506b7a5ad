"""Use cases of alerts: create, send, cancel, resend to failed; each leaves an audit record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update

from schoolbell.alerts.fanout import fan_out
from schoolbell.alerts.models import (
    FINAL,
    Alert,
    AlertClass,
    AlertEvent,
    AlertStatus,
    Delivery,
    DeliveryStatus,
)
from schoolbell.alerts.targeting import Target
from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db
from schoolbell.timeutil import to_db, utcnow


class AlertError(ValueError):
    """An alert action that cannot be done; the message says why."""


@dataclass(frozen=True)
class AlertDraft:
    """What an author writes: class, texts in Korean and English, an optional link, a target."""

    alert_class: str
    title_ko: str = ""
    body_ko: str = ""
    title_en: str = ""
    body_en: str = ""
    link_url: str = ""
    lesson_slug: str = ""
    target: dict = field(default_factory=dict)


def draft_warnings(draft: AlertDraft) -> list[str]:
    """What the author should know before sending: a missing language falls back to the other."""
    warnings = []
    for language, name, other in (("ko", "Korean", "English"), ("en", "English", "Korean")):
        if not (getattr(draft, f"title_{language}") and getattr(draft, f"body_{language}")):
            warnings.append(f"no {name} text: {name}-speaking recipients will get the {other} text")
    return warnings


def create_alert(office: EducationOffice, draft: AlertDraft, actor: str) -> Alert:
    """Store a new draft alert after checking its class, texts and target."""
    if draft.alert_class not in AlertClass._value2member_map_:
        raise AlertError(f"unknown class {draft.alert_class!r}; use {', '.join(AlertClass)}")
    has_ko = bool(draft.title_ko and draft.body_ko)
    has_en = bool(draft.title_en and draft.body_en)
    if not (has_ko or has_en):
        raise AlertError("an alert needs a title and a body in Korean or in English")
    target = Target.from_dict(draft.target)
    alert = Alert(office_id=office.id, alert_class=AlertClass(draft.alert_class),
                  status=AlertStatus.DRAFT,
                  title_ko=draft.title_ko or None, body_ko=draft.body_ko or None,
                  title_en=draft.title_en or None, body_en=draft.body_en or None,
                  link_url=draft.link_url or None, lesson_slug=draft.lesson_slug or None,
                  target=target.as_dict(), created_by=actor)
    db.session.add(alert)
    db.session.flush()
    record(alert, "created", actor, {"warnings": draft_warnings(draft)})
    return alert


def record(alert: Alert, action: str, actor: str, detail: dict | None = None) -> None:
    """Add an audit record to the alert's trail."""
    db.session.add(AlertEvent(alert_id=alert.id, action=action, actor=actor, detail=detail or {}))


def send_alert(alert: Alert, actor: str, due: datetime | None = None) -> int:
    """Fan the alert out now (deliveries become due at `due`, default now); returns deliveries made."""
    if alert.status not in (AlertStatus.DRAFT, AlertStatus.SCHEDULED):
        raise AlertError(f"alert {alert.id} is {alert.status.value}; only a draft or scheduled "
                         "alert can be sent")
    created = fan_out(alert, due)
    alert.status = AlertStatus.SENDING
    alert.fanned_out_at = utcnow()
    record(alert, "sent", actor, {"deliveries": created})
    db.session.commit()
    return created


def cancel_alert(alert: Alert, actor: str) -> int:
    """Stop what has not been sent yet; returns how many deliveries were cancelled."""
    if alert.status is AlertStatus.CANCELLED:
        raise AlertError(f"alert {alert.id} is already cancelled")
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.alert_id == alert.id, Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED, updated_at=to_db(utcnow()),
                error_reason="alert cancelled"))
    alert.status = AlertStatus.CANCELLED
    alert.cancelled_at = utcnow()
    record(alert, "cancelled", actor, {"deliveries_cancelled": result.rowcount})
    db.session.commit()
    return result.rowcount


def resend_failed(alert: Alert, actor: str) -> int:
    """Make new attempts for the deliveries that failed or went undelivered, and only those."""
    failed = (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED)
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.alert_id == alert.id, Delivery.status.in_(failed))
        .values(status=DeliveryStatus.PENDING, next_attempt_at=to_db(utcnow()), attempts=0,
                lease_owner=None, lease_expires_at=None, updated_at=to_db(utcnow())))
    if result.rowcount:
        alert.status = AlertStatus.SENDING
    record(alert, "resent", actor, {"deliveries": result.rowcount})
    db.session.commit()
    return result.rowcount


def finish_if_done(alert_id: int) -> None:
    """Mark an alert sent once none of its deliveries is still pending or in flight."""
    open_statuses = [s for s in DeliveryStatus if s not in FINAL and s is not DeliveryStatus.SENT]
    busy = db.session.scalar(select(Delivery.id).where(
        Delivery.alert_id == alert_id, Delivery.status.in_(open_statuses)).limit(1))
    if busy is None:
        db.session.execute(update(Alert).where(Alert.id == alert_id,
                                               Alert.status == AlertStatus.SENDING)
                           .values(status=AlertStatus.SENT))
