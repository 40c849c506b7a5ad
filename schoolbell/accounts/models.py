"""A console user: an office administrator (one office), a school administrator (one school) or a
teacher (their classes of one school); one-time links that let them set a password."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolbell.accounts.password_hashing import hash_password, password_matches
from schoolbell.database import UTCDateTime, string_enum
from schoolbell.directory.models import EducationOffice, School
from schoolbell.extensions import db
from schoolbell.timeutil import now_for_column


class UserRole(enum.StrEnum):
    """What a user may see: a whole office, one school, or their classes of one school."""

    OFFICE = "office"  # the office administrator: the office's schools, people and staff
    SCHOOL_ADMIN = "school_admin"  # one school's roster and teachers
    TEACHER = "teacher"  # their own classes


class User(db.Model):
    """Someone who signs in to the console."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[UserRole] = mapped_column(string_enum(UserRole, "user_role"))
    office_id: Mapped[int] = mapped_column(ForeignKey("education_offices.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    # The user's own mobile (E.164), for sending themselves a test of an alert before it goes.
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    # In every session cookie it signs; moved on by signing out or a new password, which ends
    # every copy of every earlier session.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)
    # A deactivated account cannot sign in; its row stays, for the audit trail that names it.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    office: Mapped[EducationOffice] = relationship()
    school: Mapped[School | None] = relationship()
    classes: Mapped[list[UserClass]] = relationship(
        cascade="all, delete-orphan", order_by="(UserClass.grade, UserClass.class_name)")

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password; earlier sessions end."""
        self.password_hash = hash_password(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Make every session cookie issued so far worthless."""
        self.session_epoch = (self.session_epoch or 0) + 1

    def check_password(self, password: str) -> bool:
        """True when the password matches."""
        return password_matches(self.password_hash, password)


class UserClass(db.Model):
    """A class a teacher teaches: what they see of their school's people and figures."""

    __tablename__ = "user_classes"
    __table_args__ = (UniqueConstraint("user_id", "grade", "class_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    grade: Mapped[int] = mapped_column(Integer)
    class_name: Mapped[str] = mapped_column(String(10))

    @property
    def label(self) -> str:
        """The class as people write it, e.g. 3-2."""
        return f"{self.grade}-{self.class_name}"


class AccountToken(db.Model):
    """A one-time link to set a password (an invitation or a reset); only its hash is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
