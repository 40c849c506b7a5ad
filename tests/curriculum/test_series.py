"""Lesson series: weekly and relative dates in Seoul wall time, weekends and holidays skipped, UTC out."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from schoolbell.curriculum.series import SeriesError, SeriesSpec, expand, parse_offset
from schoolbell.timeutil import SEOUL


def seoul_days(times: list[datetime]) -> list[str]:
    return [t.astimezone(SEOUL).strftime("%a %Y-%m-%d %H:%M") for t in times]


def test_every_monday_at_nine_for_six_weeks_in_utc():
    # Wednesday 2 September: the first lesson is the following Monday.
    times = expand(SeriesSpec(start=datetime(2026, 9, 2, 9, 0), every="monday", count=6))
    assert seoul_days(times) == [f"Mon 2026-{d} 09:00" for d in
                                 ("09-07", "09-14", "09-21", "09-28", "10-05", "10-12")]
    assert times[0] == datetime(2026, 9, 7, 0, 0, tzinfo=UTC)  # 09:00 KST is midnight UTC
    assert all(t.tzinfo is UTC for t in times)


def test_a_start_on_the_weekday_itself_is_the_first_lesson():
    times = expand(SeriesSpec(start=datetime(2026, 9, 7, 9, 0), every="월요일", count=2))
    assert seoul_days(times) == ["Mon 2026-09-07 09:00", "Mon 2026-09-14 09:00"]


def test_a_holiday_drops_that_week_and_the_series_runs_a_week_longer():
    times = expand(SeriesSpec(start=datetime(2026, 9, 7, 9, 0), every="mon", count=3,
                              skip_dates=(date(2026, 9, 14),)))
    assert seoul_days(times) == ["Mon 2026-09-07 09:00", "Mon 2026-09-21 09:00", "Mon 2026-09-28 09:00"]


def test_every_day_skipping_weekends_gives_school_days():
    times = expand(SeriesSpec(start=datetime(2026, 9, 4, 8, 30), every="day", count=4, skip_weekends=True))
    assert seoul_days(times) == ["Fri 2026-09-04 08:30", "Mon 2026-09-07 08:30", "Tue 2026-09-08 08:30",
                                 "Wed 2026-09-09 08:30"]
    every_day = expand(SeriesSpec(start=datetime(2026, 9, 4, 8, 30), every="day", count=3))
    assert seoul_days(every_day)[1] == "Sat 2026-09-05 08:30"


def test_lesson_two_three_days_after_lesson_one():
    times = expand(SeriesSpec(start=datetime(2026, 9, 7, 10, 0), offsets=("+3 days", "+1 week")))
    assert seoul_days(times) == ["Mon 2026-09-07 10:00", "Thu 2026-09-10 10:00", "Thu 2026-09-17 10:00"]


def test_a_relative_lesson_on_a_weekend_moves_to_monday_when_asked():
    spec = SeriesSpec(start=datetime(2026, 9, 9, 10, 0), offsets=("+3 days", "+3 days"))
    assert seoul_days(expand(spec)) == ["Wed 2026-09-09 10:00", "Sat 2026-09-12 10:00",
                                        "Tue 2026-09-15 10:00"]
    skipping = SeriesSpec(start=spec.start, offsets=spec.offsets, skip_weekends=True)
    # Lesson 2 moves from Saturday to Monday; lesson 3 counts from the day lesson 2 really is.
    assert seoul_days(expand(skipping)) == ["Wed 2026-09-09 10:00", "Mon 2026-09-14 10:00",
                                            "Thu 2026-09-17 10:00"]


def test_school_days_count_only_weekdays_that_are_not_skipped():
    spec = SeriesSpec(start=datetime(2026, 9, 10, 9, 0), offsets=("+2 school days",),
                      skip_dates=(date(2026, 9, 14),))
    # Thursday + 2 school days: Friday is one, Monday the 14th is a holiday, Tuesday is two.
    assert seoul_days(expand(spec)) == ["Thu 2026-09-10 09:00", "Tue 2026-09-15 09:00"]


def test_a_start_on_a_skipped_day_moves_forward():
    spec = SeriesSpec(start=datetime(2026, 9, 5, 9, 0), skip_weekends=True)  # a Saturday
    assert seoul_days(expand(spec)) == ["Mon 2026-09-07 09:00"]


def test_an_aware_start_is_read_in_the_series_time_zone():
    start = datetime(2026, 9, 7, 0, 0, tzinfo=UTC)  # 09:00 in Seoul
    assert seoul_days(expand(SeriesSpec(start=start, every="monday", count=1))) == ["Mon 2026-09-07 09:00"]


def test_the_stored_form_round_trips_through_json():
    spec = SeriesSpec(start=datetime(2026, 9, 2, 9, 0), every="monday", count=6, skip_weekends=True,
                      skip_dates=(date(2026, 9, 28),))
    stored = json.loads(json.dumps(spec.to_dict()))
    assert stored["start"] == "2026-09-02T09:00" and stored["timezone"] == "Asia/Seoul"
    assert SeriesSpec.from_dict(stored) == spec
    assert expand(SeriesSpec.from_dict({"start": "2026-09-07 10:00", "offsets": ["+3 days"]}))[1] == \
        datetime(2026, 9, 10, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "parsed"), [
    ("+3 days", (3, "days")), ("3 day", (3, "days")), ("+1 week", (1, "weeks")),
    ("+2 weeks", (2, "weeks")), ("+2 school days", (2, "school days")), ("+1 weekday", (1, "school days")),
])
def test_offsets(text, parsed):
    assert parse_offset(text) == parsed


@pytest.mark.parametrize(("spec", "message"), [
    (SeriesSpec(start=datetime(2026, 9, 7, 9), every="someday", count=2), "weekday name"),
    (SeriesSpec(start=datetime(2026, 9, 7, 9), every="saturday", count=2, skip_weekends=True),
     "only 0 allowed"),
    (SeriesSpec(start=datetime(2026, 9, 7, 9), every="monday", count=0), "1 to 200"),
    (SeriesSpec(start=datetime(2026, 9, 7, 9), every="monday", count=201), "1 to 200"),
    (SeriesSpec(start=datetime(2026, 9, 7, 9), offsets=("+3 days",), count=3), "make 2 lessons"),
    (SeriesSpec(start=datetime(2026, 9, 7, 9), every="monday", offsets=("+3 days",)), "not both"),
    (SeriesSpec(start=datetime(2026, 9, 7, 9), offsets=("in three days",)), "offset"),
    (SeriesSpec(start=datetime(2026, 9, 7, 9), offsets=("+0 days",)), "at least one"),
    (SeriesSpec(start=datetime(2026, 9, 7, 9), timezone="Mars/Olympus"), "time zone"),
])
def test_bad_specs_say_why(spec, message):
    with pytest.raises(SeriesError, match=message):
        expand(spec)


def test_a_bad_stored_form_says_why():
    with pytest.raises(SeriesError, match="bad series spec"):
        SeriesSpec.from_dict({"start": "next monday"})
