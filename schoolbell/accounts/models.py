"""A console user: an office administrator (one office) or a teacher (one school)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from schoolbell.database import UTCDateTime, string_enum
from schoolbell.directory.models import EducationOffice, School
from schoolbell.extensions import db
from schoolbell.timeutil import now_for_column


class UserRole(enum.StrEnum):
    """What a user may see: a whole office, or one school."""

    OFFICE = "office"
    TEACHER = "teacher"


class User(db.Model):
    """Someone who signs in to the console."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[UserRole] = mapped_column(string_enum(UserRole, "user_role"))
    office_id: Mapped[int] = mapped_column(ForeignKey("education_offices.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    # In every session cookie it signs; moved on by signing out or a new password, which ends
    # every copy of every earlier session.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)

    office: Mapped[EducationOffice] = relationship()
    school: Mapped[School | None] = relationship()

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password; earlier sessions end."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Make every session cookie issued so far worthless."""
        self.session_epoch = (self.session_epoch or 0) + 1

    def check_password(self, password: str) -> bool:
        """True when the password matches."""
        return check_password_hash(self.password_hash, password)
