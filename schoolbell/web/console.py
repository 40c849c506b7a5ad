"""The console for office staff and teachers: alerts, delivery figures and confirmation rates."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for

from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import User, UserRole
from schoolbell.accounts.scope import school_scope
from schoolbell.alerts.acknowledgements import ack_rates, confirming_kinds
from schoolbell.alerts.listing import list_alerts
from schoolbell.alerts.models import Alert, AlertClass, AlertStatus
from schoolbell.alerts.reports import failures_csv, school_counts, status_counts
from schoolbell.alerts.summary import preview_report, timing
from schoolbell.extensions import db
from schoolbell.web.alert_filters import AlertFilterForm

console = Blueprint("console", __name__, url_prefix="/console")


def _visible(user: User, alert: Alert) -> bool:
    """Office staff see their office's alerts; teachers see those sent to their school.

    An office's draft or scheduled alert is not yet news: teachers see it once it goes.
    """
    if alert.office_id != user.office_id:
        return False
    if user.role is UserRole.OFFICE:
        return True
    unsent = alert.status in (AlertStatus.DRAFT, AlertStatus.SCHEDULED)
    if unsent and alert.alert_class is not AlertClass.CURRICULUM:  # lessons teachers assigned
        return False
    school = user.school
    target = alert.target or {}
    return ((not target.get("school_ids") or school.id in target["school_ids"])
            and (not target.get("levels") or school.level.value in target["levels"])
            and (not target.get("district_office_ids")
                 or school.district_office_id in target["district_office_ids"]))


def _alert_for(user: User, alert_id: int) -> Alert:
    alert = db.session.get(Alert, alert_id)
    if alert is None or not _visible(user, alert):
        abort(404)  # not 403: whether an alert exists elsewhere is not theirs to know
    return alert


@console.get("/")
@login_required
def dashboard():
    """The office's alerts, newest first, with their figures; searchable and filtered, a page at a time."""
    user = current_user()
    form = AlertFilterForm(request.args)
    form.validate()
    visible = None if user.role is UserRole.OFFICE else (lambda alert: _visible(user, alert))
    listing = list_alerts(user.office_id, form.wanted(), page=form.page.data or 1, visible=visible)
    return render_template("console/dashboard.html", user=user, form=form, listing=listing)


@console.app_template_global("dashboard_page_url")
def page_url(page: int) -> str:
    """The dashboard's address for another page, keeping the filters."""
    args = request.args.to_dict()
    args["page"] = page
    return url_for("console.dashboard", **args)


@console.get("/alerts/<int:alert_id>")
@login_required
def alert_detail(alert_id: int):
    """Delivery counts and confirmation rates, per school for offices and per class for teachers."""
    user = current_user()
    alert = _alert_for(user, alert_id)
    office = user.role is UserRole.OFFICE
    kinds = confirming_kinds(alert)
    schools = school_counts(alert)
    if not office:
        schools = [row for row in schools if row["school_code"] == user.school.code]
    rates = ack_rates(alert, kinds, by_class=not office, school_filter=school_scope(user))
    # Before sending, office staff see what would go out; the compose blueprint acts on it.
    not_started = alert.status in (AlertStatus.DRAFT, AlertStatus.SCHEDULED)
    return render_template("console/alert.html", user=user, alert=alert, office=office,
                           counts=status_counts(alert) if office else None, schools=schools,
                           rates=rates, kinds=kinds, timing=timing(alert),
                           preview=preview_report(alert) if office and not_started else None)


@console.get("/alerts/<int:alert_id>/failures.csv")
@login_required
def failures(alert_id: int):
    """Failed deliveries as CSV (masked addresses); for office staff only."""
    user = current_user()
    alert = _alert_for(user, alert_id)
    if user.role is not UserRole.OFFICE:
        abort(404)
    return Response("\ufeff" + failures_csv(alert), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=alert-{alert.id}-failures.csv"})
