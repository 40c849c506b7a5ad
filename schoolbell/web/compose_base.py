"""The compose blueprint and what its pages share: only office staff, only their office's alerts."""

from __future__ import annotations

from flask import Blueprint, abort
from markupsafe import Markup, escape

from schoolbell.accounts.auth import current_user
from schoolbell.accounts.models import User, UserRole
from schoolbell.alerts.models import Alert
from schoolbell.alerts.sms_replacements import fits_cp949
from schoolbell.extensions import db

compose = Blueprint("compose", __name__, url_prefix="/console/alerts")


def office_user() -> User:
    """The signed-in office user; anyone else gets a 404 (teachers assign lessons, they do not broadcast)."""
    user = current_user()
    if user.role is not UserRole.OFFICE:
        abort(404)
    return user


def own_alert(user: User, alert_id: int) -> Alert:
    """One of the user's office's alerts, or a 404."""
    alert = db.session.get(Alert, alert_id)
    if alert is None or alert.office_id != user.office_id:
        abort(404)
    return alert


@compose.app_template_global("field_aria")
def field_aria(field, extra: dict | None = None) -> dict:
    """Attributes that tie a field to its error message for screen readers (plus `extra` ones)."""
    tied = {"aria-describedby": f"{field.id}-error", "aria-invalid": "true"} if field.errors else {}
    return {**(extra or {}), **tied}


@compose.app_template_filter("mark_lost")
def mark_lost(text: str) -> Markup:
    """The text with each character Korean routes lose wrapped in <mark>, the rest escaped."""
    return Markup("").join(escape(ch) if fits_cp949(ch) else Markup("<mark>%s</mark>") % ch for ch in text)
