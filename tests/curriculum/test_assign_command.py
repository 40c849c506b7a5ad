"""`flask lessons assign`: a weekly or relative series for one class, at Seoul times stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from schoolbell.alerts.models import AlertStatus
from schoolbell.curriculum.models import Assignment
from schoolbell.extensions import db
from tests import factories


def test_weekly_series_skips_nothing_and_stores_utc(runner, app):
    factories.person((factories.school("7000001"), "guardian", 3, "2"))
    db.session.commit()
    result = runner.invoke(args=[
        "lessons", "assign", "--school", "7000001", "--grade", "3", "--class-name", "2",
        "--lesson", "what-is-a-deepfake", "--lesson", "tell-a-trusted-adult",
        "--start", "2030-03-04 09:00", "--every", "monday", "--actor", "teacher-park"])
    assert result.exit_code == 0, result.output
    assert "2030-03-04 09:00 KST" in result.output and "2030-03-11 09:00 KST" in result.output
    made = db.session.scalars(select(Assignment).order_by(Assignment.position)).all()
    assert [a.send_at.replace(tzinfo=UTC) if a.send_at.tzinfo is None else a.send_at for a in made] == [
        datetime(2030, 3, 4, 0, 0, tzinfo=UTC), datetime(2030, 3, 11, 0, 0, tzinfo=UTC)]
    assert all(a.alert.status is AlertStatus.SCHEDULED for a in made)
    assert made[0].alert.target == {"school_ids": [made[0].school_id], "grades": [3], "classes": ["2"],
                                    "roles": ["guardian"]}


def test_relative_series_skips_weekends(runner, app):
    factories.person((factories.school("7000001"), "guardian", 1, "1"))
    db.session.commit()
    # Friday, then "+3 days" lands on Monday; "+1 day" after that is Tuesday.
    result = runner.invoke(args=[
        "lessons", "assign", "--school", "7000001", "--grade", "1", "--class-name", "1",
        "--lesson", "what-is-a-deepfake", "--lesson", "tell-a-trusted-adult",
        "--lesson", "consent-and-sharing-images", "--start", "2030-03-08 09:00",
        "--after", "+3 days", "--after", "+1 day", "--skip-weekends"])
    assert result.exit_code == 0, result.output
    assert [line.split(" at ")[1][:10] for line in result.output.strip().splitlines()] == [
        "2030-03-08", "2030-03-11", "2030-03-12"]


def test_bad_requests_name_the_problem(runner, app):
    factories.school("7000001")
    db.session.commit()
    base = ["lessons", "assign", "--school", "7000001", "--grade", "1", "--class-name", "1",
            "--start", "2030-03-08 09:00"]
    unknown = runner.invoke(args=[*base, "--lesson", "no-such-lesson"])
    assert unknown.exit_code == 1 and "no-such-lesson" in unknown.output
    mismatch = runner.invoke(args=[*base, "--lesson", "what-is-a-deepfake", "--lesson",
                                   "tell-a-trusted-adult"])
    assert mismatch.exit_code == 1 and "--after" in mismatch.output
    school = runner.invoke(args=["lessons", "assign", "--school", "9999999", "--grade", "1",
                                 "--class-name", "1", "--start", "2030-03-08 09:00", "--lesson", "x"])
    assert school.exit_code == 1 and "9999999" in school.output
