"""The dispatcher: sends each delivery once, retries what may succeed, records why anything failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from schoolbell import timeutil
from schoolbell.alerts.models import Alert, AlertStatus, Delivery, DeliveryStatus
from schoolbell.alerts.reports import failures_csv, status_counts
from schoolbell.alerts.services import cancel_alert, resend_failed, send_alert
from schoolbell.channels.errors import (
    MaybeSentError,
    PermanentError,
    RecipientBlockedError,
    TransientError,
)
from schoolbell.delivery.claims import claim
from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from tests import factories


@pytest.fixture
def classroom(app):
    school = factories.school("7000001")
    return [factories.person((school, "guardian", 1, "1"), language=("en" if n % 3 == 0 else "ko"))
            for n in range(12)]


def statuses(alert) -> dict[int, tuple[str, str]]:
    rows = db.session.execute(select(Delivery.contact_id, Delivery.channel, Delivery.status)
                              .where(Delivery.alert_id == alert.id)).all()
    return {(contact, str(channel)): str(status) for contact, channel, status in rows}


def test_every_person_gets_one_message_per_channel_in_their_language(dispatcher, backends, classroom):
    office = factories.office()
    office.sender_name_ko, office.sender_name_en = "서울시교육청", "Seoul Education Office"
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    totals = dispatcher.run(until_idle=True)
    assert totals["sent"] == 24
    assert sorted(m.to for m in backends.sms.outbox) == sorted(p.phone for p in classroom)
    by_number = {m.to: m.body for m in backends.sms.outbox}
    for person in classroom:
        expected = ("[Seoul Education Office] Deepfake warning" if person.language == "en"
                    else "[서울시교육청] 딥페이크 주의")
        assert by_number[person.phone].startswith(expected)
    korean_mail = next(m for m in backends.email.outbox if m.language == "ko")
    assert korean_mail.subject == "딥페이크 주의" and "112" in korean_mail.text
    assert korean_mail.unsubscribe_url.startswith("http://schoolbell.test/u/")
    assert korean_mail.unsubscribe_url in korean_mail.text  # visible, not only a header
    assert set(statuses(alert).values()) == {"sent"}
    assert db.session.get(Alert, alert.id).status is AlertStatus.SENT
    # Nothing is sent twice when the worker runs again.
    dispatcher.run(until_idle=True)
    assert len(backends.sms.outbox) == 12


def test_transient_errors_retry_with_backoff_honouring_retry_after(dispatcher, backends, classroom,
                                                                   time_machine):
    time_machine.move_to(datetime(2031, 3, 10, 1, 0, tzinfo=UTC), tick=False)
    target = classroom[0]
    backends.sms.fail_for[target.phone] = TransientError("busy", 20429, retry_after=30)
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    before = timeutil.utcnow()
    dispatcher.run(until_idle=True)
    row = db.session.scalar(select(Delivery).where(Delivery.contact_id == target.id,
                                                   Delivery.channel == "sms"))
    assert row.status is DeliveryStatus.PENDING and row.error_code == "20429"
    assert row.attempts == 1
    assert row.next_attempt_at >= before + timedelta(seconds=30)
    # Time passes, the provider recovers, the retry goes through.
    del backends.sms.fail_for[target.phone]
    time_machine.move_to(row.next_attempt_at, tick=False)
    dispatcher.run(until_idle=True)
    db.session.refresh(row)
    assert row.status is DeliveryStatus.SENT and row.attempts == 2
    assert [m.to for m in backends.sms.outbox].count(target.phone) == 1


def test_permanent_failure_keeps_its_reason_falls_back_to_email_and_can_be_resent(
        dispatcher, backends, app):
    school = factories.school("7000001")
    sms_only_fails = factories.person((school, "guardian", 1, "1"), email="parent@example.com",
                                      email_consent=True, preferred_channel="sms")
    no_email = factories.person((school, "guardian", 1, "1"), email=None)
    for person in (sms_only_fails, no_email):
        backends.sms.fail_for[person.phone] = PermanentError("Invalid 'To' phone number", 21211)
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    totals = dispatcher.run(until_idle=True)
    assert totals["failed"] == 2 and totals["fallback"] == 1
    got = statuses(alert)
    assert got[(sms_only_fails.id, "sms")] == "failed"
    assert got[(sms_only_fails.id, "email")] == "sent"  # the fallback
    assert got[(no_email.id, "sms")] == "failed"
    assert [m.to for m in backends.email.outbox] == ["parent@example.com"]
    fallback = db.session.scalar(select(Delivery).where(Delivery.channel == "email"))
    assert fallback.is_fallback
    assert status_counts(alert)["fallback"] == 1
    report = failures_csv(alert)
    assert "21211" in report and "Invalid 'To' phone number" in report
    assert no_email.phone not in report and no_email.phone[:5] + "****" in report

    backends.sms.fail_for.clear()
    assert resend_failed(alert, "office-kim") == 2
    dispatcher.run(until_idle=True)
    assert statuses(alert)[(no_email.id, "sms")] == "sent"
    assert len(backends.email.outbox) == 1  # the resend went to the failed people only


def test_unsubscribed_recipient_is_blocked_for_sms(dispatcher, backends, classroom):
    target = classroom[1]
    backends.sms.fail_for[target.phone] = RecipientBlockedError("unsubscribed", 21610)
    send_alert(factories.alert("emergency", {"roles": ["guardian"]}), "test")
    dispatcher.run(until_idle=True)
    db.session.refresh(target)
    assert target.sms_blocked_reason.startswith("21610")
    second = factories.alert("emergency", {"roles": ["guardian"]})
    send_alert(second, "test")
    assert (target.id, "sms") not in statuses(second)  # even an emergency never breaks a hard block


def test_a_send_whose_answer_was_lost_is_asked_about_not_sent_twice(dispatcher, backends, classroom,
                                                                    time_machine):
    time_machine.move_to(datetime(2031, 3, 10, 1, 0, tzinfo=UTC), tick=False)
    arrived, lost = classroom[1], classroom[2]
    # The provider kept one message but the answer never came back; the other never arrived.
    backends.sms.keep_then_fail[arrived.phone] = MaybeSentError("connection reset after sending")
    backends.sms.fail_for[lost.phone] = MaybeSentError("read timeout")
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    totals = dispatcher.run(until_idle=True)
    assert totals["uncertain"] == 2
    assert status_counts(alert)["uncertain"] == 2
    rows = {row.contact_id: row for row in db.session.scalars(
        select(Delivery).where(Delivery.channel == "sms", Delivery.contact_id.in_([arrived.id, lost.id])))}
    assert {(row.status, row.uncertain) for row in rows.values()} == {(DeliveryStatus.PENDING, True)}

    del backends.sms.fail_for[lost.phone]
    time_machine.move_to(max(row.next_attempt_at for row in rows.values()), tick=False)
    totals = dispatcher.run(until_idle=True)
    assert totals["found"] == 1  # the provider had it: recorded with its reference, not sent again
    assert [m.to for m in backends.sms.outbox].count(arrived.phone) == 1
    assert [m.to for m in backends.sms.outbox].count(lost.phone) == 1  # it had not: sent now
    db.session.expire_all()
    counts = status_counts(alert)
    assert counts["uncertain"] == 0 and counts["maybe_duplicate"] == 0
    assert set(counts["by_status"]) == {"sent"}


def test_emergency_goes_before_routine(dispatcher, backends, classroom):
    routine = factories.alert("routine", {"roles": ["guardian"]}, title_ko="일반", title_en="Routine")
    emergency = factories.alert("emergency", {"roles": ["guardian"]}, title_ko="긴급", title_en="Now")
    send_alert(routine, "test")
    send_alert(emergency, "test")
    first = claim("w", 24, 60)
    assert {d.alert_id for d in first} == {emergency.id}


def test_a_crashed_workers_lease_is_taken_over_after_it_expires(dispatcher, backends, classroom):
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    crashed = claim("crashed-worker", 10, lease_seconds=60)
    assert len(crashed) == 10
    dispatcher.run_once()
    assert len(backends.sms.outbox) + len(backends.email.outbox) == 14  # the leased ten wait
    db.session.execute(update(Delivery).where(Delivery.lease_owner == "crashed-worker")
                       .values(lease_expires_at=timeutil.utcnow() - timedelta(seconds=1)))
    db.session.commit()
    dispatcher.run(until_idle=True)
    assert len(backends.sms.outbox) + len(backends.email.outbox) == 24
    assert set(statuses(alert).values()) == {"sent"}


def test_cancel_stops_what_has_not_been_sent(dispatcher, backends, classroom):
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    claim("busy-worker", 4, 60)  # four are in flight elsewhere; they are not recalled
    assert cancel_alert(alert, "office-kim") == 20
    dispatcher.run_once()
    assert backends.sms.outbox == [] and backends.email.outbox == []
    assert db.session.get(Alert, alert.id).status is AlertStatus.CANCELLED
    assert sorted(set(statuses(alert).values())) == ["cancelled", "sending"]


def test_a_person_whose_phone_was_removed_after_fan_out_is_skipped(dispatcher, backends, classroom):
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    db.session.execute(update(Contact).where(Contact.id == classroom[0].id).values(phone=None))
    db.session.commit()
    dispatcher.run(until_idle=True)
    assert statuses(alert)[(classroom[0].id, "sms")] == "skipped"


def test_rate_limited_workers_claim_no_more_than_they_can_send_before_the_lease_ends(app, backends,
                                                                                    classroom):
    from schoolbell.delivery.dispatcher import PIPELINE_DEPTH, Dispatcher, DispatcherSettings

    # Two SMS a second with a 10 s lease: holding more than ten would outlive the lease, and
    # another worker would take the rest over and send them a second time.
    settings = DispatcherSettings(batch_size=500, sms_rate=2, lease_seconds=10, drain_horizon=0)
    assert settings.in_hand == 10 and settings.flight_size == 10 // PIPELINE_DEPTH
    assert DispatcherSettings(batch_size=500).in_hand == 500  # no limit, no cut
    send_alert(factories.alert("routine", {"roles": ["guardian"]}), "test")
    dispatcher = Dispatcher(app, settings, backends)
    try:
        assert dispatcher.run_once() == 10
    finally:
        dispatcher.close()


def test_a_worker_preferring_email_sends_every_due_email_before_taking_sms(app, backends, classroom):
    from schoolbell.delivery.dispatcher import Dispatcher, DispatcherSettings

    alert = factories.alert("emergency", {"roles": ["guardian"]})
    send_alert(alert, "test")
    settings = DispatcherSettings(batch_size=8, sms_concurrency=2, idle_sleep=0.01, drain_horizon=0,
                                  prefer="email")
    worker = Dispatcher(app, settings, backends)
    try:
        assert worker.run_once() == 8
        assert (len(backends.email.outbox), len(backends.sms.outbox)) == (8, 0)
        assert worker.run_once() == 8  # the last 4 emails, and SMS to fill the batch
        assert (len(backends.email.outbox), len(backends.sms.outbox)) == (12, 4)
        worker.run(until_idle=True)
        assert (len(backends.email.outbox), len(backends.sms.outbox)) == (12, 12)
    finally:
        worker.close()
    assert set(statuses(alert).values()) == {"sent"}


def test_a_preferred_channel_that_is_not_one_is_refused_by_name(app):
    from schoolbell.settings import SettingsError, check_settings

    with pytest.raises(SettingsError, match="DISPATCH_PREFER_CHANNEL must be sms, email or empty, got 'fax'"):
        check_settings({**app.config, "DISPATCH_PREFER_CHANNEL": "fax"})
    result = app.test_cli_runner().invoke(args=["worker", "--prefer", "fax", "--until-idle"])
    assert result.exit_code == 2 and "'fax' is not one of 'sms', 'email'" in result.output
