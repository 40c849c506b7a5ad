"""Drills (exercise alerts): marking an alert as one, and the people an office designates to receive them."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import delete, select

from schoolbell.alerts.audience import EXERCISE, DrillGroupMember, drill_texts, is_drill, restrict
from schoolbell.alerts.models import Alert
from schoolbell.alerts.services import AlertDraft
from schoolbell.directory.models import Contact
from schoolbell.directory.validation import InvalidValue, normalize_email, normalize_phone
from schoolbell.extensions import db


class DrillError(ValueError):
    """A person who cannot join or leave the drill group; the message says why."""


def as_drill(draft: AlertDraft) -> AlertDraft:
    """The draft with its titles labelled as a drill ([훈련] / [Drill]) in each language."""
    title_ko, title_en = drill_texts(draft.title_ko, draft.title_en)
    return replace(draft, title_ko=title_ko, title_en=title_en)


def mark_as_drill(alert: Alert) -> None:
    """Make the alert an exercise for good: it reaches only the office's drill group."""
    restrict(alert.id, EXERCISE)


def find_person(office_id: int, phone_or_email: str) -> Contact:
    """The office's person with this mobile number or email address."""
    try:
        if "@" in phone_or_email:
            wanted = Contact.email == normalize_email(phone_or_email)
        else:
            wanted = Contact.phone == normalize_phone(phone_or_email)
    except InvalidValue as problem:
        raise DrillError(f"{phone_or_email!r}: {problem}") from None
    found = db.session.scalars(select(Contact).where(Contact.office_id == office_id, wanted)).first()
    if found is None:
        raise DrillError(f"{phone_or_email!r}: no person of this office has it")
    return found


def designate(office_id: int, contact: Contact, actor: str) -> bool:
    """Add a person to the office's drill group; False when they were in it already."""
    if contact.office_id != office_id:
        raise DrillError("a person of another office cannot be in this office's drill group")
    if db.session.get(DrillGroupMember, contact.id) is not None:
        return False
    db.session.add(DrillGroupMember(contact_id=contact.id, office_id=office_id, added_by=actor[:254]))
    return True


def release(office_id: int, contact_id: int) -> bool:
    """Take a person out of the drill group; False when they were not in it."""
    gone = db.session.execute(delete(DrillGroupMember).where(DrillGroupMember.office_id == office_id,
                                                             DrillGroupMember.contact_id == contact_id))
    return bool(gone.rowcount)


def members(office_id: int) -> list[Contact]:
    """The people the office designated (its staff receive drills too, without being listed)."""
    return list(db.session.scalars(
        select(Contact).join(DrillGroupMember, DrillGroupMember.contact_id == Contact.id)
        .where(DrillGroupMember.office_id == office_id).order_by(Contact.name)))


def in_group(contact_id: int) -> bool:
    """Whether a person is in their office's drill group."""
    return db.session.get(DrillGroupMember, contact_id) is not None


__all__ = ["DrillError", "as_drill", "designate", "find_person", "in_group", "is_drill", "mark_as_drill",
           "members", "release"]
