"""The console for office staff and teachers: alerts, delivery figures and confirmation rates."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale
from markupsafe import Markup

from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import User, UserRole
from schoolbell.accounts.scope import school_scope
from schoolbell.alerts.acknowledgements import ack_rates, confirming_kinds
from schoolbell.alerts.approvals import awaiting_approval
from schoolbell.alerts.listing import list_alerts, modes_of, office_figures
from schoolbell.alerts.models import Alert, AlertClass, AlertStatus
from schoolbell.alerts.progress import Snapshot, is_live, snapshot
from schoolbell.alerts.read_cache import TABLE_COST_FACTOR, shared_reading
from schoolbell.alerts.reports import alert_events
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


def alert_for(user: User, alert_id: int) -> Alert:
    """The alert if this user may see it; 404 otherwise."""
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
    listing = list_alerts(user.office_id, form.wanted(), page=form.page_number(), visible=visible)
    figures = office_figures(user.office_id) if user.role is UserRole.OFFICE else None
    return render_template("console/dashboard.html", user=user, form=form, listing=listing,
                           waiting=awaiting_approval(listing.alerts), office_figures=figures,
                           modes=modes_of([alert.id for alert in listing.alerts]))


@console.app_template_global("dashboard_page_url")
def page_url(page: int) -> str:
    """The dashboard's address for another page, keeping the filters."""
    args = request.args.to_dict()
    args["page"] = page
    return url_for("console.dashboard", **args)


SCHOOL_SORTS = ("school", "total", "delivered", "failed")
# Rows of the per-school tables shown at first: a city-wide alert has 1,400 schools, and the live part
# is sent again every few seconds to everyone watching; the rest is one link away.
SCHOOL_ROWS_SHOWN = 50


def _school_rows(user: User, now: Snapshot, sort: str) -> list[dict]:
    """Per school: messages, delivered, failed and the delivered share, sorted as the reader chose;
    worked out once per reading and order for everyone who sees the same schools."""
    scope = "office" if user.role is UserRole.OFFICE else user.school.code
    rows = now.derived.get(("schools", scope, sort))
    if rows is None:
        rows = now.derived[("schools", scope, sort)] = _sorted_school_rows(user, now.schools, sort)
    return rows


def _sorted_school_rows(user: User, counts: list[dict], sort: str) -> list[dict]:
    rows = [dict(row) for row in counts
            if user.role is UserRole.OFFICE or row["school_code"] == user.school.code]
    for row in rows:
        statuses = row["by_status"]
        row["total"] = sum(n for status, n in statuses.items() if status not in ("skipped", "cancelled"))
        row["delivered"] = statuses.get("delivered", 0)
        row["failed"] = statuses.get("failed", 0) + statuses.get("undelivered", 0)
        row["delivered_share"] = round(100 * row["delivered"] / row["total"], 1) if row["total"] else 0.0
    if sort == "school":
        return sorted(rows, key=lambda row: row["school"])
    return sorted(rows, key=lambda row: (-row[sort], row["school"]))


def _all_schools() -> bool:
    return request.args.get("schools") == "all"


def _shown(rows: list) -> list:
    """The first SCHOOL_ROWS_SHOWN rows, or all of them when the reader asked for all."""
    return rows if _all_schools() else rows[:SCHOOL_ROWS_SHOWN]


def _live_context(user: User, alert: Alert, now=None) -> dict:
    sort = request.args.get("sort", "school")
    sort = sort if sort in SCHOOL_SORTS else "school"
    now = now or snapshot(alert)
    schools = _school_rows(user, now, sort)
    return {"alert": alert, "progress": now.progress, "timeline": now.timeline, "live": is_live(alert),
            "refresh_seconds": now.refresh_seconds, "schools": _shown(schools),
            "schools_total": len(schools), "all_schools": _all_schools(), "sort": sort}


def _live_html(user: User, alert: Alert, now: Snapshot | None = None) -> Markup:
    """The live part, rendered once per reading for everyone who sees the same schools, in the same
    order and language: during a city-wide send it is asked for every few seconds by every watcher."""
    now = now or snapshot(alert)
    context = _live_context(user, alert, now)
    scope = "office" if user.role is UserRole.OFFICE else user.school.code
    key = ("html", scope, context["sort"], context["all_schools"], str(get_locale()))
    html = now.derived.get(key)
    if html is None:
        html = now.derived[key] = Markup(render_template("console/_live.html", **context))
    return html


def _confirmations(user: User, alert: Alert, kinds) -> list[dict]:
    """Confirmation rates per school (per class for teachers), shared like the live figures."""
    office = user.role is UserRole.OFFICE
    scope = ("office", user.office_id) if office else ("school", user.school_id)
    # The read may run in a thread of its own: it loads the alert there and keeps the user's scope
    # as a clause of plain values.
    alert_id, visible = alert.id, school_scope(user)

    def read() -> list[dict]:
        return ack_rates(db.session.get(Alert, alert_id), kinds, by_class=not office, school_filter=visible)

    return shared_reading(("confirmations", alert_id, tuple(kinds), scope), read,
                          cost_factor=TABLE_COST_FACTOR).value


@console.get("/alerts/<int:alert_id>")
@login_required
def alert_detail(alert_id: int):
    """The alert and its send as it happens: progress, pace, charts, schools, confirmations, audit trail."""
    user = current_user()
    alert = alert_for(user, alert_id)
    office = user.role is UserRole.OFFICE
    kinds = confirming_kinds(alert)
    rates = _confirmations(user, alert, kinds)
    now = snapshot(alert)
    # Before sending, office staff see what would go out; the compose blueprint acts on it.
    not_started = alert.status in (AlertStatus.DRAFT, AlertStatus.SCHEDULED)
    return render_template("console/alert.html", user=user, office=office,
                           counts=now.progress if office else None, rates=_shown(rates),
                           rates_total=len(rates), kinds=kinds, timing=timing(alert),
                           audit=alert_events(alert) if office else [],
                           preview=preview_report(alert) if office and not_started else None,
                           live_html=_live_html(user, alert, now), **_live_context(user, alert, now))


@console.get("/alerts/<int:alert_id>/live")
@login_required
def live(alert_id: int):
    """The part of the alert page that follows a send, for the page to refresh itself with."""
    user = current_user()
    alert = alert_for(user, alert_id)
    return _live_html(user, alert)
