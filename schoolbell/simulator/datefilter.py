"""The DateSent, DateSent< and DateSent> filters of Twilio's Messages list."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class DateBound:
    """One filter value: a whole UTC day (`day`) or an instant (`moment`)."""

    day: date | None = None
    moment: datetime | None = None


def parse_bound(value: str) -> DateBound | None:
    """`YYYY-MM-DD`, an ISO 8601 time (naive means UTC) or an RFC 2822 time; None if neither."""
    value = value.strip()
    try:
        if _DATE.match(value):
            return DateBound(day=date.fromisoformat(value))
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = parsedate_to_datetime(value)
    except (ValueError, TypeError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return DateBound(moment=moment.astimezone(UTC))


def on(sent: datetime, bound: DateBound) -> bool:
    """DateSent=: sent on that UTC day (a time names its day: twilio-python sends dates so)."""
    day = bound.day or bound.moment.date()  # type: ignore[union-attr]
    return sent.date() == day


def on_or_before(sent: datetime, bound: DateBound) -> bool:
    """DateSent<= : on or before that day, or at or before that instant."""
    if bound.day is not None:
        return sent.date() <= bound.day
    return sent <= bound.moment  # type: ignore[operator]


def on_or_after(sent: datetime, bound: DateBound) -> bool:
    """DateSent>= : on or after that day, or at or after that instant."""
    if bound.day is not None:
        return sent.date() >= bound.day
    return sent >= bound.moment  # type: ignore[operator]
