"""A thread-safe token bucket: at most `rate` sends per second, with a burst of one second's worth."""

from __future__ import annotations

import asyncio
import threading
import time


class RateLimiter:
    """Makes callers wait so that no more than `rate` acquisitions happen per second (0 = unlimited).

    Threads wait with `acquire`, coroutines with `acquire_async`; both may share one bucket.
    """

    def __init__(self, rate: float, clock=time.monotonic, sleep=time.sleep, async_sleep=asyncio.sleep):
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.clock, self.sleep, self.async_sleep = clock, sleep, async_sleep
        self.updated = clock()
        self.lock = threading.Lock()
        self._turn = asyncio.Lock()

    def set_rate(self, rate: float) -> None:
        """Change the rate (e.g. this worker's share of a limit all workers split)."""
        with self.lock:
            if rate == self.rate:
                return
            self.rate, self.capacity = rate, max(1.0, rate)
            self.tokens = min(self.tokens, self.capacity)

    def acquire(self) -> None:
        """Wait (blocking the thread) until a send is allowed."""
        while (wait := self._take()) > 0:
            self.sleep(wait)

    async def acquire_async(self) -> None:
        """Wait (yielding to the event loop) until a send is allowed; waiters go in turn."""
        if self.rate <= 0:
            return
        # One waiter polls the bucket at a time: hundreds of tasks waking for every token would
        # spend the worker's CPU on nothing.
        async with self._turn:
            while (wait := self._take()) > 0:
                await self.async_sleep(wait)

    def _take(self) -> float:
        """Take a token if one is there and return 0, else return how long to wait for one."""
        if self.rate <= 0:
            return 0.0
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            # Float refills land a hair under 1; without the tolerance a caller spins on tiny sleeps.
            if self.tokens >= 1 - 1e-9:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.rate
