"""The author's view of SMS length: per language the SMS as rendered for sending, and the total."""

from __future__ import annotations

from sqlalchemy import func, select

from schoolbell.alerts.fanout import targeted_people
from schoolbell.alerts.models import Alert, AlertClass, Channel
from schoolbell.alerts.sms_rendering import ROUTE_CARRIER_PREFIX, carrier_prefix, preview_link, render_sms
from schoolbell.alerts.targeting import usable
from schoolbell.directory.models import Contact
from schoolbell.extensions import db

# Kept for callers written before the prefix became a setting per route (sms_rendering.carrier_prefix).
CARRIER_PREFIX = ROUTE_CARRIER_PREFIX["twilio"] + "\n"


def carrier_explanation(language: str = "en") -> str:
    """Why the preview's byte count includes the route's carrier prefix, in plain words."""
    carrier = carrier_prefix()
    if not carrier.text:
        return (f"The SMS route ({carrier.route}) adds nothing in front of the message."
                if language == "en" else f"SMS 경로({carrier.route})는 문자 앞에 아무것도 붙이지 않습니다.")
    if language == "en":
        return (f"Korean carriers put “{carrier.text}” in front of every SMS of this route "
                f"({carrier.route}). "
                "It counts toward the Korean byte limits (SMS 90, LMS 2,000 bytes) but not toward the "
                "segments the provider sends.")
    return (f"이 경로({carrier.route})의 문자에는 통신사가 맨 앞에 “{carrier.text}”를 붙입니다. "
            "국내 바이트 한도(SMS 90, LMS 2,000바이트)에는 포함되지만 발송 구간 수에는 포함되지 않습니다.")


def sms_report(alert: Alert, sms_messages: int) -> dict:
    """Per language: the SMS as it will go (text, encoding, segments, CP949 bytes with the carrier
    prefix, unsupported characters); the route's prefix explained; segments in all."""
    people = targeted_people(alert).subquery()
    per_language = dict(db.session.execute(
        select(Contact.language, func.count())
        .where(Contact.id.in_(select(people.c.contact_id)),
               usable(Channel.SMS, AlertClass(alert.alert_class)))
        .group_by(Contact.language)).all())
    link = preview_link()
    languages = {}
    total = 0
    for language in ("ko", "en"):
        rendering = render_sms(alert, language, link)
        languages[language] = rendering.as_dict()
        total += rendering.segments * per_language.get(language, 0)
    carrier = carrier_prefix()
    return {"languages": languages, "messages": sms_messages, "total_segments": total,
            "carrier_prefix": carrier.text, "route": carrier.route,
            "carrier_explanation": {"ko": carrier_explanation("ko"), "en": carrier_explanation("en")}}
