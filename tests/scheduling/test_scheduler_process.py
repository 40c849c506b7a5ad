"""The real `flask scheduler` process: killed and restarted around a due time, the alert goes exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from schoolbell import timeutil
from schoolbell.alerts.models import Alert, AlertEvent, AlertStatus, Delivery
from schoolbell.alerts.services import schedule_alert
from schoolbell.channels.memory import MemoryEmailBackend, MemorySmsBackend
from schoolbell.delivery.backends import Backends
from schoolbell.delivery.dispatcher import Dispatcher, DispatcherSettings
from schoolbell.extensions import db
from schoolbell.scheduling.lock import current
from tests import factories
from tests.clock import python_command

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0  # generous: a loaded two-core machine starts a Flask process in seconds, not minutes
pytestmark = pytest.mark.slow


class Scheduler:
    """One `flask scheduler` subprocess whose output goes to a file (a pipe nobody reads could block)."""

    def __init__(self, app, tmp_path: Path, name: str):
        self.log_path = tmp_path / f"{name}.log"
        env = {**os.environ, "FLASK_APP": "wsgi:app",
               "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
               "SCHOOLBELL_INSTANCE_DIR": str(tmp_path / "instance"),
               "SCHEDULER_POLL_SECONDS": "0.5", "SCHEDULER_HEARTBEAT_SECONDS": "0.5",
               "SCHEDULER_LOCK_STALE_SECONDS": "60", "SMS_BACKEND": "memory", "EMAIL_BACKEND": "memory",
               # Stated, not inherited: the alert here is an emergency, which quiet hours never hold.
               "QUIET_HOURS": "21:00-08:00", "SECRET_KEY": "scheduler-test-secret-key"}
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(python_command("flask", "scheduler"), cwd=ROOT, env=env,
                                            stdout=log, stderr=subprocess.STDOUT)

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def holds_lock(self):
        state = current()
        return state if state and f":{self.process.pid}:" in state.holder else None

    def wait_for_passes(self, count: int) -> None:
        """Wait until this scheduler has finished `count` more passes over due work."""
        for _ in range(count):
            before = self.holds_lock().last_pass_at
            wait_for(lambda b=before: (s := self.holds_lock()) and s.last_pass_at and s.last_pass_at != b,
                     f"a pass of scheduler {self.process.pid}", self)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=DEADLINE)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=DEADLINE)


def wait_for(condition, what: str, scheduler: Scheduler | None = None):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh look at what the other process committed
        if value := condition():
            return value
        if scheduler is not None and scheduler.process.poll() is not None:
            raise AssertionError(f"scheduler exited while waiting for {what}:\n{scheduler.log}")
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}" + (f":\n{scheduler.log}" if scheduler else ""))


@pytest.fixture
def schedulers(app, tmp_path):
    started: list[Scheduler] = []

    def start(name: str) -> Scheduler:
        started.append(Scheduler(app, tmp_path, name))
        return started[-1]

    yield start
    for scheduler in started:
        if scheduler.process.poll() is None:
            scheduler.kill()


def sent_events(alert_id: int) -> list[AlertEvent]:
    return list(db.session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert_id,
                                                            AlertEvent.action == "sent")))


def test_killed_and_restarted_around_the_due_time_the_alert_goes_exactly_once(app, schedulers):
    school = factories.school("7000001")
    people = [factories.person((school, "guardian", 1, "1")) for _ in range(5)]
    alert = factories.alert("emergency", {"roles": ["guardian"]})
    alert_id = alert.id

    first = schedulers("first")
    wait_for(lambda: first.holds_lock() and first.holds_lock().last_pass_at, "the first scheduler", first)
    due = timeutil.utcnow() + timedelta(seconds=4)
    schedule_alert(alert, due, "office-kim")
    first.kill()  # down before the due time...
    assert db.session.get(Alert, alert_id).status is AlertStatus.SCHEDULED
    time.sleep(max(0.0, (due - timeutil.utcnow()).total_seconds()) + 1.0)  # ...and still down after it
    db.session.rollback()
    assert db.session.get(Alert, alert_id).status is AlertStatus.SCHEDULED
    assert sent_events(alert_id) == []

    second = schedulers("second")  # the killed holder's lock is taken over at once
    wait_for(lambda: db.session.get(Alert, alert_id, populate_existing=True).status is AlertStatus.SENDING,
             "the restarted scheduler to send the missed alert", second)
    second.wait_for_passes(3)
    second.kill()  # killed after sending: the next one must not send again
    third = schedulers("third")
    wait_for(third.holds_lock, "the third scheduler", third)
    third.wait_for_passes(3)
    assert third.stop() == 0
    assert current() is None  # a clean stop frees the lock

    [event] = sent_events(alert_id)
    assert event.actor == "scheduler" and event.detail["late_seconds"] >= 1.0
    assert db.session.get(Alert, alert_id).fanned_out_at > due
    assert f"alert {alert_id} sent" in second.log
    assert f"alert {alert_id} sent" not in third.log
    deliveries = db.session.scalar(select(func.count()).select_from(Delivery)
                                   .where(Delivery.alert_id == alert_id))
    assert deliveries == 2 * len(people)

    backends = Backends(sms=MemorySmsBackend(), email=MemoryEmailBackend())
    Dispatcher(app, DispatcherSettings(sms_concurrency=2, idle_sleep=0.01, drain_horizon=0), backends).run(
        until_idle=True)
    assert Counter(m.to for m in backends.sms.outbox) == Counter({p.phone: 1 for p in people})
    assert Counter(m.to for m in backends.email.outbox) == Counter({p.email: 1 for p in people})


def test_a_second_scheduler_process_refuses_to_run(app, schedulers):
    first = schedulers("first")
    wait_for(first.holds_lock, "the first scheduler", first)
    second = schedulers("second")
    assert second.process.wait(timeout=DEADLINE) == 1
    assert "another scheduler is already running against this database" in second.log
    assert f":{first.process.pid}:" in second.log
    assert first.process.poll() is None and first.holds_lock()
    assert first.stop() == 0
