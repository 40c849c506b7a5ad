"""An office's public alerts, and its Atom feed of them (texts and times only, never personal data)."""

from __future__ import annotations

from lxml import etree
from sqlalchemy import select

from schoolbell.alerts.audience import AlertApiMode
from schoolbell.alerts.cap import cap_time, versions
from schoolbell.alerts.models import Alert, AlertClass, AlertStatus
from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
PUBLIC_CLASSES = (AlertClass.EMERGENCY, AlertClass.URGENT, AlertClass.ROUTINE)
GONE_OUT = (AlertStatus.SENDING, AlertStatus.SENT, AlertStatus.CANCELLED)


def public_alerts_query(office_id: int):
    """Alerts the public may see: live (not team or test), gone out, not a class's lesson."""
    return (select(Alert).where(Alert.office_id == office_id, Alert.fanned_out_at.is_not(None),
                                Alert.alert_class.in_(PUBLIC_CLASSES),
                                Alert.status.in_(GONE_OUT),
                                ~Alert.id.in_(select(AlertApiMode.alert_id))))


def is_public(alert: Alert) -> bool:
    """Whether the alert is in its office's public feed."""
    target = alert.target or {}
    return (not target.get("classes")
            and db.session.scalar(public_alerts_query(alert.office_id).where(Alert.id == alert.id))
            is not None)


def public_alerts(office: EducationOffice) -> list[Alert]:
    """The office's latest public alerts, newest first (notices to single classes are left out)."""
    rows = db.session.scalars(public_alerts_query(office.id).order_by(Alert.id.desc()).limit(FEED_SIZE * 2))
    return [alert for alert in rows if not (alert.target or {}).get("classes")][:FEED_SIZE]


def _add(parent, name: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, f"{{{ATOM}}}{name}", **attributes)
    if text is not None:
        element.text = text
    return element


def atom_feed(office: EducationOffice, feed_url: str, cap_url_for) -> bytes:
    """The Atom feed; each entry links to its CAP message (`cap_url_for(alert)`)."""
    alerts = public_alerts(office)
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _add(root, "id", f"urn:schoolbell:{office.code}:alerts")
    _add(root, "title", f"{office.name} — SchoolBell")
    _add(root, "link", rel="self", href=feed_url, type="application/atom+xml")
    latest = [versions(alert)[-1] for alert in alerts]
    updated = max((version.sent for version in latest), default=None)
    _add(root, "updated", cap_time(updated) if updated else "1970-01-01T09:00:00+09:00")
    author = _add(root, "author")
    _add(author, "name", office.name)
    for alert, version in zip(alerts, latest, strict=True):
        entry = _add(root, "entry")
        _add(entry, "id", version.identifier)
        title = alert.title_ko or alert.title_en or ""
        if alert.status is AlertStatus.CANCELLED:
            title = f"[취소 Cancelled] {title}"
        _add(entry, "title", title)
        _add(entry, "updated", cap_time(version.sent))
        _add(entry, "summary", alert.body_ko or alert.body_en or "")
        _add(entry, "category", term=alert.alert_class.value)
        _add(entry, "link", rel="alternate", href=cap_url_for(alert), type="application/cap+xml")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
