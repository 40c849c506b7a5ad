"""Scheduled alerts: stored in UTC, shown in Seoul time, sent once when due (however late), cancellable."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from schoolbell.alerts.models import Alert, AlertEvent, AlertStatus, Delivery
from schoolbell.alerts.services import AlertError, cancel_alert, quiet_due, schedule_alert
from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db
from schoolbell.scheduling.due import send_due_alerts, upcoming
from schoolbell.timeutil import SEOUL
from tests import factories

NOW = datetime(2031, 3, 2, 12, 0, tzinfo=SEOUL)  # when the office schedules


def kst(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2031, 3, day, hour, minute, second, tzinfo=SEOUL)


@pytest.fixture
def due_at(time_machine):
    """Run the scheduler's pass with the clock at a given moment."""
    def run(moment: datetime):
        time_machine.move_to(moment, tick=False)
        return send_due_alerts()
    return run


@pytest.fixture
def classroom(app):
    school = factories.school("7000001")
    return [factories.person((school, "guardian", 1, "1")) for _ in range(3)]


def scheduled(alert_class: str, send_at: datetime) -> Alert:
    alert = factories.alert(alert_class, {"roles": ["guardian"]})
    schedule_alert(alert, send_at, "office-kim", now=NOW)
    return alert


def events(alert: Alert, action: str) -> list[AlertEvent]:
    return list(db.session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id,
                                                            AlertEvent.action == action)))


def delivery_count(alert: Alert) -> int:
    return db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.alert_id == alert.id))


def stored_send_at(alert: Alert) -> datetime:
    raw = db.session.execute(text("SELECT send_at FROM alerts WHERE id = :id"), {"id": alert.id}).scalar()
    raw = raw if isinstance(raw, datetime) else datetime.fromisoformat(raw)
    return raw if raw.tzinfo else raw.replace(tzinfo=UTC)  # SQLite keeps naive UTC


@pytest.mark.parametrize("typed", ["2031-11-24 09:00", "2031-11-24T09:00", "2031-11-24T09:00+09:00",
                                   "2031-11-24T00:00Z", "2031-11-23T19:00-05:00"])
def test_a_send_time_is_entered_in_seoul_time_and_stored_in_utc(runner, classroom, typed):
    alert = factories.alert("routine", {"roles": ["guardian"]})
    result = runner.invoke(args=["alerts", "schedule", str(alert.id), "--at", typed, "--actor", "kim"])
    assert result.exit_code == 0, result.output
    assert "scheduled for 2031-11-24 09:00 KST (2031-11-24 00:00 UTC)" in result.output
    assert stored_send_at(alert) == datetime(2031, 11, 24, 0, 0, tzinfo=UTC)
    status = runner.invoke(args=["alerts", "status", str(alert.id)]).output
    assert "scheduled" in status and "send at 2031-11-24 09:00 KST (2031-11-24 00:00 UTC)" in status
    as_json = json.loads(runner.invoke(args=["alerts", "status", str(alert.id), "--json"]).output)
    assert as_json["send_at"] == "2031-11-24T00:00:00+00:00"
    assert as_json["send_at_seoul"] == "2031-11-24 09:00 KST"


def test_bad_and_past_times_are_refused(runner, classroom):
    alert = factories.alert("routine", {"roles": ["guardian"]})
    bad = runner.invoke(args=["alerts", "schedule", str(alert.id), "--at", "next monday"])
    assert bad.exit_code != 0 and "2026-11-24 09:00" in bad.output
    past = runner.invoke(args=["alerts", "schedule", str(alert.id), "--at", "2020-01-01 09:00"])
    assert past.exit_code != 0 and "has passed" in past.output
    assert db.session.get(Alert, alert.id).status is AlertStatus.DRAFT


def test_a_scheduled_alert_can_be_moved_until_sending_starts(due_at, app, classroom):
    alert = scheduled("routine", kst(10, 9))
    schedule_alert(alert, kst(11, 9), "office-lee", now=NOW)
    assert alert.send_at == kst(11, 9).astimezone(UTC)
    assert [e.detail["send_at"] for e in events(alert, "scheduled")] == ["2031-03-10T00:00:00+00:00"]
    assert [e.detail["previous_seoul"] for e in events(alert, "rescheduled")] == ["2031-03-10T09:00+09:00"]
    assert due_at(kst(10, 9, 30)) == []  # the old time no longer sends it
    assert [r.alert_id for r in due_at(kst(11, 9))] == [alert.id]
    with pytest.raises(AlertError, match="before sending starts"):
        schedule_alert(alert, kst(12, 9), "office-lee", now=NOW)


def test_it_goes_once_at_its_time_not_before(due_at, app, classroom):
    alert = scheduled("routine", kst(10, 10))
    assert upcoming(kst(10, 9, 59, 50), kst(10, 10, 0, 5)) == [(alert.id, kst(10, 10).astimezone(UTC))]
    assert due_at(kst(10, 9, 59, 59)) == []
    assert db.session.get(Alert, alert.id).status is AlertStatus.SCHEDULED and delivery_count(alert) == 0
    released = due_at(kst(10, 10))
    assert [(r.alert_id, r.deliveries, r.late_seconds) for r in released] == [(alert.id, 6, 0.0)]
    assert due_at(kst(10, 10, 0, 30)) == []
    assert due_at(kst(12, 10)) == []
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).status is AlertStatus.SENDING
    assert delivery_count(alert) == 6 and len(events(alert, "sent")) == 1


def test_work_missed_while_down_runs_once_and_reports_the_delay(due_at, app, runner, classroom, caplog):
    first, second = scheduled("routine", kst(10, 10)), scheduled("emergency", kst(10, 10, 20))
    caplog.set_level(logging.INFO, logger="schoolbell.scheduling.due")
    released = due_at(kst(10, 10, 42))  # back 42 minutes late
    assert [(r.alert_id, r.late_seconds) for r in released] == [(first.id, 2520.0), (second.id, 1320.0)]
    assert due_at(kst(10, 10, 43)) == []
    [event] = events(first, "sent")
    assert event.actor == "scheduler"
    assert event.detail == {"deliveries": 6, "due_at": "2031-03-10T10:00:00+09:00", "late_seconds": 2520.0}
    late = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(late) == 2 and "sent 2520 s after its due time 2031-03-10 10:00:00 KST" in late[0].getMessage()
    status = runner.invoke(args=["alerts", "status", str(first.id)]).output
    assert "sent by scheduler (due 2031-03-10 10:00:00 KST, sent 2520 s after)" in status


def test_two_schedulers_racing_fan_each_alert_out_once(time_machine, app, classroom):
    alerts = [scheduled("routine", kst(10, 10, minute)) for minute in range(6)]
    db.session.commit()
    barrier, results = threading.Barrier(2), []
    time_machine.move_to(kst(10, 11), tick=False)

    def race() -> None:
        with app.app_context():
            barrier.wait()
            results.extend(r.alert_id for r in send_due_alerts())
            db.session.remove()

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == sorted(alert.id for alert in alerts)
    for alert in alerts:
        assert len(events(alert, "sent")) == 1 and delivery_count(alert) == 6


def test_a_crash_during_fan_out_leaves_the_alert_scheduled(due_at, app, classroom, monkeypatch):
    import schoolbell.alerts.services as services

    alert = scheduled("routine", kst(10, 10))
    real_fan_out = services.fan_out

    def crash(*args, **kwargs):
        real_fan_out(*args, **kwargs)
        raise ConnectionError("the process died here")

    monkeypatch.setattr(services, "fan_out", crash)
    with pytest.raises(ConnectionError):
        due_at(kst(10, 10))
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).status is AlertStatus.SCHEDULED
    assert delivery_count(alert) == 0 and events(alert, "sent") == []
    monkeypatch.setattr(services, "fan_out", real_fan_out)
    assert [r.alert_id for r in due_at(kst(10, 10, 0, 15))] == [alert.id]
    assert delivery_count(alert) == 6


@pytest.mark.parametrize(("alert_class", "due", "held_until"), [
    ("routine", kst(10, 20, 59), None),
    ("routine", kst(10, 21, 0), kst(11, 8, 0)),
    ("curriculum", kst(11, 7, 59), kst(11, 8, 0)),
    ("urgent", kst(10, 23, 30), kst(11, 8, 0)),
    ("routine", kst(11, 8, 0), None),
    ("emergency", kst(10, 21, 0), None),
    ("emergency", kst(11, 3, 0), None),
])
def test_quiet_hours_hold_deliveries_back_at_fan_out(due_at, app, classroom, alert_class, due, held_until):
    alert = scheduled(alert_class, due)
    [released] = due_at(due)
    expected = (held_until or due).astimezone(UTC)
    assert released.deferred_until == (held_until.astimezone(UTC) if held_until else None)
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).deferred_until == released.deferred_until
    starts = {t for t in db.session.scalars(select(Delivery.next_attempt_at)
                                                     .where(Delivery.alert_id == alert.id))}
    assert starts == {expected}


def test_the_deferral_is_shown_in_status_and_preview(due_at, app, runner, classroom):
    alert = scheduled("routine", kst(10, 22, 15))
    preview = runner.invoke(args=["alerts", "preview", str(alert.id)]).output
    assert "quiet hours: its messages would wait until 2031-03-11 08:00 KST" in preview
    due_at(kst(10, 22, 15))
    status = runner.invoke(args=["alerts", "status", str(alert.id)]).output
    assert "quiet hours: its messages were held until 2031-03-11 08:00 KST" in status
    assert "held by quiet hours until 2031-03-11 08:00 KST" in status  # on the audit record
    as_json = json.loads(runner.invoke(args=["alerts", "status", str(alert.id), "--json"]).output)
    assert as_json["deferred_until"] == "2031-03-10T23:00:00+00:00"


def test_an_office_sets_its_own_quiet_hours(app, classroom):
    office = db.session.scalar(select(EducationOffice))
    alert = factories.alert("routine", {"roles": ["guardian"]})
    assert quiet_due(alert, kst(10, 21, 30)) == kst(11, 8).astimezone(UTC)
    office.quiet_hours = "22:00-07:00"
    db.session.commit()
    assert quiet_due(alert, kst(10, 21, 30)) == kst(10, 21, 30).astimezone(UTC)
    assert quiet_due(alert, kst(10, 22, 0)) == kst(11, 7).astimezone(UTC)
    office.quiet_hours = "off"
    db.session.commit()
    assert quiet_due(alert, kst(10, 23, 0)) == kst(10, 23, 0).astimezone(UTC)


def test_the_deployment_default_comes_from_settings(app, classroom):
    alert = factories.alert("routine", {"roles": ["guardian"]})
    app.config["QUIET_HOURS"] = "20:00-09:00"
    assert quiet_due(alert, kst(10, 20, 30)) == kst(11, 9).astimezone(UTC)


def test_a_cancelled_scheduled_alert_never_goes(due_at, app, runner, classroom):
    alert = scheduled("routine", kst(10, 10))
    result = runner.invoke(args=["alerts", "cancel", str(alert.id)])
    assert result.exit_code == 0, result.output
    assert due_at(kst(10, 10, 5)) == []
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).status is AlertStatus.CANCELLED and delivery_count(alert) == 0
    with pytest.raises(AlertError, match="before sending starts"):
        schedule_alert(alert, kst(11, 9), "office-kim", now=NOW)


def test_cancel_after_fan_out_stops_the_rest(due_at, app, classroom):
    alert = scheduled("routine", kst(10, 10))
    due_at(kst(10, 10))
    assert cancel_alert(db.session.get(Alert, alert.id), "office-kim") == 6
    assert [e.detail for e in events(alert, "cancelled")] == [{"deliveries_cancelled": 6}]

