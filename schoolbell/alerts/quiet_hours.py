"""Quiet hours: when a non-emergency message due at a moment may go, as pure functions of time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from schoolbell.alerts.models import AlertClass
from schoolbell.timeutil import SEOUL

DEFAULT = "21:00-08:00"
OFF = frozenset({"", "off", "none"})
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    """A daily window [start, end) of local time; it crosses midnight when start is after end."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        """True when a local time of day lies inside the window (start included, end excluded)."""
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_quiet_hours(text: str | None) -> QuietHours | None:
    """A window from "HH:MM-HH:MM"; None for "", "off" or "none" (no quiet hours)."""
    if text is None or text.strip().lower() in OFF:
        return None
    match = _WINDOW.match(text)
    if not match:
        raise ValueError(f"quiet hours {text!r}: use HH:MM-HH:MM, e.g. 21:00-08:00, or 'off'")
    hours_a, minutes_a, hours_b, minutes_b = map(int, match.groups())
    try:
        window = QuietHours(time(hours_a, minutes_a), time(hours_b, minutes_b))
    except ValueError:
        raise ValueError(f"quiet hours {text!r}: not a time of day") from None
    if window.start == window.end:
        raise ValueError(f"quiet hours {text!r}: start and end are the same; use 'off' for none")
    return window


def _at(day: date, moment: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone).astimezone(UTC)


def defer_until(moment: datetime, alert_class: str, quiet: str | None = DEFAULT,
                zone: tzinfo = SEOUL) -> datetime:
    """When a message of this class due at `moment` may go (UTC): the moment, or the end of quiet hours.

    Emergencies ignore quiet hours; every other class waits for the window's end.
    """
    if moment.tzinfo is None:
        raise ValueError("defer_until needs an aware datetime")
    window = parse_quiet_hours(quiet)
    moment = moment.astimezone(UTC)
    if window is None or AlertClass(alert_class) is AlertClass.EMERGENCY:
        return moment
    local = moment.astimezone(zone)
    if not window.contains(local.time()):
        return moment
    # Inside a window that crosses midnight, the evening part ends tomorrow morning.
    ends_tomorrow = window.start > window.end and local.time() >= window.start
    day = local.date() + timedelta(days=1) if ends_tomorrow else local.date()
    return _at(day, window.end, zone)
