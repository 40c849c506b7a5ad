"""What an author sees before sending: people, messages, SMS length, unreachable people, timing."""

from __future__ import annotations

from datetime import datetime

from schoolbell import timeutil
from schoolbell.alerts.fanout import preview, unreachable_people, unreachable_reason
from schoolbell.alerts.models import Alert, AlertStatus
from schoolbell.alerts.services import (
    REACHES_NOBODY,
    alert_warnings,
    draft_of,
    missing_languages,
    quiet_due,
)
from schoolbell.alerts.sms_preview import sms_report
from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.timeutil import seoul


def kst(moment: datetime | None) -> str | None:
    """A moment as Seoul wall time, e.g. "2026-11-24 09:00 KST"."""
    return f"{seoul(moment):%Y-%m-%d %H:%M} KST" if moment else None


def timing(alert: Alert) -> dict:
    """When the alert goes (UTC and Seoul) and how quiet hours hold it back."""
    send_at, deferred = alert.send_at, alert.deferred_until
    result = {"send_at": send_at.isoformat() if send_at else None, "send_at_seoul": kst(send_at),
              "deferred_until": deferred.isoformat() if deferred else None,
              "deferred_until_seoul": kst(deferred), "quiet_hours_wait_until_seoul": None}
    if alert.status in (AlertStatus.DRAFT, AlertStatus.SCHEDULED):
        moment = send_at if send_at and alert.status is AlertStatus.SCHEDULED else timeutil.utcnow()
        waits = quiet_due(alert, moment)
        result["quiet_hours_wait_until_seoul"] = kst(waits) if waits > moment else None
    return result


def unreachable_codes(contact) -> list[dict]:
    """Why a person cannot be reached, as codes a page words in its reader's language: per channel,
    "missing", "blocked" (with the provider's reason) or "opted_out"."""
    if not contact.phone and not contact.email:
        return [{"channel": None, "why": "missing"}]
    found = []
    for channel, address, consent, blocked in (
            ("sms", contact.phone, contact.sms_consent, contact.sms_blocked_reason),
            ("email", contact.email, contact.email_consent, contact.email_blocked_reason)):
        if not address:
            found.append({"channel": channel, "why": "missing"})
        elif blocked:
            found.append({"channel": channel, "why": "blocked", "detail": blocked})
        elif not consent:
            found.append({"channel": channel, "why": "opted_out"})
    return found


def preview_report(alert: Alert, show_unreachable: int = 10) -> dict:
    """Distinct people, messages per channel, SMS analysis, warnings, timing, and the first
    `show_unreachable` people no channel reaches (masked, with the reason)."""
    counts = preview(alert)
    listed = [{"contact_id": c.id, "phone": mask_phone(c.phone) if c.phone else None,
               "email": mask_email(c.email) if c.email else None, "reason": unreachable_reason(c),
               "reasons": unreachable_codes(c)}
              for c in unreachable_people(alert, limit=show_unreachable)]
    return {"alert_id": alert.id, "class": alert.alert_class.value, "people": counts.people,
            "messages": {"sms": counts.sms, "email": counts.email, "total": counts.messages},
            "unreachable": counts.unreachable, "unreachable_listed": listed,
            "sms_analysis": sms_report(alert, counts.sms), "warnings": alert_warnings(alert),
            "missing_languages": missing_languages(draft_of(alert)),
            "reaches_nobody": REACHES_NOBODY if counts.messages == 0 else None,
            **timing(alert)}
