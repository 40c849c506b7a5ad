"""Lesson series: expand a spec (start, weekly repeat or relative offsets, skipped days) into UTC times."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_LESSONS = 200
# A series that finds no allowed day within this span is a mistake, not a long wait.
HORIZON_DAYS = 5 * 366

WEEKDAYS = {name: number for number, names in enumerate((
    ("monday", "mon", "월", "월요일"), ("tuesday", "tue", "화", "화요일"),
    ("wednesday", "wed", "수", "수요일"), ("thursday", "thu", "목", "목요일"),
    ("friday", "fri", "금", "금요일"), ("saturday", "sat", "토", "토요일"),
    ("sunday", "sun", "일", "일요일"))) for name in names}
EVERY_DAY = "day"
_OFFSET = re.compile(r"^\s*\+?\s*(\d+)\s*(days?|weeks?|weekdays?|school\s+days?)\s*$", re.IGNORECASE)


class SeriesError(ValueError):
    """A series spec that cannot be expanded; the message says why."""


@dataclass(frozen=True)
class SeriesSpec:
    """When a series' lessons fall, in local wall time of `timezone`.

    Either `every` (a weekday name, or "day") with `count` lessons, or `offsets` such as "+3 days",
    "+1 week" or "+2 school days", each counted from the lesson before. Every lesson keeps the start's
    time of day. Skipped days (weekends when asked, and `skip_dates`) hold no lesson: a repeating series
    takes the next occurrence instead, a relative lesson moves to the next allowed day.
    """

    start: datetime
    every: str | None = None
    count: int | None = None
    offsets: tuple[str, ...] = ()
    skip_weekends: bool = False
    skip_dates: tuple[date, ...] = field(default_factory=tuple)
    timezone: str = "Asia/Seoul"

    def to_dict(self) -> dict:
        """A JSON-ready form, for a JSON column."""
        return {"start": self.start.strftime("%Y-%m-%dT%H:%M"), "every": self.every, "count": self.count,
                "offsets": list(self.offsets), "skip_weekends": self.skip_weekends,
                "skip_dates": [day.isoformat() for day in self.skip_dates], "timezone": self.timezone}

    @classmethod
    def from_dict(cls, data: dict) -> SeriesSpec:
        """The spec `to_dict` wrote (or a hand-written one: start as "YYYY-MM-DD HH:MM")."""
        try:
            start = datetime.fromisoformat(str(data["start"]))
            skip_dates = tuple(date.fromisoformat(str(day)) for day in data.get("skip_dates") or ())
        except (KeyError, ValueError) as error:
            raise SeriesError(f"bad series spec: {error}") from None
        return cls(start=start, every=data.get("every"), count=data.get("count"),
                   offsets=tuple(data.get("offsets") or ()),
                   skip_weekends=bool(data.get("skip_weekends")), skip_dates=skip_dates,
                   timezone=data.get("timezone") or "Asia/Seoul")


def parse_offset(text: str) -> tuple[int, str]:
    """("+3 days") → (3, "days"); the unit is one of days, weeks, school days."""
    match = _OFFSET.match(text)
    if not match:
        raise SeriesError(f"offset {text!r}: use e.g. '+3 days', '+1 week' or '+2 school days'")
    amount, unit = int(match.group(1)), match.group(2).lower()
    if amount < 1:
        raise SeriesError(f"offset {text!r}: must move forward by at least one")
    if unit.startswith("week") and not unit.startswith("weekday"):
        return amount, "weeks"
    return amount, "days" if unit.startswith("day") else "school days"


def expand(spec: SeriesSpec) -> list[datetime]:
    """The lessons' times as aware UTC datetimes, in order."""
    zone = _zone(spec.timezone)
    start = spec.start.astimezone(zone).replace(tzinfo=None) if spec.start.tzinfo else spec.start
    allowed = _allowed(spec)
    if spec.every and spec.offsets:
        raise SeriesError("give either 'every' or 'offsets', not both")
    days = (_repeating(spec, start.date(), allowed) if spec.every
            else _relative(spec, start.date(), allowed))
    return [datetime.combine(day, start.time(), tzinfo=zone).astimezone(UTC) for day in days]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SeriesError(f"unknown time zone {name!r}") from None


def _allowed(spec: SeriesSpec):
    skipped = frozenset(spec.skip_dates)

    def allowed(day: date) -> bool:
        return day not in skipped and not (spec.skip_weekends and day.weekday() >= 5)

    return allowed


def _count(count: int | None, default: int) -> int:
    count = default if count is None else count
    if not 1 <= count <= MAX_LESSONS:
        raise SeriesError(f"a series has 1 to {MAX_LESSONS} lessons, not {count}")
    return count


def _repeating(spec: SeriesSpec, first: date, allowed) -> list[date]:
    every = spec.every.strip().lower()
    if every != EVERY_DAY and every not in WEEKDAYS:
        raise SeriesError(f"every {spec.every!r}: use a weekday name (e.g. monday) or 'day'")
    count = _count(spec.count, 1)
    step = 1 if every == EVERY_DAY else 7
    if every != EVERY_DAY:
        first += timedelta(days=(WEEKDAYS[every] - first.weekday()) % 7)
    candidates = (first + timedelta(days=step * n) for n in range(HORIZON_DAYS // step + 1))
    days = [day for day, _ in zip(filter(allowed, candidates), range(count), strict=False)]
    if len(days) < count:
        raise SeriesError(f"every {spec.every!r} finds only {len(days)} allowed day(s) in five years")
    return days


def _relative(spec: SeriesSpec, first: date, allowed) -> list[date]:
    steps = [parse_offset(text) for text in spec.offsets]
    if _count(spec.count, len(steps) + 1) != len(steps) + 1:
        raise SeriesError(f"{len(steps)} offset(s) make {len(steps) + 1} lessons, not {spec.count}")
    days = [_next_allowed(first, allowed)]
    for amount, unit in steps:
        if unit == "school days":
            later = _nth_school_day(days[-1], amount, allowed)
        else:
            later = days[-1] + timedelta(days=amount * (7 if unit == "weeks" else 1))
        days.append(_next_allowed(later, allowed))
    return days


def _following(day: date) -> Iterator[date]:
    for n in range(HORIZON_DAYS):
        yield day + timedelta(days=n)


def _next_allowed(day: date, allowed) -> date:
    for candidate in _following(day):
        if allowed(candidate):
            return candidate
    raise SeriesError(f"no allowed day within five years of {day}")


def _nth_school_day(day: date, amount: int, allowed) -> date:
    """The amount-th weekday after `day` that is not skipped (Saturdays and Sundays never count)."""
    seen = 0
    for candidate in _following(day + timedelta(days=1)):
        if candidate.weekday() < 5 and allowed(candidate):
            seen += 1
            if seen == amount:
                return candidate
    raise SeriesError(f"no {amount} school days within five years of {day}")

