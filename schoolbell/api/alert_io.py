"""Alerts in and out of the API: school codes ↔ ids in targets, the alert as JSON, the office's alert."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from schoolbell.alerts.audience import mode_of
from schoolbell.alerts.models import Alert
from schoolbell.alerts.services import AlertDraft, alert_warnings
from schoolbell.api.framework import current_office_id
from schoolbell.api.problems import ApiProblem
from schoolbell.directory.models import School
from schoolbell.extensions import db
from schoolbell.timeutil import seoul


def iso_seoul(moment) -> str | None:
    """A stored moment as ISO 8601 in Seoul time (+09:00)."""
    return seoul(moment).isoformat(timespec="seconds") if moment else None


def office_alert(alert_id: int, for_update: bool = False) -> Alert:
    """The caller's office's alert, or a 404 problem (another office's alert is not said to exist)."""
    query = select(Alert).where(Alert.id == alert_id, Alert.office_id == current_office_id())
    alert = db.session.scalar(query.with_for_update() if for_update else query)
    if alert is None:
        raise ApiProblem(404, f"your office has no alert {alert_id}")
    return alert


def draft_from(data: dict) -> AlertDraft:
    """A domain draft from validated API input; school codes become the office's school ids."""
    target = dict(data.get("target") or {})
    codes = target.pop("school_codes", None) or []
    if codes:
        found = dict(db.session.execute(select(School.code, School.id).where(
            School.code.in_(codes), School.office_id == current_office_id())).all())
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ApiProblem(422, "the target names schools your office does not have",
                             [{"field": "body.target.school_codes",
                               "message": f"unknown school code {code!r}"} for code in unknown[:20]])
        target["school_ids"] = sorted(set(found.values()))
    target = {key: value for key, value in target.items() if value}
    return AlertDraft(alert_class=data["alert_class"], title_ko=data["title_ko"], body_ko=data["body_ko"],
                      title_en=data["title_en"], body_en=data["body_en"], link_url=data["link_url"],
                      lesson_slug=data["lesson_slug"], target=target)


def target_out(target: dict) -> dict:
    """A stored target with school ids shown as codes."""
    shown = {key: value for key, value in (target or {}).items() if key != "school_ids"}
    ids = (target or {}).get("school_ids") or []
    if ids:
        shown["school_codes"] = sorted(db.session.scalars(select(School.code).where(School.id.in_(ids))))
    return shown


def alert_out(alert: Alert) -> dict:
    """An alert as the API shows it, with links to what a client does next."""
    links = {name: url_for(endpoint, alert_id=alert.id) for name, endpoint in (
        ("self", "api_alerts.get_alert"), ("preview", "api_alerts.preview_alert"),
        ("send", "api_alerts.send"), ("schedule", "api_alerts.schedule"),
        ("cancel", "api_alerts.cancel"), ("status", "api_alert_status.alert_status"),
        ("deliveries", "api_alert_status.deliveries"), ("cap", "api_cap.alert_cap"))}
    return {"id": alert.id, "alert_class": alert.alert_class.value, "status": alert.status.value,
            "mode": mode_of(alert.id) or "live",
            "title_ko": alert.title_ko, "body_ko": alert.body_ko, "title_en": alert.title_en,
            "body_en": alert.body_en, "link_url": alert.link_url, "lesson_slug": alert.lesson_slug,
            "target": target_out(alert.target), "created_at": iso_seoul(alert.created_at),
            "send_at": iso_seoul(alert.send_at), "cancelled_at": iso_seoul(alert.cancelled_at),
            "warnings": alert_warnings(alert), "links": links}
