"""Nothing lost when things break: a database away, a slow provider, lost answers, outages, crashes."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

import schoolbell.delivery.dispatcher as dispatcher_module
from schoolbell.alerts.models import Alert, AlertStatus, Delivery, DeliveryStatus
from schoolbell.alerts.reports import status_counts
from schoolbell.alerts.services import send_alert
from schoolbell.channels.errors import TransientError
from schoolbell.channels.memory import MemoryEmailBackend, MemorySmsBackend
from schoolbell.delivery.backends import Backends
from schoolbell.delivery.breaker import CircuitBreaker
from schoolbell.delivery.claims import claim
from schoolbell.delivery.dispatcher import Dispatcher, DispatcherSettings
from schoolbell.delivery.heartbeat import beat
from schoolbell.extensions import db
from tests import factories

QUICK = {"batch_size": 8, "sms_concurrency": 2, "email_threads": 1, "idle_sleep": 0.01, "drain_horizon": 0}


@dataclass(frozen=True)
class Family:
    id: int
    phone: str
    email: str


@pytest.fixture
def families(app):
    """Six guardians, as plain values: a worker riding out an outage drops the test's session too."""
    school = factories.school("7000001")
    people = [factories.person((school, "guardian", 1, "1")) for _ in range(6)]
    db.session.commit()
    return [Family(p.id, p.phone, p.email) for p in people]


def counts(alert_id: int) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(select(Delivery.status, func.count()).where(Delivery.alert_id == alert_id)
                              .group_by(Delivery.status)).all()
    return {str(status): n for status, n in rows}


def one_each(backends: Backends, people) -> bool:
    return (Counter(m.to for m in backends.sms.outbox) == Counter(p.phone for p in people)
            and Counter(m.to for m in backends.email.outbox) == Counter(p.email for p in people))


class SlowEmail(MemoryEmailBackend):
    """A relay that takes its time over every message."""

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = seconds

    def send(self, message) -> str:
        time.sleep(self.seconds)
        return super().send(message)


def test_a_worker_outlives_database_errors_and_writes_what_it_sent(app, backends, families, monkeypatch):
    alert = factories.alert("emergency", {"roles": ["guardian"]})
    send_alert(alert, "test")
    alert_id = alert.id
    real_claim, real_write = dispatcher_module.claim, dispatcher_module.write_outcome
    broken = {"claim": 2, "write": 2}

    def flaky(name, real):
        def call(*args, **kwargs):
            if broken[name]:
                broken[name] -= 1
                raise OperationalError("SELECT …", {}, sqlite3.OperationalError("connection closed"))
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(dispatcher_module, "claim", flaky("claim", real_claim))
    monkeypatch.setattr(dispatcher_module, "write_outcome", flaky("write", real_write))
    monkeypatch.setattr("schoolbell.delivery.db_outage.FIRST_WAIT", 0.01)
    dispatcher = Dispatcher(app, DispatcherSettings(**QUICK), backends)
    totals = dispatcher.run(until_idle=True)
    dispatcher.close()
    assert totals["database_outages"] == 2 and broken == {"claim": 0, "write": 0}
    assert one_each(backends, families)  # the batch sent before the write failed was not sent again
    assert counts(alert_id) == {"sent": 12}


def test_a_worker_waits_out_an_sqlite_lock_longer_than_its_busy_timeout(app, backends, families, monkeypatch):
    app.config["SQLITE_BUSY_TIMEOUT_MS"] = 100
    if db.engine.dialect.name != "sqlite":
        pytest.skip("an SQLite write lock")
    from schoolbell.database import configure_engine_events

    db.engine.dispose()
    configure_engine_events(app)
    monkeypatch.setattr("schoolbell.delivery.db_outage.FIRST_WAIT", 0.05)
    alert = factories.alert("emergency", {"roles": ["guardian"]})
    send_alert(alert, "test")
    alert_id = alert.id
    holder = sqlite3.connect(db.engine.url.database, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    threading.Timer(1.5, holder.rollback).start()  # someone holds the database for 1.5 s
    dispatcher = Dispatcher(app, DispatcherSettings(**QUICK), backends)
    totals = dispatcher.run(until_idle=True)
    dispatcher.close()
    holder.close()
    assert totals["database_outages"] >= 1
    assert one_each(backends, families) and counts(alert_id) == {"sent": 12}


def test_leases_are_renewed_while_a_slow_relay_sends_so_no_one_sends_twice(app, families):
    alert = factories.alert("emergency", {"roles": ["guardian"]})
    send_alert(alert, "test")
    relay, sms = SlowEmail(0.25), MemorySmsBackend()
    settings = DispatcherSettings(**{**QUICK, "batch_size": 100, "lease_seconds": 0.6})
    workers = [Dispatcher(app, settings, Backends(sms=sms, email=relay)) for _ in range(2)]

    def work(dispatcher):
        with app.app_context():
            dispatcher.run(until_idle=True)
            db.session.remove()

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    for thread in threads:
        thread.join(timeout=60)
    for worker in workers:
        worker.close()
    # 6 emails at 0.25 s outlast a 0.6 s lease: without renewal the idle worker took them over.
    assert Counter(m.to for m in relay.outbox) == Counter(p.email for p in families)
    assert counts(alert.id) == {"sent": 12}


def test_transient_errors_retry_until_the_deadline_then_give_up(app, backends, families, time_machine):
    start = datetime(2031, 3, 10, 1, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    target = families[0]
    backends.sms.fail_for[target.phone] = TransientError("could not connect", "connect")
    send_alert(factories.alert("emergency", {"roles": ["guardian"]}), "test")
    dispatcher = Dispatcher(app, DispatcherSettings(**QUICK), backends)
    for hours in (0, 1, 3, 5.9):  # an outage of hours inside the deadline: still retried
        time_machine.move_to(start + timedelta(hours=hours), tick=False)
        dispatcher.run(until_idle=True)
    row = db.session.scalar(select(Delivery).where(Delivery.contact_id == target.id,
                                                   Delivery.channel == "sms"))
    assert row.status is DeliveryStatus.PENDING and row.give_up_at == start + timedelta(hours=6)
    time_machine.move_to(start + timedelta(hours=6, minutes=10), tick=False)
    dispatcher.run(until_idle=True)
    dispatcher.close()
    db.session.refresh(row)
    assert row.status is DeliveryStatus.FAILED
    assert row.error_reason == "gave up after 6 h of transient errors; last: could not connect"


def test_a_due_retry_goes_before_fresh_rows_of_its_class(app, backends, families, time_machine):
    time_machine.move_to(datetime(2031, 3, 10, 1, 0, tzinfo=UTC), tick=False)
    backends.sms.fail_for[families[0].phone] = TransientError("busy", 20429, retry_after=7)
    first = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(first, "test")
    dispatcher = Dispatcher(app, DispatcherSettings(**{**QUICK, "batch_size": 100}), backends)
    dispatcher.run_once()
    dispatcher.close()
    second = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(second, "test")  # fresh rows, due since before the retry
    time_machine.move_to(datetime(2031, 3, 10, 1, 0, 20, tzinfo=UTC), tick=False)
    [taken] = claim("w", 1, 60)
    assert (taken.alert_id, taken.contact_id) == (first.id, families[0].id)


def test_after_a_crash_sms_are_checked_at_the_provider_and_emails_counted_as_maybe_twice(
        app, families, monkeypatch, time_machine):
    time_machine.move_to(datetime(2031, 3, 10, 1, 0, tzinfo=UTC), tick=False)
    provider = Backends(sms=MemorySmsBackend(), email=MemoryEmailBackend())
    alert = factories.alert("emergency", {"roles": ["guardian"]})
    send_alert(alert, "test")

    def killed(*_args, **_kwargs):
        raise SystemExit("kill -9")

    monkeypatch.setattr(dispatcher_module, "write_outcome", killed)
    crashed = Dispatcher(app, DispatcherSettings(**{**QUICK, "batch_size": 100}), provider)
    with pytest.raises(SystemExit):
        crashed.run_once()  # everything sent, nothing recorded
    crashed.close()
    monkeypatch.undo()
    db.session.rollback()
    assert counts(alert.id) == {"sending": 12}

    time_machine.move_to(datetime(2031, 3, 10, 1, 5, tzinfo=UTC), tick=False)  # the lease lapsed
    survivor = Dispatcher(app, DispatcherSettings(**QUICK), provider)
    totals = survivor.run(until_idle=True)
    survivor.close()
    assert totals["found"] == 6 and totals["sent_again"] == 6
    assert Counter(m.to for m in provider.sms.outbox) == Counter(p.phone for p in families)  # once
    report = status_counts(db.session.get(Alert, alert.id))
    assert report["maybe_duplicate"] == 6 and report["uncertain"] == 0
    assert db.session.get(Alert, alert.id).status is AlertStatus.SENT


def test_the_breaker_stops_sends_to_a_provider_that_is_down_and_probes():
    clock = [0.0]
    breaker = CircuitBreaker(clock=lambda: clock[0], trip_after=3)
    for _ in range(3):
        assert breaker.allow("sms")
        breaker.record("sms", ok=False)
    assert not breaker.allow("sms") and breaker.open_channels() == {"sms"}
    assert breaker.allow("email")  # one channel down is not both
    clock[0] = 2.1
    assert breaker.allow("sms") and not breaker.allow("sms")  # one probe at a time
    breaker.record("sms", ok=False)  # the probe failed: open twice as long
    clock[0] = 2.1 + 3.9
    assert not breaker.allow("sms")
    clock[0] = 2.1 + 4.1
    assert breaker.allow("sms")
    breaker.record("sms", ok=True)
    assert breaker.allow("sms") and not breaker.tripped()


def test_a_provider_outage_trips_the_breaker_and_everything_goes_once_it_is_back(app, families,
                                                                                 time_machine):
    time_machine.move_to(datetime(2031, 3, 10, 1, 0, tzinfo=UTC), tick=True)
    sms = MemorySmsBackend()
    for person in families:
        sms.fail_for[person.phone] = TransientError("could not connect", "connect")
    provider = Backends(sms=sms, email=MemoryEmailBackend())
    alert = factories.alert("emergency", {"roles": ["guardian"]})
    send_alert(alert, "test")
    # The first probe's success closes the circuit; what was held behind it goes a moment later.
    dispatcher = Dispatcher(app, DispatcherSettings(**{**QUICK, "drain_horizon": 5}), provider)
    dispatcher.breaker.trip_after = 3
    dispatcher.run_once()
    assert dispatcher.breaker.open_channels() == {"sms"}
    sms.fail_for.clear()  # the provider is back
    time_machine.shift(timedelta(hours=1))
    dispatcher.breaker.clock = lambda: time.monotonic() + 3600
    dispatcher.run(until_idle=True)
    dispatcher.close()
    assert one_each(provider, families) and counts(alert.id) == {"sent": 12}


def test_a_senders_rate_is_shared_by_the_living_workers(app, backends):
    dispatcher = Dispatcher(app, DispatcherSettings(**{**QUICK, "sms_rate": 4.0}), backends)
    assert beat("worker-a") == 1 and beat("worker-b") == 2
    dispatcher._share_rates(beat("worker-b"))
    assert dispatcher.sender.limiters["sms"].rate == 2.0
    dispatcher.close()
