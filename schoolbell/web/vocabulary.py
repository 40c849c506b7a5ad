"""The words pages show for the product's values (statuses, kinds, levels, roles), in both languages."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from schoolbell import timeutil

# Keyed by value, not by enum class: several enums share a value ("sent", "cancelled", "teacher") and
# mean the same to a reader.
LABELS = {
    # Alert classes: "class" here is a kind of alert, never a homeroom class (반).
    "emergency": _l("Emergency"), "urgent": _l("Urgent"), "routine": _l("General"),
    "curriculum": _l("Lesson"),
    # Alert and delivery statuses.
    "draft": _l("Draft"), "scheduled": _l("Scheduled"), "awaiting_approval": _l("Awaiting approval"),
    "sending": _l("Sending"), "sent": _l("Sent"), "cancelled": _l("Cancelled"), "pending": _l("Waiting"),
    "delivered": _l("Delivered"), "undelivered": _l("Not delivered"), "failed": _l("Failed"),
    "skipped": _l("Skipped"),
    # Channels.
    "sms": _l("SMS"), "email": _l("Email"),
    # School levels.
    "elementary": _l("Elementary school"), "middle": _l("Middle school"), "high": _l("High school"),
    "special": _l("Special school"), "other": _l("Other school"),
    # Roles of people and of console users.
    "guardian": _l("Parent or guardian"), "teacher": _l("Teacher"), "student": _l("Pupil"),
    "staff": _l("School staff"), "office": _l("Office staff"), "school_admin": _l("School administrator"),
    # What was done to an alert (its audit trail).
    "created": _l("Created"), "edited": _l("Edited"), "rescheduled": _l("Rescheduled"),
    "resent": _l("Resent"), "approved": _l("Approved"), "approval_requested": _l("Approval requested"),
    "test_sent": _l("Test sent"), "unscheduled": _l("Taken off the schedule"),
    # Kinds of API key (as GOV.UK Notify's).
    "live": _l("Live"), "team": _l("Team"), "test": _l("Test"), "exercise": _l("Drill"),
}

# What a badge looks like for each status (KRDS badge colours).
TONES = {"emergency": "danger", "urgent": "warning", "routine": "information", "curriculum": "success",
         "failed": "danger", "undelivered": "danger", "delivered": "success", "sent": "information",
         "sending": "information", "pending": "secondary", "scheduled": "secondary", "draft": "secondary",
         "cancelled": "secondary", "skipped": "secondary", "awaiting_approval": "warning"}


def label(value) -> str:
    """The reader's word for one of the product's values; an unknown value is shown as it is."""
    key = value.value if isinstance(value, enum.Enum) else str(value)
    return str(LABELS.get(key, key))


def tone(value) -> str:
    """The KRDS badge colour for a value."""
    key = value.value if isinstance(value, enum.Enum) else str(value)
    return TONES.get(key, "secondary")


def when(moment: datetime | None) -> str:
    """A moment in Seoul time as each language writes it: 2026년 12월 1일 (화) 오후 3:05."""
    if moment is None:
        return ""
    local = timeutil.seoul(moment)
    pattern = "y년 M월 d일 (E) aaaa h:mm" if str(get_locale()) == "ko" else "EEE d MMM y, h:mm a"
    return format_datetime(local.replace(tzinfo=None), pattern, rebase=False)


def day(value: date | datetime | None) -> str:
    """A date as each language writes it: 2026년 12월 1일 (화) / Tue 1 Dec 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timeutil.seoul(value).date()
    return format_date(value, "y년 M월 d일 (E)" if str(get_locale()) == "ko" else "EEE d MMM y")


def number(value) -> str:
    """A count with thousands separators."""
    return f"{value:,}" if isinstance(value, int) else str(value)


def init_app(app: Flask) -> None:
    """Make the words and formats available to every template."""
    app.jinja_env.filters.update(label=label, tone=tone, when=when, day=day, number=number)
