"""How long an alert's SMS may be: refused over one LMS or the segment cap, confirmed above a warning.

Counted on the one renderer (sms_rendering.render_sms), so the limits, the preview, the console's
bubble and what the dispatcher sends agree: segments as the provider bills the text, CP949 bytes as a
Korean phone shows it (the carrier's prefix included).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from schoolbell.alerts.models import Alert, AlertClass
from schoolbell.alerts.sms_rendering import SmsRendering, render_sms
from schoolbell.alerts.sms_replacements import replacement_for
from schoolbell.channels.sms_analysis import KOREAN_LMS_BYTES
from schoolbell.directory.models import EducationOffice

OK, CONFIRM, REFUSE = "ok", "confirm", "refuse"
DEFAULT_CAP, DEFAULT_WARN = 10, 4


@dataclass(frozen=True)
class SmsCheck:
    """One language's SMS as it will go, and whether it may: ok, confirm (long) or refuse."""

    language: str
    rendering: SmsRendering
    level: str
    cap: int
    warn: int

    @property
    def segments(self) -> int:
        """Segments the provider sends and bills, per person."""
        return self.rendering.segments

    @property
    def cp949_bytes(self) -> int:
        """Bytes on a Korean domestic route, the carrier's prefix included."""
        return self.rendering.cp949_bytes

    @property
    def over_lms(self) -> bool:
        """More CP949 bytes than one LMS carries."""
        return self.cp949_bytes > KOREAN_LMS_BYTES

    @property
    def over_cap(self) -> bool:
        """More segments than the deployment allows per message."""
        return self.segments > self.cap

    def as_dict(self) -> dict:
        """Plain values for the browser's live counters (one source of truth: this module)."""
        rendering = self.rendering
        return {"language": self.language, "encoding": rendering.encoding, "characters": rendering.characters,
                "segments": self.segments, "cp949_bytes": self.cp949_bytes, "lms_bytes": KOREAN_LMS_BYTES,
                "korean_domestic_type": rendering.korean_domestic_type,
                "unsupported": [{"character": ch, "code": f"U+{ord(ch):04X}",
                                 "replacement": replacement_for(ch)}
                                for ch in rendering.unsupported_characters],
                "level": self.level, "cap": self.cap, "warn": self.warn,
                "over_lms": self.over_lms, "over_cap": self.over_cap,
                "sender": rendering.sender, "sms": rendering.shown_text}


def limits() -> tuple[int, int]:
    """(segment cap, warning threshold) from the settings."""
    config = current_app.config
    return int(config.get("SMS_SEGMENT_CAP", DEFAULT_CAP)), int(config.get("SMS_SEGMENT_WARN", DEFAULT_WARN))


def check_rendering(rendering: SmsRendering) -> SmsCheck:
    """Judge one rendered SMS against the limits."""
    cap, warn = limits()
    if rendering.cp949_bytes > KOREAN_LMS_BYTES or rendering.segments > cap:
        level = REFUSE
    elif rendering.segments > warn:
        level = CONFIRM
    else:
        level = OK
    return SmsCheck(rendering.language, rendering, level, cap, warn)


def draft_alert(office: EducationOffice | None, alert_class: str, language: str, title: str,
                body: str) -> Alert:
    """An unsaved alert holding a text being written, to render it as it will go."""
    kind = AlertClass(alert_class) if alert_class in AlertClass._value2member_map_ else AlertClass.ROUTINE
    return Alert(office=office, alert_class=kind, **{f"title_{language}": title, f"body_{language}": body})


def check_draft(office: EducationOffice | None, alert_class: str, title: str, body: str,
                language: str) -> SmsCheck:
    """Check a text being written, before any alert is stored."""
    return check_rendering(render_sms(draft_alert(office, alert_class, language, title, body), language))


def check_alert(alert: Alert) -> list[SmsCheck]:
    """Each language's SMS of a stored alert (a missing language is the other one's text)."""
    return [check_rendering(render_sms(alert, language)) for language in ("ko", "en")]


def worst(checks: list[SmsCheck]) -> str:
    """The strictest level among the checks."""
    levels = {check.level for check in checks}
    return REFUSE if REFUSE in levels else CONFIRM if CONFIRM in levels else OK


def refusal(alert: Alert) -> str | None:
    """Why the alert's SMS cannot be sent, or None (for logs and the CLI: English)."""
    for check in check_alert(alert):
        if check.over_lms:
            return (f"the {check.language} SMS is {check.cp949_bytes:,} bytes: "
                    f"more than one LMS ({KOREAN_LMS_BYTES:,} bytes); shorten it")
        if check.over_cap:
            return (f"the {check.language} SMS is {check.segments} segments: "
                    f"more than the limit of {check.cap}; shorten it")
    return None
