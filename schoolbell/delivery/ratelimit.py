"""A thread-safe token bucket: at most `rate` sends per second, with a burst of one second's worth."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    """Blocks callers so that no more than `rate` acquisitions happen per second (0 = unlimited)."""

    def __init__(self, rate: float, clock=time.monotonic, sleep=time.sleep):
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.clock, self.sleep = clock, sleep
        self.updated = clock()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        """Wait until a send is allowed."""
        if self.rate <= 0:
            return
        while True:
            with self.lock:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                # Float refills land a hair under 1; without the tolerance a caller spins on tiny sleeps.
                if self.tokens >= 1 - 1e-9:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            self.sleep(wait)
