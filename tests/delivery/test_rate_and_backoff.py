"""Backoff grows, jitters and honours Retry-After; the rate limiter holds senders to their rate."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

from schoolbell.alerts.models import AlertClass
from schoolbell.delivery.ratelimit import RateLimiter
from schoolbell.delivery.retry import CAP_SECONDS, backoff_seconds, gave_up_reason, give_up_at


def test_backoff_doubles_with_jitter_and_is_capped():
    rng = random.Random(3)
    first = [backoff_seconds(1, rng=rng) for _ in range(200)]
    third = [backoff_seconds(3, rng=rng) for _ in range(200)]
    assert min(first) >= 2.5 and max(first) < 7.5 and len(set(first)) > 150
    assert min(third) >= 10 and max(third) < 30
    assert max(backoff_seconds(30, rng=rng) for _ in range(50)) < CAP_SECONDS * 1.5


def test_retry_after_is_a_floor():
    assert backoff_seconds(1, retry_after=120, rng=random.Random(1)) == 120
    assert backoff_seconds(400, rng=random.Random(1)) < CAP_SECONDS * 1.5  # no overflow, however many


def test_transient_failures_are_retried_until_a_deadline_per_class():
    first = datetime(2031, 3, 10, 1, 0, tzinfo=UTC)
    assert give_up_at(AlertClass.EMERGENCY, first) == first + timedelta(hours=6)
    assert give_up_at("routine", first) == first + timedelta(hours=24)
    assert gave_up_reason("emergency", "could not connect") == \
        "gave up after 6 h of transient errors; last: could not connect"


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds

    async def async_sleep(self, seconds):
        self.now += seconds


def test_rate_limiter_allows_rate_per_second():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        limiter.acquire()
    # 10 to start with (one second's burst), then 10 per second: 90 more take 9 seconds.
    assert 8.9 <= clock.now <= 9.1


def test_zero_rate_means_unlimited():
    clock = FakeClock()
    limiter = RateLimiter(0, clock=clock, sleep=clock.sleep)
    for _ in range(1000):
        limiter.acquire()
    assert clock.now == 0


def test_coroutines_share_the_rate_and_wait_in_turn():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep, async_sleep=clock.async_sleep)
    order: list[int] = []

    async def sender(number: int):
        await limiter.acquire_async()
        order.append(number)

    async def main():
        await asyncio.gather(*(sender(n) for n in range(50)))

    asyncio.run(main())
    # 10 at once, then 40 more at 10 per second, first come first served.
    assert 3.9 <= clock.now <= 4.1
    assert order == list(range(50))
