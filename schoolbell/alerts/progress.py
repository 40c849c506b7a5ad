"""A send in progress: where its messages are, how fast they go, when it will be done, and over time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, literal_column, select

from schoolbell import database, timeutil
from schoolbell.alerts.models import Alert, AlertStatus, Delivery, DeliveryStatus
from schoolbell.extensions import db

# The rate is what went to providers in this last window; short enough to follow a change of pace.
RATE_WINDOW = timedelta(seconds=60)
TIMELINE_MINUTES = 60
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
FAILED = (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED)
OUT_OF_THE_COUNT = (DeliveryStatus.SKIPPED, DeliveryStatus.CANCELLED)


@dataclass
class Progress:
    """Messages of one alert by where they are, with pace and an estimate of the time left."""

    delivered: int = 0
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    not_sent: int = 0  # skipped or cancelled: never going
    per_minute: int = 0
    quiet_until: datetime | None = None
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Messages that are going or went."""
        return self.delivered + self.sent + self.failed + self.waiting

    @property
    def handed_over(self) -> int:
        """Messages a provider has taken (delivered, sent, or failed after sending)."""
        return self.delivered + self.sent + self.failed

    def share(self, part: int) -> float:
        """A part of the total, in percent with a tenth."""
        return round(100 * part / self.total, 1) if self.total else 0.0

    @property
    def done_percent(self) -> float:
        """How much of the send is handed over."""
        return self.share(self.handed_over) if self.total else 100.0

    @property
    def seconds_left(self) -> int | None:
        """At the last minute's pace, how long the waiting messages will take; None when nothing moves."""
        if not self.waiting:
            return 0
        if self.quiet_until is not None or not self.per_minute:
            return None
        return round(self.waiting / self.per_minute * 60)


def progress(alert: Alert) -> Progress:
    """Where the alert's messages are now."""
    found = Progress()
    since = timeutil.utcnow() - RATE_WINDOW
    rows = db.session.execute(
        select(Delivery.channel, Delivery.status, func.count(),
               func.count().filter(Delivery.sent_at >= since))
        .where(Delivery.alert_id == alert.id).group_by(Delivery.channel, Delivery.status))
    for channel, status, count, recent in rows:
        found.by_channel.setdefault(str(channel), {})[str(status)] = count
        found.per_minute += recent
        if status is DeliveryStatus.DELIVERED:
            found.delivered += count
        elif status is DeliveryStatus.SENT:
            found.sent += count
        elif status in FAILED:
            found.failed += count
        elif status in WAITING:
            found.waiting += count
        else:
            found.not_sent += count
    deferred = alert.deferred_until
    if found.waiting and deferred is not None and deferred > timeutil.utcnow():
        found.quiet_until = deferred
    return found


def is_live(alert: Alert) -> bool:
    """Whether the alert page should keep updating itself."""
    return alert.status in (AlertStatus.SCHEDULED, AlertStatus.SENDING)


def _minute_of(column):
    # Minutes since the epoch, computed by the database so a city-wide send is not read row by row.
    if database.is_postgresql():
        return func.floor(func.extract("epoch", column) / 60)
    return func.cast(func.strftime("%s", column), db.Integer) / 60


def timeline(alert: Alert, minutes: int = TIMELINE_MINUTES) -> list[dict]:
    """Messages handed over per minute (the last `minutes` with any), by their status now."""
    minute = _minute_of(Delivery.sent_at).label("minute")
    rows = db.session.execute(
        select(minute, Delivery.status, func.count())
        .where(Delivery.alert_id == alert.id, Delivery.sent_at.is_not(None))
        .group_by(literal_column("minute"), Delivery.status).order_by(literal_column("minute")))
    buckets: dict[int, dict[str, int]] = {}
    for bucket, status, count in rows:
        entry = buckets.setdefault(int(bucket), {"delivered": 0, "sent": 0, "failed": 0})
        key = "failed" if status in FAILED else str(status)
        if key in entry:
            entry[key] += count
    kept = sorted(buckets)[-minutes:]
    tallest = max((sum(buckets[b].values()) for b in kept), default=0)
    return [{"at": datetime.fromtimestamp(b * 60, tz=UTC), "tallest": tallest,
             "total": sum(buckets[b].values()), **buckets[b]} for b in kept]
