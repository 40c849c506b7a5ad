"""/api/v1/alerts: create, list, get, preview, send, schedule and cancel an office's alerts."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from schoolbell.alerts.audience import EXERCISE, TEAM, TEST, drill_texts, mode_of, restrict
from schoolbell.alerts.dry_run import dry_run_send
from schoolbell.alerts.models import Alert
from schoolbell.alerts.services import AlertError, cancel_alert, create_alert, schedule_alert, send_alert
from schoolbell.alerts.summary import preview_report, timing
from schoolbell.alerts.targeting import TargetError
from schoolbell.api.alert_io import alert_out, draft_from, office_alert
from schoolbell.api.auth import current_key
from schoolbell.api.framework import api_blueprint, current_office_id
from schoolbell.api.models import KeyKind
from schoolbell.api.pagination import page
from schoolbell.api.problems import ApiProblem
from schoolbell.api.schemas import (
    ActionOut,
    AlertIn,
    AlertListArgs,
    AlertOut,
    AlertPage,
    PreviewOut,
    ScheduleIn,
)
from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db

blp = api_blueprint("api_alerts", __name__, "/api/v1/alerts", "Alerts: create, preview, send, follow")

DELIVERS_TO = {"live": "everyone the alert targets",
               TEAM: "only the office's own staff (people whose phone or email is a console user's)",
               EXERCISE: "the office's test group only (its staff): this alert is a drill",
               TEST: "nobody: a test key sends nothing"}


def actor() -> str:
    """How the audit trail names an API caller: the key's name and public prefix."""
    key = current_key()
    return f"api:{key.name[:60]}:{key.prefix}"


def key_mode() -> str | None:
    """The restriction the calling key puts on alerts it touches."""
    return {KeyKind.TEAM: TEAM, KeyKind.TEST: TEST}.get(current_key().kind)


def _refused(error: Exception, field: str = "body") -> ApiProblem:
    return ApiProblem(422, str(error), [{"field": field, "message": str(error)}])


@blp.route("", methods=["POST"])
@blp.arguments(AlertIn)
@blp.response(201, AlertOut)
def create(data):
    """Create a draft alert; a team or test key's alert stays team or test for good."""
    office = db.session.get(EducationOffice, current_office_id())
    draft = draft_from(data)
    if data["exercise"]:
        title_ko, title_en = drill_texts(draft.title_ko, draft.title_en)
        draft = replace(draft, title_ko=title_ko, title_en=title_en)
    try:
        alert = create_alert(office, draft, actor())
    except (AlertError, TargetError) as error:
        db.session.rollback()
        raise _refused(error) from error
    if data["exercise"]:
        restrict(alert.id, EXERCISE, current_key().id)
    restrict(alert.id, key_mode(), current_key().id)
    db.session.commit()
    return alert_out(alert), 201, {"Location": f"/api/v1/alerts/{alert.id}"}


@blp.route("")
@blp.arguments(AlertListArgs, location="query", as_kwargs=True)
@blp.response(200, AlertPage)
def list_alerts(**args):
    """The office's alerts, oldest first; filter by status."""
    query = select(Alert).where(Alert.office_id == current_office_id())
    if args.get("status"):
        query = query.where(Alert.status == args["status"])
    rows, next_cursor = page(query, Alert.id, args)
    return {"items": [alert_out(row) for row in rows], "next_cursor": next_cursor}


@blp.route("/<int:alert_id>")
@blp.response(200, AlertOut)
def get_alert(alert_id: int):
    """One alert of the office."""
    return alert_out(office_alert(alert_id))


@blp.route("/<int:alert_id>/preview")
@blp.response(200, PreviewOut)
def preview_alert(alert_id: int):
    """What sending would do, creating nothing: people, messages per channel, SMS length, gaps."""
    alert = office_alert(alert_id)
    report = preview_report(alert)
    timing_keys = set(timing(alert))
    report["timing"] = {key: report.pop(key) for key in list(report) if key in timing_keys}
    report.pop("class", None)
    report["delivers_to"] = DELIVERS_TO[_strictest(mode_of(alert.id), key_mode()) or "live"]
    return report


def _strictest(*modes: str | None) -> str | None:
    order = [TEST, EXERCISE, TEAM]
    return next((mode for mode in order if mode in modes), None)


@blp.route("/<int:alert_id>/send", methods=["POST"])
@blp.response(202, ActionOut)
def send(alert_id: int):
    """Send now: the messages are made at once and go out as the dispatcher works through them."""
    alert = office_alert(alert_id)
    mode = restrict(alert.id, key_mode(), current_key().id)
    db.session.commit()
    try:
        if mode == TEST:
            would = dry_run_send(alert, actor())
            return {"alert": alert_out(alert), "deliveries": 0,
                    "message": f"test key: nothing was sent; a live key would have sent {would['messages']} "
                               f"messages to {would['people']} people"}
        created = send_alert(alert, actor())
    except AlertError as error:
        db.session.rollback()
        raise ApiProblem(409 if "only a draft" in str(error) else 422, str(error)) from error
    return {"alert": alert_out(alert), "deliveries": created,
            "message": f"{created} messages are on their way to {DELIVERS_TO[mode or 'live']}"}


@blp.route("/<int:alert_id>/schedule", methods=["POST"])
@blp.arguments(ScheduleIn)
@blp.response(200, ActionOut)
def schedule(data, alert_id: int):
    """Send at a time (ISO 8601 with an offset); call again to move it until sending starts."""
    alert = office_alert(alert_id)
    restrict(alert.id, key_mode(), current_key().id)
    db.session.commit()
    try:
        schedule_alert(alert, data["send_at"], actor())
    except AlertError as error:
        db.session.rollback()
        status = 409 if "before sending starts" in str(error) else 422
        raise ApiProblem(status, str(error), [{"field": "body.send_at", "message": str(error)}]) from error
    return {"alert": alert_out(alert), "deliveries": None,
            "message": f"scheduled for {alert_out(alert)['send_at']}"}


@blp.route("/<int:alert_id>/cancel", methods=["POST"])
@blp.response(200, ActionOut)
def cancel(alert_id: int):
    """Cancel a scheduled alert, or stop what of a send has not gone yet."""
    alert = office_alert(alert_id)
    try:
        cancelled = cancel_alert(alert, actor())
    except AlertError as error:
        db.session.rollback()
        raise ApiProblem(409, str(error)) from error
    return {"alert": alert_out(alert), "deliveries": cancelled,
            "message": f"cancelled; {cancelled} messages not yet sent were stopped"}
