"""The author's view of SMS length: segments and Korean-route safety per language, and in all."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import func, select

from schoolbell.alerts.models import Alert, AlertClass, Channel
from schoolbell.alerts.targeting import Target, targeted_contact_ids, usable
from schoolbell.alerts.texts import sms_text
from schoolbell.channels.sms_analysis import analyse_sms
from schoolbell.directory.models import Contact
from schoolbell.extensions import db

# Carriers put this in front of international SMS into Korea, and it counts toward the length.
CARRIER_PREFIX = "[국제발신]\n"


def sms_report(alert: Alert, sms_messages: int) -> dict:
    """Per language: encoding, segments, CP949 bytes, unsupported characters; and the total."""
    people = targeted_contact_ids(Target.from_dict(alert.target), alert.office_id).subquery()
    per_language = dict(db.session.execute(
        select(Contact.language, func.count())
        .where(Contact.id.in_(select(people.c.contact_id)),
               usable(Channel.SMS, AlertClass(alert.alert_class)))
        .group_by(Contact.language)).all())
    languages = {}
    total = 0
    for language in ("ko", "en"):
        analysis = analyse_sms(sms_text(alert, language), prefix=CARRIER_PREFIX)
        languages[language] = asdict(analysis)
        total += analysis.segments * per_language.get(language, 0)
    return {"languages": languages, "messages": sms_messages, "total_segments": total}
