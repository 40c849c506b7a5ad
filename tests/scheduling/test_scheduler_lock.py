"""One scheduler per database: a live holder refuses a second, a silent or dead one is replaced."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from schoolbell.extensions import db
from schoolbell.scheduling.lock import SchedulerLockHeld, acquire, current, release, renew
from schoolbell.scheduling.models import SchedulerLock
from schoolbell.scheduling.runner import SchedulerRunner, SchedulerSettings

T0 = datetime(2031, 3, 10, 1, 0, tzinfo=UTC)
HERE = socket.gethostname()


def seconds(n: float) -> datetime:
    return T0 + timedelta(seconds=n)


def wait_for(condition, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # see other threads' commits
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_live_holder_refuses_a_second_scheduler(app):
    acquire("other-host:1:aaaaaa", stale_after=60, now=T0)
    with pytest.raises(SchedulerLockHeld) as refused:
        acquire("me:2:bbbbbb", stale_after=60, now=seconds(59))
    message = str(refused.value)
    assert "another scheduler is already running" in message and "other-host:1:aaaaaa" in message
    assert "59 s ago" in message and "after 60 s" in message
    assert current().holder == "other-host:1:aaaaaa"


def test_heartbeats_keep_the_lock_and_silence_loses_it(app):
    acquire("other-host:1:aaaaaa", stale_after=60, now=T0)
    assert renew("other-host:1:aaaaaa", seconds(50))
    with pytest.raises(SchedulerLockHeld):
        acquire("me:2:bbbbbb", stale_after=60, now=seconds(100))  # 50 s since the last heartbeat
    acquire("me:2:bbbbbb", stale_after=60, now=seconds(111))  # 61 s: taken over
    state = current()
    assert state.holder == "me:2:bbbbbb" and state.acquired_at == seconds(111)
    assert state.last_pass_at is None
    assert not renew("other-host:1:aaaaaa", seconds(112))  # the old holder learns it lost
    assert renew("me:2:bbbbbb", seconds(112), passed=True)
    assert current().last_pass_at == seconds(112)


def test_release_lets_the_next_one_start_at_once(app):
    acquire("other-host:1:aaaaaa", stale_after=60, now=T0)
    release("me:2:bbbbbb")  # not the holder: nothing happens
    assert current().holder == "other-host:1:aaaaaa"
    release("other-host:1:aaaaaa")
    assert current() is None
    acquire("me:2:bbbbbb", stale_after=60, now=seconds(1))
    assert current().holder == "me:2:bbbbbb"


def test_a_killed_holder_on_this_host_is_replaced_without_waiting(app):
    finished = subprocess.Popen(["true"])
    finished.wait()
    acquire(f"{HERE}:{finished.pid}:aaaaaa", stale_after=60, now=T0)
    acquire(f"{HERE}:{os.getpid()}:bbbbbb", stale_after=60, now=seconds(1))
    assert current().holder.endswith(":bbbbbb")


def test_a_live_holder_on_this_host_is_respected(app):
    acquire(f"{HERE}:{os.getppid()}:aaaaaa", stale_after=60, now=T0)
    with pytest.raises(SchedulerLockHeld):
        acquire(f"{HERE}:{os.getpid()}:bbbbbb", stale_after=60, now=seconds(1))


QUICK = SchedulerSettings(poll_seconds=3600, heartbeat_seconds=0.2, stale_seconds=60)


def test_a_second_runner_is_refused_and_starts_once_the_first_stops(app):
    first, second = SchedulerRunner(app, QUICK), SchedulerRunner(app, QUICK)
    first.start()
    try:
        wait_for(lambda: current() and current().last_pass_at, "the first scheduler's catch-up pass")
        with pytest.raises(SchedulerLockHeld, match=first.holder):
            second.start()
    finally:
        first.stop()
    assert current() is None
    second.start()
    try:
        assert current().holder == second.holder
    finally:
        second.stop()


def test_a_runner_that_loses_its_lock_stops(app):
    runner = SchedulerRunner(app, QUICK)
    runner.start()
    try:
        db.session.execute(update(SchedulerLock).values(holder="thief:1:cccccc"))
        db.session.commit()
        assert runner.wait(timeout=60), "the runner kept going without its lock"
        assert runner.lost
    finally:
        runner.stop()
    assert current().holder == "thief:1:cccccc"  # it does not release a lock it no longer holds


def test_serve_refuses_to_start_a_second_scheduler(app, runner, monkeypatch):
    import werkzeug.serving

    def must_not_serve(*args, **kwargs):
        raise AssertionError("served although another scheduler runs")

    monkeypatch.setattr(werkzeug.serving, "run_simple", must_not_serve)
    acquire("other-host:1:aaaaaa", stale_after=60)
    result = runner.invoke(args=["serve", "--port", "0"])
    assert result.exit_code != 0
    assert "another scheduler is already running" in result.output
    assert "flask serve --no-background" in result.output


def test_serve_runs_the_scheduler_in_process_and_lets_go_at_exit(app, runner, monkeypatch):
    import werkzeug.serving

    seen = {}

    def serve(*args, **kwargs):
        db.session.rollback()
        seen["holder"] = current().holder

    monkeypatch.setattr(werkzeug.serving, "run_simple", serve)
    result = runner.invoke(args=["serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert f":{os.getpid()}:" in seen["holder"]
    db.session.rollback()
    assert current() is None
