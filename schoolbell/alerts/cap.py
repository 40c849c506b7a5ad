"""CAP 1.2 (OASIS Common Alerting Protocol): an alert as a CAP message, and a CAP message as a draft."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree
from sqlalchemy import select

from schoolbell.alerts.audience import EXERCISE, TEST, mode_of
from schoolbell.alerts.links import is_web_link
from schoolbell.alerts.models import Alert, AlertClass, AlertEvent
from schoolbell.alerts.services import AlertDraft
from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db
from schoolbell.timeutil import seoul

NS = "urn:oasis:names:tc:emergency:cap:1.2"
LANGUAGES = {"ko": "ko-KR", "en": "en-US"}
# Which audit records start a new CAP message about the same alert, and as what msgType.
VERSIONS = {"created": "Alert", "edited": "Update", "scheduled": "Update", "rescheduled": "Update",
            "cancelled": "Cancel"}
URGENCY = {AlertClass.EMERGENCY: ("Immediate", "Severe", "Observed"),
           AlertClass.URGENT: ("Expected", "Moderate", "Likely"),
           AlertClass.ROUTINE: ("Future", "Minor", "Likely"),
           AlertClass.CURRICULUM: ("Future", "Minor", "Possible")}
MAX_IMPORT_BYTES = 1_000_000


class CapError(ValueError):
    """A CAP message that cannot be read as an alert; the message says what is wrong."""


def cap_time(moment: datetime) -> str:
    """A CAP time: Seoul wall time with +09:00, whole seconds (CAP forbids "Z")."""
    return seoul(moment).replace(microsecond=0).isoformat()


def sender_of(office: EducationOffice, host: str) -> str:
    """The office as CAP sender, e.g. B10@schoolbell.example.kr (no spaces, commas or < &)."""
    return f"{office.code}@{host}"


@dataclass(frozen=True)
class CapVersion:
    """One CAP message about an alert: its identifier, time and kind."""

    identifier: str
    sent: datetime
    msg_type: str


def versions(alert: Alert) -> list[CapVersion]:
    """Every CAP message the alert has had, oldest first: created, then each edit or (re)schedule, cancel."""
    office_code = alert.office.code
    events = db.session.execute(select(AlertEvent.id, AlertEvent.action, AlertEvent.at)
                                .where(AlertEvent.alert_id == alert.id,
                                       AlertEvent.action.in_(list(VERSIONS)))
                                .order_by(AlertEvent.id)).all()
    found = [CapVersion(f"urn:schoolbell:{office_code}:alert:{alert.id}:{event_id}", at, VERSIONS[action])
             for event_id, action, at in events]
    if not found or found[0].msg_type != "Alert":
        found.insert(0, CapVersion(f"urn:schoolbell:{office_code}:alert:{alert.id}:0", alert.created_at,
                                   "Alert"))
    return found


def _add(parent, name: str, text: str | None):
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def build_cap(alert: Alert, host: str, alert_url: str | None = None, exercise: bool = False) -> bytes:
    """The alert's latest CAP message: one <info> per language, references to the earlier messages."""
    history = versions(alert)
    current, earlier = history[-1], history[:-1]
    sender = sender_of(alert.office, host)
    root = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    _add(root, "identifier", current.identifier)
    _add(root, "sender", sender)
    _add(root, "sent", cap_time(current.sent))
    _add(root, "status", cap_status(alert, exercise))
    _add(root, "msgType", current.msg_type)
    _add(root, "scope", "Public")
    if mode_of(alert.id) == TEST:
        _add(root, "note", "Sent with a test API key: nothing was delivered to anyone.")
    if earlier:
        _add(root, "references", " ".join(f"{sender},{v.identifier},{cap_time(v.sent)}" for v in earlier))
    urgency, severity, certainty = URGENCY[AlertClass(alert.alert_class)]
    for language, cap_language in LANGUAGES.items():
        title, body = getattr(alert, f"title_{language}"), getattr(alert, f"body_{language}")
        if not (title and body):
            continue
        info = _add(root, "info", None)
        _add(info, "language", cap_language)
        _add(info, "category", "Safety")
        _add(info, "event", title)
        _add(info, "urgency", urgency)
        _add(info, "severity", severity)
        _add(info, "certainty", certainty)
        if alert.send_at:
            _add(info, "effective", cap_time(alert.send_at))
        _add(info, "senderName", alert.office.name)
        _add(info, "headline", title)
        _add(info, "description", body)
        web = alert.link_url or alert_url
        if web:
            _add(info, "web", web)
        area = _add(info, "area", None)
        _add(area, "areaDesc", alert.office.name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def cap_status(alert: Alert, exercise: bool = False) -> str:
    """Actual, or Exercise for a drill or an alert made with a test key (nobody is really warned)."""
    return "Exercise" if exercise or mode_of(alert.id) in (TEST, EXERCISE) else "Actual"


def host_of(base_url: str) -> str:
    """The host of PUBLIC_BASE_URL, for the CAP sender."""
    return urlsplit(base_url or "").hostname or "schoolbell.invalid"


def _parse(data: bytes):
    if len(data) > MAX_IMPORT_BYTES:
        raise CapError(f"a CAP message of at most {MAX_IMPORT_BYTES:,} bytes, got {len(data):,}")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise CapError(f"not well-formed XML: {error}") from error
    if root.tag != f"{{{NS}}}alert":
        raise CapError(f"not a CAP 1.2 message: the root element is {root.tag!r}, expected alert in {NS}")
    return root


def _text(element, name: str) -> str:
    found = element.find(f"{{{NS}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def alert_class_for(urgency: str, severity: str) -> str:
    """Our class for a CAP message's urgency and severity."""
    if severity in ("Extreme", "Severe") and urgency == "Immediate":
        return AlertClass.EMERGENCY.value
    if severity in ("Extreme", "Severe", "Moderate") or urgency in ("Immediate", "Expected"):
        return AlertClass.URGENT.value
    return AlertClass.ROUTINE.value


def draft_from_cap(data: bytes) -> tuple[AlertDraft, dict]:
    """A draft alert (class, Korean and English texts, link) from a CAP message, and where it came from.

    The target is left empty for the author to choose: a CAP area does not name schools.
    """
    root = _parse(data)
    infos = root.findall(f"{{{NS}}}info")
    if not infos:
        raise CapError("the CAP message has no <info>: there is no text to make an alert of")
    texts: dict[str, tuple[str, str]] = {}
    link, urgency, severity = "", "", ""
    for info in infos:
        language = (_text(info, "language") or "en-US").lower()
        ours = "ko" if language.startswith("ko") else "en" if language.startswith("en") else None
        if ours is None or ours in texts:
            continue
        title = _text(info, "headline") or _text(info, "event")
        body = "\n\n".join(part for part in (_text(info, "description"), _text(info, "instruction")) if part)
        texts[ours] = (title[:200], body or title)
        link = link or (_text(info, "web") if is_web_link(_text(info, "web")) else "")
        urgency, severity = urgency or _text(info, "urgency"), severity or _text(info, "severity")
    if not texts:
        raise CapError("the CAP message has no <info> in Korean or English (language ko-* or en-*)")
    title_ko, body_ko = texts.get("ko", ("", ""))
    title_en, body_en = texts.get("en", ("", ""))
    draft = AlertDraft(alert_class=alert_class_for(urgency, severity), title_ko=title_ko, body_ko=body_ko,
                       title_en=title_en, body_en=body_en, link_url=link[:500])
    origin = {"identifier": _text(root, "identifier")[:200], "sender": _text(root, "sender")[:200],
              "sent": _text(root, "sent")[:40], "status": _text(root, "status")[:20],
              "msgType": _text(root, "msgType")[:20]}
    return draft, origin


def import_cap(office: EducationOffice, data: bytes, actor: str) -> Alert:
    """Store a CAP message from another system as a draft alert of the office (target: to be chosen)."""
    from schoolbell.alerts.services import create_alert, record

    draft, origin = draft_from_cap(data)
    alert = create_alert(office, draft, actor)
    record(alert, "imported", actor, {"cap": origin})
    return alert
