"""The dispatcher's part: no retry inside quiet hours, nothing sent for an alert cancelled after the claim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import schoolbell.delivery.dispatcher as dispatcher_module
from schoolbell.alerts.models import Alert, AlertStatus, Delivery, DeliveryStatus
from schoolbell.alerts.services import cancel_alert, send_alert
from schoolbell.channels.errors import TransientError
from schoolbell.extensions import db
from schoolbell.timeutil import SEOUL
from tests import factories


@pytest.fixture
def guardians(app):
    school = factories.school("7000001")
    return [factories.person((school, "guardian", 1, "1"), email=None) for _ in range(4)]


@pytest.mark.parametrize(("alert_class", "clock", "retry_at"), [
    ("routine", datetime(2031, 3, 10, 20, 57, tzinfo=SEOUL), datetime(2031, 3, 10, 20, 59, tzinfo=SEOUL)),
    ("routine", datetime(2031, 3, 10, 20, 58, 30, tzinfo=SEOUL), datetime(2031, 3, 11, 8, 0, tzinfo=SEOUL)),
    ("urgent", datetime(2031, 3, 11, 3, 0, tzinfo=SEOUL), datetime(2031, 3, 11, 8, 0, tzinfo=SEOUL)),
    ("emergency", datetime(2031, 3, 10, 20, 58, 30, tzinfo=SEOUL),
     datetime(2031, 3, 10, 21, 0, 30, tzinfo=SEOUL)),
])
def test_a_retry_never_falls_inside_quiet_hours(dispatcher, backends, guardians, time_machine,
                                                alert_class, clock, retry_at):
    target = guardians[0]
    backends.sms.fail_for[target.phone] = TransientError("busy", 20429, retry_after=120)
    # Fanned out a minute earlier, when any class may go (20:56 is before quiet hours, 03:00 is not).
    time_machine.move_to(datetime(2031, 3, 10, 20, 56, tzinfo=SEOUL), tick=False)
    send_alert(factories.alert(alert_class, {"roles": ["guardian"]}), "test")
    time_machine.move_to(clock, tick=False)
    dispatcher.run_once()
    row = db.session.scalar(select(Delivery).where(Delivery.contact_id == target.id))
    assert row.status is DeliveryStatus.PENDING
    assert row.next_attempt_at == retry_at.astimezone(UTC)


def cancel_right_after_the_claim(monkeypatch, alert_id: int) -> None:
    """The office cancels the alert between the worker's claim and its sends."""
    real_claim = dispatcher_module.claim

    def claim_then_cancel(*args, **kwargs):
        claimed = real_claim(*args, **kwargs)
        cancel_alert(db.session.get(Alert, alert_id), "office-kim")
        return claimed

    monkeypatch.setattr(dispatcher_module, "claim", claim_then_cancel)


def test_deliveries_claimed_before_a_cancel_are_not_sent(dispatcher, backends, guardians, monkeypatch):
    alert = factories.alert("emergency", {"roles": ["guardian"]})
    send_alert(alert, "test")
    cancel_right_after_the_claim(monkeypatch, alert.id)
    assert dispatcher.run_once() == 4
    assert backends.sms.outbox == []
    rows = list(db.session.scalars(select(Delivery).where(Delivery.alert_id == alert.id)))
    assert {(row.status, row.error_reason, row.lease_owner, row.attempts) for row in rows} == \
        {(DeliveryStatus.CANCELLED, "alert cancelled", None, 0)}
    assert db.session.get(Alert, alert.id).status is AlertStatus.CANCELLED


def test_other_alerts_in_the_same_batch_still_go(dispatcher, backends, guardians, monkeypatch):
    kept, dropped = (factories.alert("emergency", {"roles": ["guardian"]}) for _ in range(2))
    send_alert(kept, "test")
    send_alert(dropped, "test")
    cancel_right_after_the_claim(monkeypatch, dropped.id)
    dispatcher.run_once()
    assert sorted(m.to for m in backends.sms.outbox) == sorted(p.phone for p in guardians)
    assert db.session.get(Alert, kept.id).status is AlertStatus.SENT
    statuses = set(db.session.scalars(select(Delivery.status).where(Delivery.alert_id == dropped.id)))
    assert statuses == {DeliveryStatus.CANCELLED}


def test_a_retry_far_from_quiet_hours_is_unchanged(dispatcher, backends, guardians, time_machine):
    clock = datetime(2031, 3, 10, 10, 0, tzinfo=SEOUL)
    time_machine.move_to(clock, tick=False)
    backends.sms.fail_for[guardians[1].phone] = TransientError("busy", 20429, retry_after=60)
    send_alert(factories.alert("routine", {"roles": ["guardian"]}), "test")
    dispatcher.run_once()
    row = db.session.scalar(select(Delivery).where(Delivery.contact_id == guardians[1].id))
    assert row.next_attempt_at == (clock + timedelta(seconds=60)).astimezone(UTC)


@pytest.mark.parametrize(("alert_class", "waits"),
                         [("urgent", True), ("routine", True), ("emergency", False)])
def test_a_send_still_under_way_at_nine_pm_waits_until_eight(dispatcher, backends, guardians, time_machine,
                                                             alert_class, waits):
    # Fanned out at 20:50, so every delivery is due; the worker reaches them at 21:00:30.
    time_machine.move_to(datetime(2031, 3, 10, 20, 50, tzinfo=SEOUL), tick=False)
    alert = factories.alert(alert_class, {"roles": ["guardian"]})
    send_alert(alert, "test")
    time_machine.move_to(datetime(2031, 3, 10, 21, 0, 30, tzinfo=SEOUL), tick=False)
    assert dispatcher.run_once() == 4
    rows = list(db.session.scalars(select(Delivery).where(Delivery.alert_id == alert.id)))
    if not waits:
        assert len(backends.sms.outbox) == 4
        return
    assert backends.sms.outbox == []
    morning = datetime(2031, 3, 11, 8, 0, tzinfo=SEOUL).astimezone(UTC)
    assert {(row.status, row.next_attempt_at, row.attempts, row.lease_owner) for row in rows} == \
        {(DeliveryStatus.PENDING, morning, 0, None)}


def test_leases_recovered_at_night_wait_for_the_morning(dispatcher, backends, guardians, time_machine):
    from schoolbell.delivery.claims import claim

    time_machine.move_to(datetime(2031, 3, 10, 20, 0, tzinfo=SEOUL), tick=False)
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    assert len(claim("crashed-worker", 10, lease_seconds=60)) == 4
    time_machine.move_to(datetime(2031, 3, 11, 2, 0, tzinfo=SEOUL), tick=False)  # its lease ran out
    dispatcher.run(until_idle=True)
    assert backends.sms.outbox == []
    assert {row.next_attempt_at for row in db.session.scalars(select(Delivery))} == \
        {datetime(2031, 3, 11, 8, 0, tzinfo=SEOUL).astimezone(UTC)}
