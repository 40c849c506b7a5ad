"""The two-person rule: an emergency to a whole office goes only after a second office user approves."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from schoolbell.alerts.models import Alert, AlertClass, AlertEvent
from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db

# These events change what would be sent, so an approval given before them no longer counts.
CHANGES = ("created", "edited")


class ApprovalError(ValueError):
    """An approval that cannot be given; the message says why."""


def whole_office(alert: Alert) -> bool:
    """True when the target narrows neither district office, level nor school: every school."""
    target = alert.target or {}
    return not (target.get("district_office_ids") or target.get("levels") or target.get("school_ids"))


def needs_approval(alert: Alert) -> bool:
    """True for an emergency to a whole office whose office has the two-person rule on."""
    if alert.alert_class is not AlertClass.EMERGENCY or not whole_office(alert):
        return False
    return bool(db.session.scalar(select(EducationOffice.two_person_emergency)
                                  .where(EducationOffice.id == alert.office_id)))


@dataclass(frozen=True)
class ApprovalState:
    """Whether an alert may go: not needed, waiting (who asked, who wrote it) or approved (by whom)."""

    needed: bool
    approved_by: str | None
    requested_by: str | None
    author: str | None  # who last wrote the texts or target: they cannot approve their own work

    @property
    def waiting(self) -> bool:
        """Approval is needed and not given."""
        return self.needed and not self.approved_by

    def may_approve(self, actor: str) -> bool:
        """A second person: not the one who last wrote it."""
        return self.waiting and actor != self.author


def approval_state(alert: Alert) -> ApprovalState:
    """The alert's approval as its audit trail tells it; an edit after an approval undoes it."""
    needed = needs_approval(alert)
    events = db.session.execute(select(AlertEvent.action, AlertEvent.actor)
                                .where(AlertEvent.alert_id == alert.id,
                                       AlertEvent.action.in_((*CHANGES, "approval_requested", "approved")))
                                .order_by(AlertEvent.id)).all()
    author, approved_by, requested_by = alert.created_by, None, None
    for action, actor in events:
        if action in CHANGES:
            author, approved_by, requested_by = actor, None, None
        elif action == "approval_requested":
            requested_by = actor
        elif action == "approved":
            approved_by = actor
    return ApprovalState(needed, approved_by if needed else None, requested_by, author)


def request_approval(alert: Alert, actor: str) -> None:
    """Note in the trail that the author asks a colleague to approve."""
    if not approval_state(alert).waiting:
        raise ApprovalError(f"alert {alert.id} needs no approval now")
    db.session.add(AlertEvent(alert_id=alert.id, action="approval_requested", actor=actor, detail={}))


def approve(alert: Alert, actor: str) -> None:
    """Record a second person's approval; the author cannot approve their own alert."""
    state = approval_state(alert)
    if not state.waiting:
        raise ApprovalError(f"alert {alert.id} needs no approval now")
    if actor == state.author:
        raise ApprovalError("the person who wrote an alert cannot approve it: ask a colleague")
    db.session.add(AlertEvent(alert_id=alert.id, action="approved", actor=actor,
                              detail={"author": state.author}))


def release_refusal(alert: Alert) -> str | None:
    """Why the alert may not go yet under the two-person rule, or None."""
    if approval_state(alert).waiting:
        return (f"alert {alert.id} is an emergency to the whole office: a second office user "
                "must approve it before it is sent")
    return None


def awaiting_approval(alerts: list[Alert]) -> set[int]:
    """The ids of the alerts (e.g. a page of the list) still waiting for a second person's approval."""
    candidates = [alert for alert in alerts if alert.status.value in ("draft", "scheduled")
                  and alert.alert_class is AlertClass.EMERGENCY and whole_office(alert)]
    return {alert.id for alert in candidates if approval_state(alert).waiting}
