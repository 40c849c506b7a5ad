"""`flask worker` as a real process: drains with --until-idle, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from schoolbell.alerts.models import Delivery, DeliveryStatus
from schoolbell.alerts.services import send_alert
from schoolbell.extensions import db
from schoolbell.simulator.testing import running_simulator
from tests import factories
from tests.clock import python_command

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT, TOKEN = "AC" + "2" * 32, "worker-token"


def worker_env(app, simulator) -> dict[str, str]:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    return {**os.environ, "FLASK_APP": "wsgi:app", "DATABASE_URL": url,
            "SCHOOLBELL_INSTANCE_DIR": app.instance_path, "SMS_BACKEND": "twilio",
            "EMAIL_BACKEND": "memory", "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_FROM_NUMBERS": "+15005550006", "TWILIO_API_BASE_URL": simulator.base_url,
            "DISPATCH_BATCH_SIZE": "10", "DISPATCH_SMS_CONCURRENCY": "2",
            # The worker holds routine messages in quiet hours: these tests are not about them.
            "QUIET_HOURS": "off", "SECRET_KEY": "worker-test-secret-key"}


def counts() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
    return {str(status): n for status, n in rows}


def make_alert(people: int):
    school = factories.school("7000001")
    for _ in range(people):
        factories.person((school, "guardian", 1, "1"), email=None)
    send_alert(factories.alert("routine", {"roles": ["guardian"]}), "test")
    db.session.commit()


def test_until_idle_drains_and_exits(app):
    make_alert(30)
    with running_simulator(account_sid=ACCOUNT, auth_token=TOKEN) as simulator:
        done = subprocess.run(python_command("flask", "worker", "--until-idle", "--json"),
                              env=worker_env(app, simulator), cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert '"sent": 30' in done.stdout
        assert len(simulator.received) == 30
    assert counts() == {"sent": 30}


def test_sigterm_finishes_the_batch_in_hand_and_leaves_nothing_leased(app):
    make_alert(60)
    with running_simulator(account_sid=ACCOUNT, auth_token=TOKEN, latency_ms=200) as simulator:
        worker = subprocess.Popen(python_command("flask", "worker", "--json"),
                                  env=worker_env(app, simulator), cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(simulator.received) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        received = len(simulator.received)
    after = counts()
    assert after.get("sending", 0) == 0  # nothing stranded under a lease
    assert 5 <= after.get("sent", 0) == received < 60  # it sent, stopped early, and recorded all it sent
    assert after.get("pending", 0) == 60 - received
    assert str(DeliveryStatus.SENT) in out


def test_an_operator_tells_workers_sessions_from_the_webs_on_postgresql(app):
    """pg_stat_activity names each session: who holds connections, and whose queries use the CPU."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's application_name")
        assert db.session.execute(text("SELECT current_setting('application_name')")).scalar() == "schoolbell"
        db.session.rollback()
    sessions = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'schoolbell-worker'"
                    " AND datname = current_database()")
    with running_simulator(account_sid=ACCOUNT, auth_token=TOKEN) as simulator:
        worker = subprocess.Popen(python_command("flask", "worker"), env=worker_env(app, simulator), cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline, seen = time.monotonic() + 60, 0
            while not seen and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.1)
                with app.app_context():
                    seen = db.session.execute(sessions).scalar()
                    db.session.rollback()
        finally:
            worker.send_signal(signal.SIGTERM)
            _, err = worker.communicate(timeout=60)
    assert seen, err
