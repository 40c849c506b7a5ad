"""Who an alert reaches: the target filter on memberships, and which channels each person gets."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from schoolbell.alerts.models import AlertClass, Channel
from schoolbell.directory.models import Contact, Membership, Role, School, SchoolLevel

TARGET_KEYS = ("district_office_ids", "levels", "school_ids", "grades", "classes", "roles")


class TargetError(ValueError):
    """A target that names something that does not exist or cannot be used."""


@dataclass(frozen=True)
class Target:
    """Any combination of district offices, levels, schools, grades, classes and roles; empty = all."""

    district_office_ids: tuple[int, ...] = ()
    levels: tuple[str, ...] = ()
    school_ids: tuple[int, ...] = ()
    grades: tuple[int, ...] = ()
    classes: tuple[str, ...] = ()
    roles: tuple[str, ...] = field(default=())

    @classmethod
    def from_dict(cls, data: dict | None) -> Target:
        """Read a stored target, checking levels and roles."""
        data = data or {}
        unknown = set(data) - set(TARGET_KEYS)
        if unknown:
            raise TargetError(f"unknown target keys: {', '.join(sorted(unknown))}")
        target = cls(**{key: tuple(data.get(key) or ()) for key in TARGET_KEYS})
        for level in target.levels:
            if level not in SchoolLevel._value2member_map_:
                raise TargetError(f"unknown level {level!r}; use {', '.join(SchoolLevel)}")
        for role in target.roles:
            if role not in Role._value2member_map_:
                raise TargetError(f"unknown role {role!r}; use {', '.join(Role)}")
        return target

    def as_dict(self) -> dict:
        """The target as stored on the alert."""
        return {key: list(getattr(self, key)) for key in TARGET_KEYS if getattr(self, key)}


def membership_conditions(target: Target, office_id: int) -> list[ColumnElement[bool]]:
    """WHERE clauses over Membership joined to School that select the targeted memberships."""
    conditions = [School.office_id == office_id]
    if target.district_office_ids:
        conditions.append(School.district_office_id.in_(target.district_office_ids))
    if target.levels:
        conditions.append(School.level.in_(target.levels))
    if target.school_ids:
        conditions.append(Membership.school_id.in_(target.school_ids))
    if target.grades:
        conditions.append(Membership.grade.in_(target.grades))
    if target.classes:
        conditions.append(Membership.class_name.in_(target.classes))
    if target.roles:
        conditions.append(Membership.role.in_(target.roles))
    return conditions


def targeted_contact_ids(target: Target, office_id: int):
    """A subquery of the distinct people the target reaches, whatever their channels."""
    return (select(Membership.contact_id)
            .join(School, School.id == Membership.school_id)
            .where(*membership_conditions(target, office_id))
            .distinct())


def usable(channel: Channel, alert_class: AlertClass) -> ColumnElement[bool]:
    """Whether a person gets this channel for this class of alert.

    Emergency: every channel the person has that is not hard-blocked (opt-outs overridden).
    Urgent: every consented channel (channel preferences ignored).
    Routine and curriculum: consented channels, narrowed to the preferred one when set.
    """
    address = Contact.phone if channel is Channel.SMS else Contact.email
    blocked = Contact.sms_blocked_reason if channel is Channel.SMS else Contact.email_blocked_reason
    consent = Contact.sms_consent if channel is Channel.SMS else Contact.email_consent
    condition = and_(address.is_not(None), blocked.is_(None))
    if alert_class is AlertClass.EMERGENCY:
        return condition
    condition = and_(condition, consent.is_(True))
    if alert_class is AlertClass.URGENT:
        return condition
    return and_(condition, or_(Contact.preferred_channel.is_(None),
                               Contact.preferred_channel == channel.value,
                               _preferred_unusable(channel)))


def _preferred_unusable(channel: Channel) -> ColumnElement[bool]:
    """A preference for the other channel does not count when that channel cannot be used."""
    other = Channel.EMAIL if channel is Channel.SMS else Channel.SMS
    address = Contact.email if other is Channel.EMAIL else Contact.phone
    blocked = Contact.email_blocked_reason if other is Channel.EMAIL else Contact.sms_blocked_reason
    consent = Contact.email_consent if other is Channel.EMAIL else Contact.sms_consent
    return or_(address.is_(None), blocked.is_not(None), consent.is_(False))
