"""When to try a transient failure again: exponential backoff with jitter, honouring Retry-After."""

from __future__ import annotations

import random

BASE_SECONDS = 5.0
CAP_SECONDS = 15 * 60.0
MAX_ATTEMPTS = 6


def backoff_seconds(attempt: int, retry_after: float | None = None,
                    rng: random.Random | None = None) -> float:
    """Seconds to wait after the given failed attempt (1-based); never less than Retry-After."""
    rng = rng or random
    exponential = min(CAP_SECONDS, BASE_SECONDS * 2 ** max(0, attempt - 1))
    # Full jitter in [½, 1½) spreads a burst of retries instead of synchronising them.
    delay = exponential * (0.5 + rng.random())
    return max(delay, retry_after or 0.0)


def gives_up(attempt: int) -> bool:
    """True when a transient failure has been retried enough and should count as failed."""
    return attempt >= MAX_ATTEMPTS
