"""One clock: the product reads "now" only through timeutil, and stores every moment in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from schoolbell import timeutil
from schoolbell.alerts.models import Alert
from schoolbell.extensions import db
from tests import factories

SCHOOLBELL = Path(__file__).resolve().parents[1] / "schoolbell"
CLOCK_READS = re.compile(r"datetime\.(now|utcnow|today)\(|\btime\.time\(\)|\bdate\.today\(|func\.now\(")


def test_only_timeutil_reads_the_clock():
    readers = [f"{path.relative_to(SCHOOLBELL)}:{number}" for path in SCHOOLBELL.rglob("*.py")
               if path.name != "timeutil.py" and "migrations" not in path.parts
               for number, line in enumerate(path.read_text().splitlines(), 1) if CLOCK_READS.search(line)]
    assert readers == []


def test_time_machine_moves_the_products_clock(time_machine):
    time_machine.move_to(datetime(2031, 3, 10, 3, 30, tzinfo=timeutil.SEOUL), tick=False)
    assert timeutil.utcnow() == datetime(2031, 3, 9, 18, 30, tzinfo=UTC)


def test_a_moment_goes_in_in_any_zone_and_comes_back_aware_in_utc(app):
    alert = factories.alert()
    plus_nine = datetime(2031, 3, 10, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    alert.send_at = plus_nine
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Alert, alert.id).send_at
    assert stored == plus_nine and stored.tzinfo == UTC and stored.hour == 0
    raw = db.session.execute(text("SELECT send_at FROM alerts WHERE id = :id"), {"id": alert.id}).scalar()
    if isinstance(raw, datetime) and raw.tzinfo:  # PostgreSQL's timestamptz: an instant
        assert raw == plus_nine
    else:  # SQLite's text: UTC, not the zone it came in
        assert str(raw).startswith("2031-03-10 00:00:00")


def test_a_naive_moment_is_refused_not_guessed(app):
    alert = factories.alert()
    alert.send_at = datetime(2031, 3, 10, 9, 0)
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_created_times_come_from_the_products_clock_not_the_servers(app, time_machine):
    time_machine.move_to(datetime(2031, 3, 10, 1, 2, 3, tzinfo=UTC), tick=False)
    alert = factories.alert()
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).created_at == datetime(2031, 3, 10, 1, 2, 3, tzinfo=UTC)
