"""Use cases of alerts: create, schedule, send, cancel, resend to failed; each leaves an audit record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select, update

from schoolbell import timeutil
from schoolbell.alerts.approvals import release_refusal
from schoolbell.alerts.delivery_status import move
from schoolbell.alerts.fanout import fan_out
from schoolbell.alerts.links import is_web_link
from schoolbell.alerts.models import (
    FINAL,
    Alert,
    AlertClass,
    AlertEvent,
    AlertStatus,
    Delivery,
    DeliveryStatus,
)
from schoolbell.alerts.quiet_hours import DEFAULT as DEFAULT_QUIET_HOURS
from schoolbell.alerts.quiet_hours import defer_until
from schoolbell.alerts.sms_limits import refusal as sms_refusal
from schoolbell.alerts.targeting import Target
from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db
from schoolbell.timeutil import seoul

# Until sending starts, an alert can still be sent, scheduled or moved.
NOT_STARTED = (AlertStatus.DRAFT, AlertStatus.SCHEDULED)


class AlertError(ValueError):
    """An alert action that cannot be done; the message says why."""


REACHES_NOBODY = ("this alert reaches nobody: no one in its target has a phone or email it may use; "
                  "widen the target or fix the contacts first")


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


def missing_languages(draft: AlertDraft) -> list[str]:
    """The languages ("ko", "en") without both a title and a body."""
    return [language for language in ("ko", "en")
            if not (getattr(draft, f"title_{language}") and getattr(draft, f"body_{language}"))]


def draft_warnings(draft: AlertDraft) -> list[str]:
    """What the author should know before sending: a missing language falls back to the other."""
    names = {"ko": ("Korean", "English"), "en": ("English", "Korean")}
    return [f"no {name} text: {name}-speaking recipients will get the {other} text"
            for name, other in (names[language] for language in missing_languages(draft))]


def draft_of(alert: Alert) -> AlertDraft:
    """A stored alert's texts and class as a draft."""
    return AlertDraft(alert_class=alert.alert_class.value, title_ko=alert.title_ko or "",
                      body_ko=alert.body_ko or "", title_en=alert.title_en or "", body_en=alert.body_en or "")


def alert_warnings(alert: Alert) -> list[str]:
    """The draft warnings of a stored alert (a missing language)."""
    return draft_warnings(draft_of(alert))


def _checked_target(draft: AlertDraft) -> Target:
    """The draft's target after checking its class and texts; AlertError says what is wrong."""
    if draft.alert_class not in AlertClass._value2member_map_:
        raise AlertError(f"unknown class {draft.alert_class!r}; use {', '.join(AlertClass)}")
    has_ko = bool(draft.title_ko and draft.body_ko)
    has_en = bool(draft.title_en and draft.body_en)
    if not (has_ko or has_en):
        raise AlertError("an alert needs a title and a body in Korean or in English")
    for name, limit in (("title_ko", 200), ("title_en", 200), ("link_url", 500)):
        if len(getattr(draft, name)) > limit:
            raise AlertError(f"{name}: at most {limit} characters, got {len(getattr(draft, name))}")
    if draft.link_url and not is_web_link(draft.link_url):
        raise AlertError(f"link {draft.link_url[:80]!r}: only an https:// or http:// address can be a link")
    return Target.from_dict(draft.target)


def _write_draft(alert: Alert, draft: AlertDraft, target: Target) -> None:
    alert.alert_class = AlertClass(draft.alert_class)
    alert.title_ko, alert.body_ko = draft.title_ko or None, draft.body_ko or None
    alert.title_en, alert.body_en = draft.title_en or None, draft.body_en or None
    alert.link_url, alert.lesson_slug = draft.link_url or None, draft.lesson_slug or None
    alert.target = target.as_dict()


def create_alert(office: EducationOffice, draft: AlertDraft, actor: str) -> Alert:
    """Store a new draft alert after checking its class, texts and target."""
    target = _checked_target(draft)
    alert = Alert(office_id=office.id, status=AlertStatus.DRAFT, created_by=actor)
    _write_draft(alert, draft, target)
    db.session.add(alert)
    db.session.flush()
    record(alert, "created", actor, {"warnings": draft_warnings(draft)})
    return alert


def edit_alert(alert: Alert, draft: AlertDraft, actor: str) -> None:
    """Change a draft or scheduled alert's class, texts and target; refused once sending started."""
    target = _checked_target(draft)
    db.session.refresh(alert, with_for_update=True)  # a send that starts meanwhile waits, or wins
    if alert.status not in NOT_STARTED:
        raise AlertError(f"alert {alert.id} is {alert.status.value}; "
                         "only an alert not yet sent can be edited")
    _write_draft(alert, draft, target)
    record(alert, "edited", actor, {"warnings": draft_warnings(draft)})
    # A scheduled alert that may no longer go as it stands (a new approval needed, an SMS now too
    # long) waits as a draft: the scheduler must not send what nobody approved.
    reason = sms_refusal(alert) or release_refusal(alert) if alert.status is AlertStatus.SCHEDULED else None
    if reason:
        alert.status = AlertStatus.DRAFT
        record(alert, "unscheduled", actor, {"reason": reason})


def record(alert: Alert, action: str, actor: str, detail: dict | None = None) -> None:
    """Add an audit record to the alert's trail."""
    db.session.add(AlertEvent(alert_id=alert.id, action=action, actor=actor, detail=detail or {}))


def send_alert(alert: Alert, actor: str, due: datetime | None = None) -> int:
    """Fan the alert out now, once; deliveries become due at `due`, by default when quiet hours allow.

    An alert that would reach nobody is refused and stays as it was.
    """
    refuse_unreleasable(alert)
    if not mark_sending(alert, Alert.status.in_(NOT_STARTED)):
        raise AlertError(f"alert {alert.id} is {alert.status.value}; only a draft or scheduled "
                         "alert can be sent")
    return fan_out_marked(alert, actor, due if due is not None else quiet_due(alert), refuse_empty=True)


def refuse_unreleasable(alert: Alert) -> None:
    """AlertError when the alert may not go: an SMS over its limits, or an approval still missing."""
    reason = sms_refusal(alert) or release_refusal(alert)
    if reason:
        raise AlertError(reason)


def mark_sending(alert: Alert, *conditions) -> bool:
    """Move the alert to sending only if the conditions still hold: of two senders, one wins."""
    result = db.session.execute(update(Alert).where(Alert.id == alert.id, *conditions)
                                .values(status=AlertStatus.SENDING)
                                .execution_options(synchronize_session=False))
    db.session.refresh(alert)
    return result.rowcount == 1


def fan_out_marked(alert: Alert, actor: str, due: datetime | None = None,
                   now: datetime | None = None, detail: dict | None = None,
                   refuse_empty: bool = False) -> int:
    """Fan out an alert just marked sending, record it and commit; returns deliveries made.

    When nobody is reached: with `refuse_empty` the whole send is undone (AlertError), else (a
    scheduled alert whose audience left) it is finished at once, never left sending.
    """
    now = now or timeutil.utcnow()
    due = due or now
    created = fan_out(alert, due)
    if created == 0 and refuse_empty:
        db.session.rollback()
        db.session.refresh(alert)
        raise AlertError(REACHES_NOBODY)
    if created == 0:
        alert.status = AlertStatus.SENT
    alert.fanned_out_at = now
    alert.deferred_until = due if due > now else None
    detail = {"deliveries": created, **(detail or {})}
    if alert.deferred_until:
        detail["deferred_until"] = seoul(due).isoformat(timespec="minutes")
    record(alert, "sent", actor, detail)
    db.session.commit()
    return created


def office_quiet_hours(office_id: int) -> str:
    """An office's quiet hours, or the deployment's default (QUIET_HOURS) when it sets none."""
    own = db.session.scalar(select(EducationOffice.quiet_hours).where(EducationOffice.id == office_id))
    return own if own is not None else current_app.config.get("QUIET_HOURS", DEFAULT_QUIET_HOURS)


def quiet_due(alert: Alert, moment: datetime | None = None) -> datetime:
    """When the alert's deliveries may go if released at `moment`: quiet hours defer all but emergencies."""
    return defer_until(moment or timeutil.utcnow(), alert.alert_class, office_quiet_hours(alert.office_id))


def schedule_alert(alert: Alert, send_at: datetime, actor: str, now: datetime | None = None) -> None:
    """Set or move the time a draft or scheduled alert goes (aware; stored in UTC), until sending starts."""
    if send_at.tzinfo is None:
        raise AlertError("a send time needs its time zone")
    if send_at <= (now or timeutil.utcnow()):
        raise AlertError(f"{seoul(send_at):%Y-%m-%d %H:%M} (Asia/Seoul) has passed; "
                         "send the alert now instead")
    refuse_unreleasable(alert)
    previous = alert.send_at if alert.status is AlertStatus.SCHEDULED else None
    result = db.session.execute(
        update(Alert).where(Alert.id == alert.id, Alert.status.in_(NOT_STARTED))
        .values(status=AlertStatus.SCHEDULED, send_at=send_at)
        .execution_options(synchronize_session=False))
    db.session.refresh(alert)
    if result.rowcount != 1:
        raise AlertError(f"alert {alert.id} is {alert.status.value}; it can only be scheduled "
                         "before sending starts")
    detail = {"send_at": send_at.astimezone(UTC).isoformat(timespec="seconds"),
              "send_at_seoul": seoul(send_at).isoformat(timespec="minutes")}
    if previous:
        detail["previous_seoul"] = seoul(previous).isoformat(timespec="minutes")
    record(alert, "rescheduled" if previous else "scheduled", actor, detail)
    db.session.commit()


def _has_open_deliveries(alert_id: int) -> bool:
    return db.session.scalar(select(Delivery.id).where(
        Delivery.alert_id == alert_id,
        Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])).limit(1)) is not None


def cancel_alert(alert: Alert, actor: str) -> int:
    """Stop what has not been sent yet; returns how many deliveries were cancelled.

    Refused once every message is final: there is nothing left to stop.
    """
    if alert.status is AlertStatus.CANCELLED:
        raise AlertError(f"alert {alert.id} is already cancelled")
    if alert.status is AlertStatus.SENT or (alert.status is AlertStatus.SENDING
                                            and not _has_open_deliveries(alert.id)):
        raise AlertError(f"alert {alert.id} has already gone to everyone; there is nothing left to cancel")
    # The alert first: its row lock waits for a scheduler fanning it out, whose new deliveries the
    # statement below then sees; a dispatcher drops claimed deliveries of a cancelled alert.
    db.session.execute(update(Alert).where(Alert.id == alert.id)
                       .values(status=AlertStatus.CANCELLED, cancelled_at=timeutil.utcnow())
                       .execution_options(synchronize_session=False))
    result = db.session.execute(move(
        DeliveryStatus.CANCELLED, Delivery.alert_id == alert.id, only_from=[DeliveryStatus.PENDING],
        updated_at=timeutil.utcnow(), error_reason="alert cancelled"))
    db.session.refresh(alert)
    record(alert, "cancelled", actor, {"deliveries_cancelled": result.rowcount})
    db.session.commit()
    return result.rowcount


def resend_failed(alert: Alert, actor: str) -> int:
    """Make new attempts for the deliveries that failed or went undelivered, and only those.

    Each is a new attempt with its own number, so a late callback about the old one changes nothing;
    a cancelled alert, or one not yet sent, is refused.
    """
    if alert.status is AlertStatus.CANCELLED:
        raise AlertError(f"alert {alert.id} was cancelled; a cancelled alert is not sent again")
    if alert.status in NOT_STARTED:
        raise AlertError(f"alert {alert.id} is {alert.status.value}; nothing has been sent to try again")
    now = timeutil.utcnow()
    result = db.session.execute(move(
        DeliveryStatus.PENDING, Delivery.alert_id == alert.id,
        only_from=[DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED],
        next_attempt_at=now, attempts=0, lease_owner=None, lease_expires_at=None,
        provider_ref=None, uncertain=False, updated_at=now))
    if result.rowcount:
        alert.status = AlertStatus.SENDING
    record(alert, "resent", actor, {"deliveries": result.rowcount})
    db.session.commit()
    return result.rowcount


def open_work(alert_id: int):
    """One of the alert's deliveries still pending or in flight, if any (ix_deliveries_alert_status)."""
    open_statuses = [s for s in DeliveryStatus if s not in FINAL and s is not DeliveryStatus.SENT]
    return select(Delivery.id).where(Delivery.alert_id == alert_id,
                                     Delivery.status.in_(open_statuses)).limit(1)


def finish_if_done(alert_id: int) -> None:
    """Mark an alert sent once none of its deliveries is still pending or in flight."""
    busy = db.session.scalar(open_work(alert_id))
    if busy is None:
        db.session.execute(update(Alert).where(Alert.id == alert_id,
                                               Alert.status == AlertStatus.SENDING)
                           .values(status=AlertStatus.SENT))
