"""The scheduler: APScheduler 3 with a memory job store, behind the single-scheduler lock.

Alert rows are the truth and the job is made anew at every start, so a persistent job store would
only add a pickled table; a memory store also lets a job be this runner's own bound method.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy.exc import DBAPIError

from schoolbell import timeutil
from schoolbell.delivery.db_outage import DatabaseOutage
from schoolbell.scheduling.due import send_due_alerts, upcoming
from schoolbell.scheduling.lock import acquire, new_holder_id, release, renew

log = logging.getLogger(__name__)
PASS_JOB = "due-work"


@dataclass(frozen=True)
class SchedulerSettings:
    """How often the scheduler looks for due work and shows it is alive."""

    poll_seconds: float = 15.0
    heartbeat_seconds: float = 10.0
    stale_seconds: float = 60.0

    @classmethod
    def from_config(cls, config) -> SchedulerSettings:
        """Settings from SCHEDULER_POLL_SECONDS, SCHEDULER_HEARTBEAT_SECONDS, SCHEDULER_LOCK_STALE_SECONDS."""
        return cls(poll_seconds=float(config.get("SCHEDULER_POLL_SECONDS", 15)),
                   heartbeat_seconds=float(config.get("SCHEDULER_HEARTBEAT_SECONDS", 10)),
                   stale_seconds=float(config.get("SCHEDULER_LOCK_STALE_SECONDS", 60)))


class SchedulerRunner:
    """One scheduler: takes the lock, runs APScheduler, renews the lock, lets go when stopped."""

    def __init__(self, app: Flask, settings: SchedulerSettings | None = None):
        self.app = app
        self.settings = settings or SchedulerSettings.from_config(app.config)
        self.holder = new_holder_id()
        self.done = threading.Event()  # stopped, or the lock was lost
        self.lost = False
        self._pass_lock = threading.Lock()
        self._stop_lock = threading.Lock()
        self._scheduler: BackgroundScheduler | None = None
        self._heartbeat: threading.Thread | None = None

    def start(self) -> None:
        """Take the lock (or raise SchedulerLockHeld) and start firing jobs; waits for the database."""
        outage = DatabaseOutage(f"scheduler {self.holder}")
        while True:
            with self.app.app_context():
                try:
                    acquire(self.holder, self.settings.stale_seconds, timeutil.utcnow())
                    outage.over()
                    break
                except DBAPIError as error:
                    outage.begin(error)
            outage.wait()
        try:
            self._scheduler = BackgroundScheduler(
                jobstores={"default": MemoryJobStore()},
                executors={"default": ThreadPoolExecutor(2)}, timezone=UTC,
                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
            # A pass at once: what fell due while no scheduler ran goes first (catch-up).
            self._scheduler.add_job(self.run_pass, "interval", seconds=self.settings.poll_seconds,
                                    id=PASS_JOB, next_run_time=timeutil.utcnow())
            self._scheduler.start()
        except BaseException:
            with self.app.app_context():
                release(self.holder)
            raise
        self._heartbeat = threading.Thread(target=self._beat, name="schoolbell-scheduler-heartbeat",
                                           daemon=True)
        self._heartbeat.start()
        log.info("scheduler %s started: due work every %.1f s", self.holder, self.settings.poll_seconds)

    def run_pass(self) -> None:
        """Send what is due, plan exact-time jobs for what falls due before the next pass."""
        if self.done.is_set() or not self._pass_lock.acquire(blocking=False):
            return  # the pass in progress sends everything due, this one's too
        try:
            with self.app.app_context():
                send_due_alerts()
                self._plan_exact_times()
                renew(self.holder, timeutil.utcnow(), passed=True)
        except Exception:
            log.exception("scheduler pass failed; the next pass tries again")
        finally:
            self._pass_lock.release()

    def _plan_exact_times(self) -> None:
        if self.done.is_set():
            return
        now = timeutil.utcnow()
        for alert_id, send_at in upcoming(now, now + timedelta(seconds=self.settings.poll_seconds)):
            self._scheduler.add_job(self.run_pass, "date", run_date=send_at, id=f"alert-{alert_id}",
                                    replace_existing=True)

    def _beat(self) -> None:
        while not self.done.wait(self.settings.heartbeat_seconds):
            try:
                with self.app.app_context():
                    held = renew(self.holder, timeutil.utcnow())
            except Exception:
                log.exception("scheduler heartbeat failed; trying again")
                continue
            if not held:
                log.error("scheduler %s lost its lock to another scheduler; stopping", self.holder)
                self.lost = True
                self._shut_down(release_lock=False)
                return

    def wait(self, timeout: float | None = None) -> bool:
        """Block until stopped or the lock is lost; True when done."""
        return self.done.wait(timeout)

    def stop(self) -> None:
        """Stop firing jobs, wait for a pass in progress, and let go of the lock."""
        self._shut_down(release_lock=not self.lost)
        if self._heartbeat is not None and self._heartbeat is not threading.current_thread():
            self._heartbeat.join(timeout=5)

    def _shut_down(self, release_lock: bool) -> None:
        with self._stop_lock:
            if self.done.is_set():
                return
            self.done.set()
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        if release_lock:
            with self.app.app_context():
                release(self.holder)
        log.info("scheduler %s stopped", self.holder)
