"""Riding out a database outage: roll back, wait with backoff and jitter, reconnect, say so in the log."""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time

from sqlalchemy.exc import DBAPIError

from schoolbell.extensions import db

log = logging.getLogger(__name__)
FIRST_WAIT = 0.5
MAX_WAIT = 30.0


class DatabaseOutage:
    """The state of one process's wait for its database: when it began and how long to wait next."""

    def __init__(self, who: str, clock=time.monotonic):
        self.who, self.clock = who, clock
        self.failures = 0
        self.since: float | None = None

    def begin(self, error: DBAPIError) -> int:
        """Note a failed database call and drop the broken session; 1 when an outage starts here."""
        with contextlib.suppress(DBAPIError):  # a dead connection: removing the session discards it
            db.session.rollback()
        db.session.remove()
        self.failures += 1
        cause = type(error.orig or error).__name__
        if self.failures == 1:
            self.since = self.clock()
            log.warning("%s: database unavailable (%s: %s); waiting and reconnecting", self.who, cause,
                        str(error.orig or error).splitlines()[0][:200])
            return 1
        log.info("%s: database still unavailable after %.0f s (%s)", self.who, self.lasted(), cause)
        return 0

    def lasted(self) -> float:
        """Seconds since the outage began (0 when there is none)."""
        return 0.0 if self.since is None else self.clock() - self.since

    def wait(self, interrupt: threading.Event | None = None) -> None:
        """Sleep before the next try: 0.5 s doubling to 30 s, with jitter; `interrupt` cuts it short."""
        delay = min(MAX_WAIT, FIRST_WAIT * 2 ** min(self.failures - 1, 10)) * (0.5 + random.random())
        if interrupt is not None:
            interrupt.wait(delay)
        else:
            time.sleep(delay)

    def over(self) -> None:
        """The database answered again: log how long it was away, and reset."""
        if self.failures:
            log.warning("%s: database back after %.1f s", self.who, self.lasted())
        self.failures, self.since = 0, None
