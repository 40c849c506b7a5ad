"""Time in one place: UTC for storage, Asia/Seoul for people."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """An aware UTC datetime from what a database returns (SQLite gives naive UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_db(moment: datetime) -> datetime:
    """A UTC datetime as both databases compare it correctly: naive UTC for SQLite's text."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def seoul(moment: datetime | None) -> datetime | None:
    """A stored time shown in Asia/Seoul."""
    utc = as_utc(moment)
    return utc.astimezone(SEOUL) if utc else None
