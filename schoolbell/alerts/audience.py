"""An alert made through a team or test API key, or as a drill: who its fan-out may reach."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, column, false, or_, select, table
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from schoolbell.database import UTCDateTime
from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from schoolbell.timeutil import now_for_column

TEAM = "team"  # delivers only to the office's own staff
TEST = "test"  # nothing is ever sent; the API simulates the send
EXERCISE = "exercise"  # a drill: labelled as one, sent only to the office's test group (drill_group)
DRILL_LABEL = {"ko": "[훈련] ", "en": "[Drill] "}

# The console's accounts, read as a plain table: alerts does not import accounts (DESIGN.md).
_users = table("users", column("office_id"), column("email"), column("phone"))


class AlertApiMode(db.Model):
    """Set on an alert created or sent with a team or test key, or made as a drill; others have no row."""

    __tablename__ = "alert_api_modes"

    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))
    api_key_id: Mapped[int | None] = mapped_column(Integer)
    simulated_status: Mapped[str | None] = mapped_column(String(16))
    simulated_send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DrillGroupMember(db.Model):
    """A person an office designated to receive its drills (with the office's staff)."""

    __tablename__ = "drill_group_members"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("education_offices.id"), index=True)
    added_by: Mapped[str] = mapped_column(String(254))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)


def drill_group(office_id: int) -> ColumnElement[bool]:
    """The office's test group for drills: its staff, and the people it designated."""
    designated = select(DrillGroupMember.contact_id).where(DrillGroupMember.office_id == office_id)
    return or_(staff_only(office_id), Contact.id.in_(designated))


def mode_of(alert_id: int) -> str | None:
    """"team", "test" or None (live) for an alert."""
    return db.session.scalar(select(AlertApiMode.mode).where(AlertApiMode.alert_id == alert_id))


def staff_only(office_id: int) -> ColumnElement[bool]:
    """People of the office whose phone or email is one of the office's console users'."""
    mine = _users.c.office_id == office_id
    return or_(Contact.email.in_(select(_users.c.email).where(mine, _users.c.email.is_not(None))),
               Contact.phone.in_(select(_users.c.phone).where(mine, _users.c.phone.is_not(None))))


def audience_conditions(alert_id: int, office_id: int) -> list[ColumnElement[bool]]:
    """Extra WHERE clauses on Contact for the alert's fan-out: none for a live alert."""
    mode = mode_of(alert_id)
    if mode == TEAM:
        return [staff_only(office_id)]
    if mode == EXERCISE:
        return [drill_group(office_id)]
    if mode == TEST:
        return [false()]  # a test alert sent from the console or the scheduler still reaches nobody
    return []


_STRICTNESS = {None: 0, TEAM: 1, EXERCISE: 2, TEST: 3}


def restrict(alert_id: int, mode: str | None, api_key_id: int | None = None) -> str | None:
    """Mark an alert team or test (a mode only ever gets stricter); returns the alert's mode now."""
    current = db.session.get(AlertApiMode, alert_id)
    if mode is None or (current is not None and _STRICTNESS[current.mode] >= _STRICTNESS[mode]):
        return current.mode if current else None
    if current is None:
        db.session.add(AlertApiMode(alert_id=alert_id, mode=mode, api_key_id=api_key_id))
    else:
        current.mode, current.api_key_id = mode, api_key_id
    db.session.flush()
    return mode


def drill_texts(title_ko: str, title_en: str) -> tuple[str, str]:
    """Titles labelled as a drill in each language (every SMS, email, page and CAP message shows it)."""
    def labelled(title: str, label: str) -> str:
        return title if not title or title.startswith(label) else label + title  # never twice

    return labelled(title_ko, DRILL_LABEL["ko"]), labelled(title_en, DRILL_LABEL["en"])


def is_drill(alert_id: int) -> bool:
    """Whether the alert is an exercise (a drill), which statistics leave out."""
    return mode_of(alert_id) == EXERCISE


def counts_in_statistics():
    """A WHERE clause on Alert leaving out drills and test-key alerts, for an office's statistics."""
    from schoolbell.alerts.models import Alert

    return ~Alert.id.in_(select(AlertApiMode.alert_id).where(AlertApiMode.mode.in_((EXERCISE, TEST))))
