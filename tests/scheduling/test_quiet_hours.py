"""Quiet hours: exact boundaries in Seoul time, per class, across midnight, with the result in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from schoolbell.alerts.quiet_hours import QuietHours, defer_until, parse_quiet_hours
from schoolbell.timeutil import SEOUL


def kst(day: int, hour: int, minute: int, second: int = 0, micro: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, micro, tzinfo=SEOUL)


@pytest.mark.parametrize(("moment", "expected"), [
    (kst(24, 20, 59), kst(24, 20, 59)),                       # just before: goes now
    (kst(24, 20, 59, 59, 999999), kst(24, 20, 59, 59, 999999)),
    (kst(24, 21, 0), kst(25, 8, 0)),                          # start included: waits until tomorrow 08:00
    (kst(24, 23, 59, 59), kst(25, 8, 0)),
    (kst(25, 0, 0), kst(25, 8, 0)),                           # after midnight: the same morning
    (kst(25, 7, 59), kst(25, 8, 0)),
    (kst(25, 7, 59, 59, 999999), kst(25, 8, 0)),
    (kst(25, 8, 0), kst(25, 8, 0)),                           # end excluded: goes now
    (kst(25, 12, 0), kst(25, 12, 0)),
])
@pytest.mark.parametrize("alert_class", ["routine", "curriculum", "urgent"])
def test_boundaries_in_seoul_time(moment, expected, alert_class):
    got = defer_until(moment.astimezone(UTC), alert_class)
    assert got == expected
    assert got.tzinfo is UTC  # stored as UTC


def test_eight_oclock_seoul_is_23_utc_the_day_before():
    assert defer_until(datetime(2026, 11, 24, 12, 30, tzinfo=UTC), "routine") == \
        datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # 21:30 KST → 08:00 KST


@pytest.mark.parametrize("moment", [kst(24, 21, 0), kst(25, 3, 0), kst(25, 7, 59)])
def test_emergencies_ignore_quiet_hours(moment):
    assert defer_until(moment, "emergency") == moment


def test_a_window_inside_one_day_and_a_custom_night():
    lunch = "12:00-13:00"
    assert defer_until(kst(24, 11, 59), "routine", lunch) == kst(24, 11, 59)
    assert defer_until(kst(24, 12, 0), "routine", lunch) == kst(24, 13, 0)
    assert defer_until(kst(24, 13, 0), "routine", lunch) == kst(24, 13, 0)
    assert defer_until(kst(24, 22, 30), "routine", "22:00-07:00") == kst(25, 7, 0)
    assert defer_until(kst(24, 21, 30), "routine", "22:00-07:00") == kst(24, 21, 30)


@pytest.mark.parametrize("off", ["off", "", "none", None, " OFF "])
def test_quiet_hours_can_be_turned_off(off):
    assert parse_quiet_hours(off) is None
    assert defer_until(kst(24, 23, 0), "routine", off) == kst(24, 23, 0)


def test_another_time_zone_is_honoured():
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    moment = datetime(2026, 11, 24, 22, 0, tzinfo=london)
    assert defer_until(moment, "routine", zone=london) == datetime(2026, 11, 25, 8, 0, tzinfo=london)


@pytest.mark.parametrize("bad", ["21-08", "25:00-08:00", "21:00-21:00", "21:00", "9pm-8am"])
def test_malformed_windows_are_refused(bad):
    with pytest.raises(ValueError, match="quiet hours"):
        parse_quiet_hours(bad)


def test_parsing_and_naive_times():
    assert parse_quiet_hours(" 21:00 - 8:00 ") == QuietHours(time(21), time(8))
    assert str(parse_quiet_hours("21:00-08:00")) == "21:00-08:00"
    with pytest.raises(ValueError, match="aware"):
        defer_until(datetime(2026, 11, 24, 21, 0), "routine")


def test_every_minute_of_a_day_goes_at_once_or_at_eight():
    start = kst(24, 0, 0)
    for minute in range(24 * 60):
        moment = start + timedelta(minutes=minute)
        got = defer_until(moment, "routine")
        quiet = moment.hour >= 21 or moment.hour < 8
        assert got == (moment.replace(hour=8, minute=0) + timedelta(days=moment.hour >= 21)
                       if quiet else moment)
