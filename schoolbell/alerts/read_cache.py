"""Figures that cost the database seconds to read (a city-wide send is a million rows), shared for a while.

Each reading is kept for a time proportional to what it cost: pages that ask within that time get the
same reading, so however many people watch, the database spends at most 1/COST_FACTOR of its time on one.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from cachetools import TLRUCache
from flask import current_app

COST_FACTOR = 4
SHORTEST_SECONDS = 2


@dataclass(frozen=True)
class Reading:
    """A value and what reading it cost."""

    value: Any
    seconds_to_read: float

    @property
    def keep_seconds(self) -> int:
        """How long the reading is shared: at least 2 s, longer when it was slow to read."""
        return max(SHORTEST_SECONDS, math.ceil(self.seconds_to_read * COST_FACTOR))


def _shared() -> tuple[TLRUCache, threading.Lock]:
    # On the app, not the module: each app (and each test's app) has its own readings.
    return current_app.extensions.setdefault("schoolbell.read_cache", (
        TLRUCache(maxsize=1024, ttu=lambda _key, reading, now: now + reading.keep_seconds,
                  timer=time.monotonic),
        threading.Lock()))


def shared_reading(key: Hashable, read: Callable[[], Any]) -> Reading:
    """The reading kept under `key`, or a new one made by `read()` and kept for its cost."""
    cache, lock = _shared()
    with lock:
        kept = cache.get(key)
    if kept is not None:
        return kept
    started = time.monotonic()  # a duration, not a time of day: not the product's clock
    reading = Reading(read(), time.monotonic() - started)
    with lock:
        cache[key] = reading
    return reading
