"""The table of alert templates: an office's standard wording and audience, kept to start new alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from schoolbell.alerts.models import AlertClass
from schoolbell.database import UTCDateTime, string_enum
from schoolbell.extensions import db
from schoolbell.timeutil import now_for_column


class AlertTemplate(db.Model):
    """A named alert kept by an office (e.g. its "긴급 스쿨벨" wording): class, texts, link, target."""

    __tablename__ = "alert_templates"
    __table_args__ = (UniqueConstraint("office_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("education_offices.id"))
    name: Mapped[str] = mapped_column(String(100))
    alert_class: Mapped[AlertClass] = mapped_column(string_enum(AlertClass, "alert_class"))
    title_ko: Mapped[str | None] = mapped_column(String(200))
    body_ko: Mapped[str | None] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(String(200))
    body_en: Mapped[str | None] = mapped_column(Text)
    link_url: Mapped[str | None] = mapped_column(String(500))
    lesson_slug: Mapped[str | None] = mapped_column(String(100))
    target: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_for_column)
