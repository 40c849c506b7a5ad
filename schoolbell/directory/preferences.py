"""A person's own choices (language, SMS, email, schools heard from), changed, recorded and undone.

The choices live on the contact (language, sms_consent, email_consent) and in school_opt_outs; the
next fan-out reads them there. Each change keeps the whole set before and after, its time and its
source, so a change is undone by putting the set before back (recorded as a change of its own).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from schoolbell import timeutil
from schoolbell.directory.models import Contact, Language, Membership, School
from schoolbell.directory.preference_models import PreferenceChange, SchoolOptOut
from schoolbell.extensions import db

SOURCES = ("preference_centre", "one_click", "undo")


class PreferenceError(ValueError):
    """A choice that cannot be made (an unknown language, a school the person is not at)."""


@dataclass(frozen=True)
class Preferences:
    """What a person chose: their language, the channels routine messages use, schools muted."""

    language: str
    sms: bool
    email: bool
    muted_school_ids: tuple[int, ...] = ()

    def as_dict(self) -> dict:
        """Plain values, as recorded."""
        return {"language": self.language, "sms": self.sms, "email": self.email,
                "muted_school_ids": list(self.muted_school_ids)}

    @classmethod
    def from_dict(cls, data: dict) -> Preferences:
        """Read a recorded set of choices."""
        return cls(language=data["language"], sms=bool(data["sms"]), email=bool(data["email"]),
                   muted_school_ids=tuple(sorted(int(i) for i in data.get("muted_school_ids", ()))))


def current(contact: Contact) -> Preferences:
    """The person's choices as the next fan-out will read them."""
    muted = db.session.scalars(select(SchoolOptOut.school_id).where(SchoolOptOut.contact_id == contact.id)
                               .order_by(SchoolOptOut.school_id)).all()
    language = contact.language.value if isinstance(contact.language, Language) else str(contact.language)
    return Preferences(language=language, sms=bool(contact.sms_consent), email=bool(contact.email_consent),
                       muted_school_ids=tuple(muted))


def schools_of(contact: Contact) -> list[School]:
    """The schools the person belongs to, by name: the ones they may mute."""
    return list(db.session.scalars(
        select(School).where(School.id.in_(select(Membership.school_id)
                                           .where(Membership.contact_id == contact.id)))
        .order_by(School.name_ko)))


def change(contact: Contact, wanted: Preferences, source: str) -> PreferenceChange | None:
    """Apply the wanted choices and record the change; None when nothing changed."""
    if source not in SOURCES:
        raise PreferenceError(f"unknown source {source!r}")
    if wanted.language not in Language._value2member_map_:
        raise PreferenceError(f"unknown language {wanted.language!r}; use ko or en")
    own = {school.id for school in schools_of(contact)}
    strangers = set(wanted.muted_school_ids) - own
    if strangers:
        raise PreferenceError(f"not a school of this person: {sorted(strangers)}")
    before = current(contact)
    wanted = Preferences(wanted.language, wanted.sms, wanted.email,
                         tuple(sorted(set(wanted.muted_school_ids))))
    if wanted == before:
        return None
    contact.language = Language(wanted.language)
    contact.sms_consent = wanted.sms
    contact.email_consent = wanted.email
    db.session.execute(delete(SchoolOptOut).where(SchoolOptOut.contact_id == contact.id,
                                                  SchoolOptOut.school_id.not_in(wanted.muted_school_ids)))
    for school_id in set(wanted.muted_school_ids) - set(before.muted_school_ids):
        db.session.add(SchoolOptOut(contact_id=contact.id, school_id=school_id))
    record = PreferenceChange(contact_id=contact.id, at=timeutil.utcnow(), source=source,
                              before=before.as_dict(), after=wanted.as_dict())
    db.session.add(record)
    db.session.flush()
    return record


def history(contact: Contact, limit: int = 10) -> list[PreferenceChange]:
    """The person's latest changes, newest first."""
    return list(db.session.scalars(select(PreferenceChange).where(PreferenceChange.contact_id == contact.id)
                                   .order_by(PreferenceChange.at.desc(), PreferenceChange.id.desc())
                                   .limit(limit)))


def undo(contact: Contact, change_id: int) -> PreferenceChange | None:
    """Put back what a change of this person replaced (recorded as an "undo" change)."""
    record = db.session.get(PreferenceChange, change_id)
    if record is None or record.contact_id != contact.id or record.undone_at is not None:
        raise PreferenceError("that change cannot be undone")
    own = {school.id for school in schools_of(contact)}
    before = Preferences.from_dict(record.before)
    before = Preferences(before.language, before.sms, before.email,
                         tuple(i for i in before.muted_school_ids if i in own))
    record.undone_at = timeutil.utcnow()
    return change(contact, before, "undo")


def opt_out_of_email(contact: Contact, source: str = "one_click") -> PreferenceChange | None:
    """A mail client's one-click unsubscribe: routine email off, recorded like any change."""
    now = current(contact)
    return change(contact, Preferences(now.language, now.sms, False, now.muted_school_ids), source)
