"""How long an alert's SMS may be: refused over one LMS or the segment cap, confirmed above a warning."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from schoolbell.alerts.models import Alert, AlertClass
from schoolbell.alerts.sms_preview import CARRIER_PREFIX
from schoolbell.alerts.sms_replacements import replacement_for
from schoolbell.alerts.texts import sms_text
from schoolbell.channels.sms_analysis import KOREAN_LMS_BYTES, SmsAnalysis, analyse_sms

OK, CONFIRM, REFUSE = "ok", "confirm", "refuse"
DEFAULT_CAP, DEFAULT_WARN = 10, 4


@dataclass(frozen=True)
class SmsCheck:
    """One language's SMS as it will go, and whether it may: ok, confirm (long) or refuse."""

    language: str
    analysis: SmsAnalysis
    level: str
    cap: int
    warn: int

    @property
    def over_lms(self) -> bool:
        """More CP949 bytes than one LMS carries."""
        return self.analysis.cp949_bytes > KOREAN_LMS_BYTES

    @property
    def over_cap(self) -> bool:
        """More segments than the deployment allows per message."""
        return self.analysis.segments > self.cap

    def as_dict(self) -> dict:
        """Plain values for the browser's live counters (one source of truth: this module)."""
        facts = self.analysis
        return {"language": self.language, "encoding": facts.encoding, "characters": facts.characters,
                "segments": facts.segments, "cp949_bytes": facts.cp949_bytes,
                "lms_bytes": KOREAN_LMS_BYTES, "korean_domestic_type": facts.korean_domestic_type,
                "unsupported": [{"character": ch, "code": f"U+{ord(ch):04X}",
                                 "replacement": replacement_for(ch)}
                                for ch in facts.unsupported_characters],
                "level": self.level, "cap": self.cap, "warn": self.warn,
                "over_lms": self.over_lms, "over_cap": self.over_cap}


def limits() -> tuple[int, int]:
    """(segment cap, warning threshold) from the settings."""
    config = current_app.config
    return int(config.get("SMS_SEGMENT_CAP", DEFAULT_CAP)), int(config.get("SMS_SEGMENT_WARN", DEFAULT_WARN))


def check_text(text: str, language: str) -> SmsCheck:
    """Check one SMS body as sent (the carrier's prefix counts toward its length)."""
    cap, warn = limits()
    analysis = analyse_sms(text, prefix=CARRIER_PREFIX)
    if analysis.cp949_bytes > KOREAN_LMS_BYTES or analysis.segments > cap:
        level = REFUSE
    elif analysis.segments > warn:
        level = CONFIRM
    else:
        level = OK
    return SmsCheck(language, analysis, level, cap, warn)


def check_draft(alert_class: str, title: str, body: str, language: str) -> SmsCheck:
    """Check a text being written, before any alert is stored."""
    draft = Alert(alert_class=AlertClass(alert_class) if alert_class in AlertClass._value2member_map_
                  else AlertClass.ROUTINE, **{f"title_{language}": title, f"body_{language}": body})
    return check_text(sms_text(draft, language), language)


def check_alert(alert: Alert) -> list[SmsCheck]:
    """Each language's SMS of a stored alert (a missing language is the other one's text)."""
    return [check_text(sms_text(alert, language), language) for language in ("ko", "en")]


def worst(checks: list[SmsCheck]) -> str:
    """The strictest level among the checks."""
    levels = {check.level for check in checks}
    return REFUSE if REFUSE in levels else CONFIRM if CONFIRM in levels else OK


def refusal(alert: Alert) -> str | None:
    """Why the alert's SMS cannot be sent, or None (for logs and the CLI: English)."""
    for check in check_alert(alert):
        if check.over_lms:
            return (f"the {check.language} SMS is {check.analysis.cp949_bytes:,} bytes: "
                    f"more than one LMS ({KOREAN_LMS_BYTES:,} bytes); shorten it")
        if check.over_cap:
            return (f"the {check.language} SMS is {check.analysis.segments} segments: "
                    f"more than the limit of {check.cap}; shorten it")
    return None
