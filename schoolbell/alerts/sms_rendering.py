"""The one SMS renderer: what a recipient's SMS says, and how long it is on the route it takes.

The preview, the console's SMS bubble and the dispatcher all build an SMS here, so their figures
agree. `render_sms(alert, language, link)` gives the text handed to the provider (segments are
counted on it, as the provider bills them) and, separately, what a Korean phone shows: the route's
carrier prefix ("[국제발신]", "[Web발신]") in front, which counts toward the CP949 byte limits
(SMS 90, LMS 2,000) but is not sent by us.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from schoolbell.alerts.links import MESSAGE_PREFIX, short_code
from schoolbell.alerts.models import Alert, AlertClass, Delivery
from schoolbell.channels.sms_analysis import SmsAnalysis, analyse_sms
from schoolbell.directory.models import School
from schoolbell.directory.sender_names import sender_for
from schoolbell.extensions import db
from schoolbell.signing import public_url

# Before an office names itself (flask offices sender-name), and for drafts not yet tied to one.
FALLBACK_SENDER = {"ko": "스쿨벨", "en": "SchoolBell"}
# What the carriers of each SMS route put in front of a message on a Korean phone.
ROUTE_CARRIER_PREFIX = {"twilio": "[국제발신]"}


@dataclass(frozen=True)
class CarrierPrefix:
    """The prefix a route's carriers add, the route, and whether a setting or the route chose it."""

    text: str
    route: str
    from_setting: bool


@dataclass(frozen=True)
class SmsRendering:
    """One SMS as sent and as shown: its text, the provider's count, the Korean route's count."""

    language: str
    sender: str  # "[서울시교육청]": the first thing the parent reads
    text: str  # exactly what the provider receives
    sent: SmsAnalysis  # the text as the provider counts (and bills) it
    shown: SmsAnalysis  # the carrier prefix + text, as a Korean phone shows it
    carrier: CarrierPrefix

    @property
    def encoding(self) -> str:
        """GSM-7 or UCS-2."""
        return self.sent.encoding

    @property
    def characters(self) -> int:
        """Length in the encoding's units."""
        return self.sent.characters

    @property
    def segments(self) -> int:
        """Segments the provider sends and bills."""
        return self.sent.segments

    @property
    def cp949_bytes(self) -> int:
        """Bytes a Korean domestic route counts, the carrier prefix included."""
        return self.shown.cp949_bytes

    @property
    def korean_domestic_type(self) -> str:
        """"SMS" (≤ 90 bytes), "LMS" (≤ 2,000) or "too long", the carrier prefix included."""
        return self.shown.korean_domestic_type

    @property
    def unsupported_characters(self) -> list[str]:
        """Characters Korean routes lose (emoji and others outside CP949)."""
        return self.sent.unsupported_characters

    @property
    def shown_text(self) -> str:
        """The SMS as it appears on a Korean phone."""
        return f"{self.carrier.text}\n{self.text}" if self.carrier.text else self.text

    def as_dict(self) -> dict:
        """Plain values for pages, the CLI and JSON."""
        return {"language": self.language, "sender": self.sender, "text": self.text,
                "encoding": self.encoding, "characters": self.characters, "segments": self.segments,
                "cp949_bytes": self.cp949_bytes, "korean_domestic_type": self.korean_domestic_type,
                "unsupported_characters": self.unsupported_characters,
                "carrier_prefix": self.carrier.text, "route": self.carrier.route,
                "carrier_prefix_from_setting": self.carrier.from_setting, "shown_text": self.shown_text}


def carrier_prefix() -> CarrierPrefix:
    """The prefix the configured SMS route's carriers add: SMS_CARRIER_PREFIX, else the route's own."""
    config = current_app.config
    route = str(config.get("SMS_BACKEND", "file"))
    setting = config.get("SMS_CARRIER_PREFIX")
    if setting is not None:
        text = "" if setting.strip().lower() in ("", "none", "off") else setting.strip()
        return CarrierPrefix(text, route, True)
    return CarrierPrefix(ROUTE_CARRIER_PREFIX.get(route, ""), route, False)


def sender_name(alert: Alert, language: str) -> str:
    """Who the parent knows as the sender: the school for a class lesson, else the office's SMS name."""
    if alert.alert_class is AlertClass.CURRICULUM and len((alert.target or {}).get("school_ids") or ()) == 1:
        school = db.session.get(School, alert.target["school_ids"][0])
        if school is not None:
            return (school.name_en if language == "en" and school.name_en else school.name_ko)
    office = alert.office
    return sender_for(office, language) if office is not None else FALLBACK_SENDER[language]


def sms_head(alert: Alert, language: str) -> str:
    """Everything before the personal link, the same for everyone in a language: "[sender] title",
    then the body (a lesson's SMS stays short: the title, then the link)."""
    title, body, _fell_back = alert.text(language)
    head = f"[{sender_name(alert, language)}] {title}"
    return head if alert.alert_class is AlertClass.CURRICULUM else f"{head}\n{body}"


def sms_body(head: str, link: str) -> str:
    """The SMS text: the head, then the personal link on its own line."""
    return f"{head}\n{link}"


def preview_link() -> str:
    """A link as long as the next delivery's will be (its id's length decides the code's)."""
    next_id = (db.session.scalar(select(func.max(Delivery.id))) or 0) + 1
    return public_url(MESSAGE_PREFIX + short_code(next_id))


def analyse_rendered(text: str, language: str, sender: str, carrier: CarrierPrefix) -> SmsRendering:
    """Count a finished SMS text on the route (for texts already built, e.g. from an outbox)."""
    shown = analyse_sms(text, prefix=f"{carrier.text}\n" if carrier.text else "")
    return SmsRendering(language=language, sender=sender, text=text, sent=analyse_sms(text), shown=shown,
                        carrier=carrier)


def render_sms(alert: Alert, language: str, link: str | None = None) -> SmsRendering:
    """The SMS of an alert in a language with a link (a link of the right length when None)."""
    text = sms_body(sms_head(alert, language), link or preview_link())
    return analyse_rendered(text, language, f"[{sender_name(alert, language)}]", carrier_prefix())


def render_draft_sms(office, alert_class: str, language: str, title: str, body: str,
                     target: dict | None = None) -> SmsRendering:
    """The SMS of a text still being written (nothing stored), for live counters and bubbles."""
    known = alert_class if alert_class in AlertClass._value2member_map_ else AlertClass.ROUTINE.value
    draft = Alert(alert_class=AlertClass(known), office=office, target=target or {},
                  **{f"title_{language}": title, f"body_{language}": body})
    try:
        return render_sms(draft, language)
    finally:
        if draft in db.session:  # never let a preview become a row
            db.session.expunge(draft)
