"""What every page's frame needs: the operator's identifier, the critical-alert banner, and error pages."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from schoolbell import timeutil
from schoolbell.alerts.models import Alert, AlertClass, AlertStatus
from schoolbell.extensions import db

# An emergency stays on the console's banner this long after it went out.
BANNER_HOURS = 24
ERROR_PAGES = {400, 403, 404, 405, 413, 429, 500}


def operator_name() -> str:
    """The office that runs this deployment, in the reader's language."""
    key = "SITE_OPERATOR_KO" if str(get_locale()) == "ko" else "SITE_OPERATOR_EN"
    return current_app.config.get(key) or current_app.config.get("SITE_OPERATOR_KO", "")


def critical_alerts() -> list[Alert]:
    """The signed-in user's office emergencies going out now or in the last day (for the banner)."""
    from schoolbell.accounts.auth import current_user

    if not request.path.startswith("/console") or request.endpoint is None:
        return []
    user = current_user()
    if user is None:
        return []
    since = timeutil.utcnow() - timedelta(hours=BANNER_HOURS)
    return list(db.session.scalars(
        select(Alert).where(Alert.office_id == user.office_id, Alert.alert_class == AlertClass.EMERGENCY,
                            Alert.status.in_((AlertStatus.SENDING, AlertStatus.SENT)),
                            Alert.fanned_out_at >= since)
        .order_by(Alert.id.desc()).limit(3)))


# The console's sections: (endpoint, words, roles that see it); the first whose URL prefix the page's
# path starts with is marked current.
CONSOLE_MENU = (
    ("console.dashboard", _l("Alerts"), ("office", "school_admin", "teacher")),
    ("assign.assignments", _l("Lessons for my classes"), ("teacher",)),
    ("directory.schools", _l("Schools and people"), ("office", "school_admin", "teacher")),
    ("staff.index", _l("Staff accounts"), ("office", "school_admin")),
    ("imports.new", _l("Import"), ("office", "school_admin")),
    ("directory.audit", _l("Personal-data log"), ("office",)),
    ("integrations.index", _l("API keys and webhooks"), ("office",)),
)


def console_menu() -> list[dict]:
    """The signed-in user's console sections, with the current one marked; empty outside the console."""
    from schoolbell.accounts.auth import current_user

    if not request.path.startswith("/console") or request.endpoint is None:
        return []
    user = current_user()
    if user is None:
        return []
    items = []
    for endpoint, words, roles in CONSOLE_MENU:
        if user.role.value not in roles or endpoint not in current_app.view_functions:
            continue
        items.append({"url": url_for(endpoint), "words": str(words), "endpoint": endpoint})
    current = max((item for item in items if request.path.startswith(item["url"])),
                  key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["current"] = item is current
    return items


def _frame() -> dict:
    return {"operator_name": operator_name, "critical_alerts": critical_alerts, "console_menu": console_menu}


def _error_page(error: HTTPException | Exception):
    code = error.code if isinstance(error, HTTPException) and error.code in ERROR_PAGES else 500
    if request.path.startswith("/api/"):
        return error  # the JSON API answers in its own format
    return render_template("error.html", code=code, show_banner=False), code


def init_app(app: Flask) -> None:
    """Give templates the frame and make the errors a reader can meet pages in their language."""
    app.context_processor(_frame)
    for code in ERROR_PAGES:
        app.register_error_handler(code, _error_page)
