"""A worker's heartbeat: it renews the leases of what it holds, and tells how many workers are alive.

While a slow provider takes minutes over a batch, the leases of its rows are renewed, so no other
worker takes them over and sends them a second time. The same beat registers the worker, so a limit
shared by every worker (a sender number's rate) can be divided by the number alive.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from schoolbell import timeutil
from schoolbell.alerts.models import Delivery, DeliveryStatus
from schoolbell.delivery.models import Worker
from schoolbell.extensions import db

log = logging.getLogger(__name__)
# A worker not heard from for this long is not counted among the living (it crashed).
ALIVE_SECONDS = 30.0


def renew_leases(worker: str, lease_seconds: float) -> int:
    """Push back the lease expiry of every delivery the worker is sending; returns how many."""
    now = timeutil.utcnow()
    result = db.session.execute(
        update(Delivery).where(Delivery.lease_owner == worker, Delivery.status == DeliveryStatus.SENDING)
        .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def beat(worker: str) -> int:
    """Record that the worker is alive; returns how many workers are (at least 1)."""
    now = timeutil.utcnow()
    found = db.session.execute(update(Worker).where(Worker.id == worker).values(heartbeat_at=now)
                               .execution_options(synchronize_session=False)).rowcount
    if not found:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(Worker).values(id=worker, heartbeat_at=now))
        except IntegrityError:
            pass
    alive = db.session.scalar(select(func.count()).select_from(Worker).where(
        Worker.heartbeat_at > now - timedelta(seconds=ALIVE_SECONDS)))
    db.session.commit()
    return max(1, alive or 0)


def forget(worker: str) -> None:
    """Remove a stopping worker from the living, so the others take its share at once."""
    db.session.execute(delete(Worker).where(Worker.id == worker))
    db.session.commit()


class Heartbeat:
    """A thread that renews the worker's leases and registers it every `interval` seconds."""

    def __init__(self, app: Flask, worker: str, lease_seconds: float,
                 on_alive: Callable[[int], None] = lambda alive: None):
        self.app, self.worker, self.lease_seconds = app, worker, lease_seconds
        self.interval = max(0.2, min(lease_seconds / 4, ALIVE_SECONDS / 3))
        self.on_alive = on_alive
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="schoolbell-heartbeat", daemon=True)

    def start(self) -> None:
        """Beat now, then every interval."""
        self._thread.start()

    def stop(self) -> None:
        """Stop beating and leave the living."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        with self.app.app_context():
            try:
                forget(self.worker)
            except DBAPIError:
                db.session.rollback()  # it will drop out of the count by itself
            finally:
                db.session.remove()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self.app.app_context():
                try:
                    renew_leases(self.worker, self.lease_seconds)
                    self.on_alive(beat(self.worker))
                except DBAPIError as error:
                    # The database is away: leases cannot be renewed, nor can anyone claim them.
                    log.warning("heartbeat of %s failed (%s); trying again", self.worker,
                                type(error.orig or error).__name__)
                    db.session.rollback()
                finally:
                    db.session.remove()
            self._stop.wait(self.interval)
