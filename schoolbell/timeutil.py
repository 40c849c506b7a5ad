"""Time in one place: UTC for storage, Asia/Seoul for people."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def utcnow() -> datetime:
    """The current time, aware, in UTC: the one place the product reads the clock."""
    return datetime.now(UTC)


def now_for_column() -> datetime:
    """A column default that reads the clock through `utcnow` at insert time, never at import."""
    return utcnow()


def seoul(moment: datetime | None) -> datetime | None:
    """A stored (aware) time shown in Asia/Seoul."""
    return moment.astimezone(SEOUL) if moment else None


def seoul_today() -> date:
    """Today's date in Seoul (a lesson's review date is a Seoul date)."""
    return utcnow().astimezone(SEOUL).date()
