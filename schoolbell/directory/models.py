"""Tables of the directory: who exists, which school they belong to, and how to reach them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolbell.database import UTCDateTime, string_enum
from schoolbell.extensions import db
from schoolbell.timeutil import now_for_column


class SchoolLevel(enum.StrEnum):
    """The level of a school, as targeting understands it."""

    ELEMENTARY = "elementary"
    MIDDLE = "middle"
    HIGH = "high"
    SPECIAL = "special"
    OTHER = "other"


class Role(enum.StrEnum):
    """What a person is to a school."""

    GUARDIAN = "guardian"
    TEACHER = "teacher"
    STUDENT = "student"
    STAFF = "staff"


class Language(enum.StrEnum):
    """Languages a person can receive messages in."""

    KO = "ko"
    EN = "en"



class EducationOffice(db.Model):
    """A metropolitan or provincial office of education (시도교육청), e.g. B10 서울특별시교육청."""

    __tablename__ = "education_offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    quiet_hours: Mapped[str | None] = mapped_column(String(11))
    # An emergency to the whole office needs a second office user's approval before it goes.
    two_person_emergency: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How parents know the office: every SMS starts with it, e.g. "[서울시교육청]" (else the name).
    sender_name_ko: Mapped[str | None] = mapped_column(String(30))
    sender_name_en: Mapped[str | None] = mapped_column(String(40))


class DistrictOffice(db.Model):
    """A district office of education (교육지원청) under an education office."""

    __tablename__ = "district_offices"
    __table_args__ = (UniqueConstraint("office_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("education_offices.id"))
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(16))

    office: Mapped[EducationOffice] = relationship()


class School(db.Model):
    """A school, keyed by its NEIS standard school code (표준학교코드)."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("education_offices.id"), index=True)
    district_office_id: Mapped[int | None] = mapped_column(
        ForeignKey("district_offices.id"), index=True)
    name_ko: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[SchoolLevel] = mapped_column(string_enum(SchoolLevel, "school_level"), index=True)
    kind: Mapped[str | None] = mapped_column(String(50))
    foundation: Mapped[str | None] = mapped_column(String(20))
    gu: Mapped[str | None] = mapped_column(String(20))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(200))
    address_detail: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    homepage: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    office: Mapped[EducationOffice] = relationship()
    district_office: Mapped[DistrictOffice | None] = relationship()


class Contact(db.Model):
    """A person who can be reached: one row per person per office, however many roles they have."""

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("office_id", "phone"),
        UniqueConstraint("office_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("education_offices.id"))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[Language] = mapped_column(string_enum(Language, "language"), default=Language.KO)
    # Consent is the person's routine choice; a block is a hard fact (invalid, unsubscribed).
    sms_consent: Mapped[bool] = mapped_column(Boolean, default=True)
    email_consent: Mapped[bool] = mapped_column(Boolean, default=True)
    # None: every consented channel; "sms" or "email": only that one for routine messages.
    preferred_channel: Mapped[str | None] = mapped_column(String(5))
    sms_blocked_reason: Mapped[str | None] = mapped_column(String(200))
    email_blocked_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=now_for_column, onupdate=now_for_column)

    memberships: Mapped[list[Membership]] = relationship(back_populates="contact")


# Emails are stored lower-cased (validation.normalize_email); this index holds it for any writer,
# so Parent@X.com and parent@x.com can never be two people of one office.
Index("uq_contacts_office_id_lower_email", Contact.office_id, func.lower(Contact.email), unique=True)


class Membership(db.Model):
    """A person's role at a school; grade 0 and class '' mean 'not tied to a class'."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("contact_id", "school_id", "role", "grade", "class_name"),
        Index("ix_memberships_school_role_grade_class", "school_id", "role", "grade", "class_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    role: Mapped[Role] = mapped_column(string_enum(Role, "role"))
    # NOT NULL with neutral values: NULLs would slip past the unique constraint on both databases.
    grade: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    class_name: Mapped[str] = mapped_column(String(10), default="", server_default="")

    contact: Mapped[Contact] = relationship(back_populates="memberships")
    school: Mapped[School] = relationship()
