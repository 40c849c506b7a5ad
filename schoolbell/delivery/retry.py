"""When to try a transient failure again: backoff with jitter honouring Retry-After, until a deadline.

A provider outage of any length inside the deadline ends with everything sent; only after the
deadline of its alert class does a delivery fail, with the reason "gave up after …".
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from schoolbell.alerts.models import AlertClass

BASE_SECONDS = 5.0
CAP_SECONDS = 5 * 60.0  # an outage's end is noticed within minutes, not a quarter-hour
# How long transient failures are retried, by alert class: an emergency past 6 h is old news.
DEADLINES = {AlertClass.EMERGENCY: timedelta(hours=6), AlertClass.URGENT: timedelta(hours=12),
             AlertClass.ROUTINE: timedelta(hours=24), AlertClass.CURRICULUM: timedelta(hours=24)}


def backoff_seconds(attempt: int, retry_after: float | None = None,
                    rng: random.Random | None = None) -> float:
    """Seconds to wait after the given failed attempt (1-based); never less than Retry-After."""
    rng = rng or random
    exponential = min(CAP_SECONDS, BASE_SECONDS * 2 ** max(0, min(attempt, 30) - 1))
    # Full jitter in [½, 1½) spreads a burst of retries instead of synchronising them.
    delay = exponential * (0.5 + rng.random())
    return max(delay, retry_after or 0.0)


def give_up_at(alert_class: AlertClass | str, first_failure: datetime) -> datetime:
    """When a delivery whose first transient failure was at `first_failure` stops being retried."""
    return first_failure + DEADLINES[AlertClass(alert_class)]


def gave_up_reason(alert_class: AlertClass | str, last_reason: str) -> str:
    """The failure reason once the deadline has passed, naming it and the provider's last answer."""
    hours = DEADLINES[AlertClass(alert_class)].total_seconds() / 3600
    return f"gave up after {hours:g} h of transient errors; last: {last_reason}"[:500]
