"""What office staff do to a composed alert: approve, send, schedule, cancel, resend."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from schoolbell.accounts.auth import login_required
from schoolbell.alerts.approvals import ApprovalError, approval_state, approve, request_approval
from schoolbell.alerts.models import Alert
from schoolbell.alerts.services import (
    AlertError,
    cancel_alert,
    resend_failed,
    schedule_alert,
    send_alert,
)
from schoolbell.alerts.sms_limits import CONFIRM, REFUSE, check_alert, worst
from schoolbell.alerts.summary import kst
from schoolbell.extensions import db
from schoolbell.timeutil import SEOUL
from schoolbell.web.approval_notice import ask_colleagues
from schoolbell.web.compose import sms_refusal_text
from schoolbell.web.compose_base import compose, office_user, own_alert


def act_on(alert_id: int, action) -> object:
    """Run an action on one of the office's alerts; its result or error is shown on the alert's page."""
    user = office_user()
    alert = own_alert(user, alert_id)
    try:
        message = action(alert, user.email)
    except (AlertError, ApprovalError) as problem:
        db.session.rollback()
        flash(str(problem), "error")
    else:
        flash(message, "done")
    return redirect(url_for("console.alert_detail", alert_id=alert.id))


def release_check(alert: Alert) -> None:
    """Refuse, in the reader's language, an alert that may not go: too long, unconfirmed or unapproved."""
    checks = check_alert(alert)
    level = worst(checks)
    if level == REFUSE:
        raise AlertError(sms_refusal_text(next(c for c in checks if c.level == REFUSE)))
    if level == CONFIRM and not request.form.get("confirm_long"):
        longest = max(check.segments for check in checks)
        raise AlertError(_("Each SMS is %(segments)s segments long: tick the box to confirm before sending.",
                           segments=longest))
    if approval_state(alert).waiting:
        raise AlertError(_("An emergency to the whole office needs a second office user's approval "
                           "before it is sent."))


@compose.post("/<int:alert_id>/send")
@login_required
def send(alert_id: int):
    """Fan the alert out now; the workers send it."""
    def go(alert: Alert, actor: str) -> str:
        release_check(alert)
        created = send_alert(alert, actor)
        held = kst(alert.deferred_until)
        return (_("%(count)s messages queued.", count=f"{created:,}")
                + (" " + _("Quiet hours: they wait until %(time)s.", time=held) if held else ""))
    return act_on(alert_id, go)


@compose.post("/<int:alert_id>/schedule")
@login_required
def schedule(alert_id: int):
    """Send the alert at a Seoul time from the form (or move it), until sending starts."""
    def go(alert: Alert, actor: str) -> str:
        try:
            moment = datetime.fromisoformat(request.form.get("at", "")).replace(tzinfo=SEOUL)
        except ValueError:
            raise AlertError(_("Choose a date and time to send at.")) from None
        release_check(alert)
        schedule_alert(alert, moment, actor)
        return _("Scheduled for %(time)s.", time=kst(alert.send_at))
    return act_on(alert_id, go)


@compose.post("/<int:alert_id>/cancel")
@login_required
def cancel(alert_id: int):
    """Stop whatever has not been sent yet."""
    def go(alert: Alert, actor: str) -> str:
        return _("Cancelled; %(count)s unsent messages stopped.", count=f"{cancel_alert(alert, actor):,}")
    return act_on(alert_id, go)


@compose.post("/<int:alert_id>/resend")
@login_required
def resend(alert_id: int):
    """Try again for the people whose message failed, and only them."""
    def go(alert: Alert, actor: str) -> str:
        return _("%(count)s failed messages will be tried again.", count=f"{resend_failed(alert, actor):,}")
    return act_on(alert_id, go)


@compose.post("/<int:alert_id>/request-approval")
@login_required
def ask_approval(alert_id: int):
    """The author asks a colleague to approve an emergency to the whole office."""
    def go(alert: Alert, actor: str) -> str:
        request_approval(alert, actor)
        db.session.commit()
        told = ask_colleagues(alert, actor)
        return _("Approval requested: %(count)s office colleagues were emailed; any of them can approve "
                 "it on this page.", count=told)
    return act_on(alert_id, go)


@compose.post("/<int:alert_id>/approve")
@login_required
def give_approval(alert_id: int):
    """A second office user approves; the approval is in the alert's audit trail."""
    def go(alert: Alert, actor: str) -> str:
        state = approval_state(alert)
        if state.waiting and actor == state.author:
            raise AlertError(_("You wrote this alert, so you cannot approve it: ask a colleague."))
        approve(alert, actor)
        db.session.commit()
        return _("Approved. It can be sent now.")
    return act_on(alert_id, go)
