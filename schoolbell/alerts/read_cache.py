"""Figures that cost the database seconds to read (a city-wide send is a million rows), shared for a while.

Each reading is kept for a time proportional to what it cost: pages that ask within that time get the
same reading, so however many people watch, the database spends at most 1/COST_FACTOR of its time on one.
Once a reading is due again, it is read anew in a thread of its own while every page, the one that
noticed included, is answered at once with the one before (stale while revalidating): during a
city-wide send no page waits behind a scan, only the very first one. A `read` may therefore run in
another thread after the page is gone: it captures ids and plain values, never the page's ORM objects.
Readings are shared by every web process of the machine through files (reading_files): gunicorn's
processes read a figure once between them, not once each.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from flask import Flask, current_app

from schoolbell import database
from schoolbell.alerts.reading_files import reading_files

COST_FACTOR = 4
# Tables beside a headline (per school, per alert of a list, confirmations) change slowly and cost the
# most at city scale: they take at most 1/16 of the database's time, while the headline (an alert's
# progress) stays as fresh as COST_FACTOR allows.
TABLE_COST_FACTOR = 16
SHORTEST_SECONDS = 2
# A reading older than this many of its keep-times is not shown while a new one is read: the page waits.
STALE_FACTOR = 10
# A page that finds another already reading what nobody has yet waits at most this long, then reads itself.
WAIT_FOR_OTHER_SECONDS = 30.0
# How often a page with nothing to show looks whether another process has finished the first reading.
OTHER_PROCESS_POLL_SECONDS = 0.05

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reading:
    """A value, what reading it cost, and when it was read (time.monotonic())."""

    value: Any
    seconds_to_read: float
    read_at: float = field(default_factory=time.monotonic)
    keep_at_least: float = 0  # figures nobody watches live (a month's totals) are kept longer
    cost_factor: float = COST_FACTOR

    @property
    def keep_seconds(self) -> int:
        """How long the reading is shared: at least 2 s, longer when it was slow to read."""
        return max(SHORTEST_SECONDS, math.ceil(self.seconds_to_read * self.cost_factor),
                   math.ceil(self.keep_at_least))

    def age(self, now: float) -> float:
        """Seconds since it was read."""
        return now - self.read_at

    def fresh(self, now: float) -> bool:
        """Whether it is still shared as it is."""
        return self.younger_than(self.keep_seconds, now)

    def younger_than(self, seconds: float, now: float) -> bool:
        """Read less than `seconds` ago (a reading from before the machine restarted never is)."""
        return 0 <= self.age(now) < seconds


class _Shared:
    """The readings of one app, and which keys are being read right now (by whom they are waited for)."""

    def __init__(self):
        self.readings: LRUCache = LRUCache(maxsize=1024)
        self.lock = threading.Lock()
        self.reading_now: dict[Hashable, threading.Event] = {}
        self.refreshing: set[threading.Thread] = set()


def _shared() -> _Shared:
    # On the app, not the module: each app (and each test's app) has its own readings.
    return current_app.extensions.setdefault("schoolbell.read_cache", _Shared())


def shared_reading(key: Hashable, read: Callable[[], Any], keep_at_least: float = 0,
                   cost_factor: float = COST_FACTOR) -> Reading:
    """The reading kept under `key`, or a new one made by `read()` and kept for `cost_factor` times
    its cost (and at least `keep_at_least` seconds).

    When the kept one is due again, it is returned at once and read anew in the background (once,
    however many pages ask meanwhile); with nothing to show, pages wait for the one read under way
    instead of starting the same scan side by side.
    """
    shared = _shared()
    while True:
        now = time.monotonic()
        with shared.lock:
            kept = shared.readings.get(key)
            if kept is not None and kept.fresh(now):
                return kept
            showable = kept is not None and kept.younger_than(kept.keep_seconds * STALE_FACTOR, now)
            under_way = shared.reading_now.get(key)
            if under_way is None:
                done = shared.reading_now[key] = threading.Event()
                if showable:
                    _refresh_in_background(shared, key, read, keep_at_least, cost_factor, done)
                    return kept
                break
            if showable:
                return kept
        if not under_way.wait(WAIT_FOR_OTHER_SECONDS):
            with shared.lock:  # the other reader is stuck: this page reads for itself
                if shared.reading_now.get(key) is under_way:
                    del shared.reading_now[key]
                    under_way.set()
    try:
        return _read_and_keep(shared, key, read, keep_at_least, cost_factor)
    finally:
        _finished(shared, key, done)


def _read_and_keep(shared: _Shared, key: Hashable, read: Callable[[], Any], keep_at_least: float,
                   cost_factor: float) -> Reading:
    reading = _once_per_machine(key, read, keep_at_least, cost_factor)
    with shared.lock:
        shared.readings[key] = reading
    return reading


def _finished(shared: _Shared, key: Hashable, done: threading.Event) -> None:
    with shared.lock:
        if shared.reading_now.get(key) is done:
            del shared.reading_now[key]
    done.set()


def _refresh_in_background(shared: _Shared, key: Hashable, read: Callable[[], Any], keep_at_least: float,
                           cost_factor: float, done: threading.Event) -> None:
    """Read `key` anew in a thread with its own app context and database session (called under the lock)."""
    app: Flask = current_app._get_current_object()

    def refresh() -> None:
        try:
            with app.app_context():
                _read_and_keep(shared, key, read, keep_at_least, cost_factor)
        except Exception:  # the kept reading stays; the next page that finds it due tries again
            log.exception("reading %s anew failed", _kind(key))
        finally:
            _finished(shared, key, done)
            with shared.lock:
                shared.refreshing.discard(thread)

    thread = threading.Thread(target=refresh, name=f"reading-{_kind(key)}", daemon=True)
    shared.refreshing.add(thread)
    thread.start()


def _kind(key: Hashable) -> str:
    return str(key[0] if isinstance(key, tuple) and key else key)


def settle(timeout: float = 30.0) -> None:
    """Wait for the readings being made in the background to be kept (tests; shutting an app down)."""
    shared = _shared()
    with shared.lock:
        running = list(shared.refreshing)
    for thread in running:
        thread.join(timeout)


def _once_per_machine(key: Hashable, read: Callable[[], Any], keep_at_least: float,
                      cost_factor: float) -> Reading:
    """The reading another process of the machine has just made, or a new one made here and kept for all."""
    files = reading_files()
    gave_up_at = time.monotonic() + WAIT_FOR_OTHER_SECONDS
    while True:
        kept = files.load(key)
        if kept is not None and kept.fresh(time.monotonic()):
            return kept
        with files.reading_lock(key) as ours:
            if ours:
                kept = files.load(key)  # the one who held the lock may have finished just now
                if kept is not None and kept.fresh(time.monotonic()):
                    return kept
                reading = _read(read, keep_at_least, cost_factor)
                files.save(key, reading)
                return reading
        if kept is not None and kept.younger_than(kept.keep_seconds * STALE_FACTOR, time.monotonic()):
            return kept  # another process reads it anew: this page shows the last one meanwhile
        if time.monotonic() > gave_up_at:  # the other reader is stuck: read for this page alone
            return _read(read, keep_at_least, cost_factor)
        time.sleep(OTHER_PROCESS_POLL_SECONDS)


def _read(read: Callable[[], Any], keep_at_least: float, cost_factor: float) -> Reading:
    started = time.monotonic()  # a duration, not a time of day: not the product's clock
    database.on_one_core()  # the pages being served meanwhile keep the other cores
    value = read()
    return Reading(value, time.monotonic() - started, keep_at_least=keep_at_least, cost_factor=cost_factor)
