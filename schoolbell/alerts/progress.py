"""A send in progress: where its messages are, how fast they go, when it will be done, and over time."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, literal_column, select

from schoolbell import database, timeutil
from schoolbell.alerts.models import Alert, AlertStatus, Delivery, DeliveryStatus
from schoolbell.alerts.read_cache import TABLE_COST_FACTOR, shared_reading
from schoolbell.alerts.reports import school_counts
from schoolbell.extensions import db

# The rate is what went to providers in this last window; short enough to follow a change of pace.
RATE_WINDOW = timedelta(seconds=60)
TIMELINE_MINUTES = 60
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
FAILED = (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED)


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
    uncertain: int = 0  # lost their provider's answer: it is asked before they go again
    maybe_duplicate: int = 0  # sent again after a crash with no way to ask: may have gone twice
    fallback: int = 0  # emails sent because the SMS could not go

    @property
    def by_status(self) -> dict[str, int]:
        """Messages by status, all channels together."""
        totals: dict[str, int] = {}
        for statuses in self.by_channel.values():
            for status, count in statuses.items():
                totals[status] = totals.get(status, 0) + count
        return totals

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


def _minute_of(column):
    # Minutes since the epoch, computed by the database so a city-wide send is not read row by row.
    if database.is_postgresql():
        return func.floor(func.extract("epoch", column) / 60)
    # SQLite stores "YYYY-MM-DD HH:MM:SS…" (UTC): the first 16 characters name the minute, and cutting
    # them is several times cheaper per row than strftime.
    return func.substr(column, 1, 16)


@dataclass
class Snapshot:
    """Progress, timeline and schools of one alert at one moment."""

    progress: Progress
    timeline: list[dict]
    schools: list[dict] = field(default_factory=list)
    refresh_seconds: int = 2  # how often a page should ask again
    # Tables pages derive from this reading (per scope and order), worked out once for every page
    # that is shown the same reading.
    derived: dict = field(default_factory=dict)
    # This progress with the last schools reading it was shown with: (that reading, the snapshot).
    with_schools: tuple | None = field(default=None, repr=False)


def snapshot(alert: Alert) -> Snapshot:
    """The alert's progress, timeline and schools, read once per refresh interval however many pages watch;
    the interval grows with what reading costs (2 s for a school, longer for the whole city). The
    per-school table costs four times the progress at city scale and is read a quarter as often."""
    alert_id = alert.id  # the reads may run in a thread of their own: they load the alert there
    reading = shared_reading(("progress", alert_id, alert.status, alert.deferred_until),
                             lambda: _read(db.session.get(Alert, alert_id)))
    schools = shared_reading(("schools", alert_id, alert.status),
                             lambda: school_counts(db.session.get(Alert, alert_id)),
                             cost_factor=TABLE_COST_FACTOR)
    found = reading.value
    paired = found.with_schools  # one read of the attribute: other threads may replace it meanwhile
    if paired is None or paired[0] is not schools:
        # Each pairing has its own derived tables and HTML, never mixed with another's schools.
        shown = replace(found, schools=schools.value, derived={}, with_schools=None,
                        refresh_seconds=reading.keep_seconds)
        paired = found.with_schools = (schools, shown)
    return paired[1]


def _read(alert: Alert) -> Snapshot:
    """One grouped scan of the alert's deliveries: by channel, status and minute handed over."""
    now = timeutil.utcnow()
    since = now - RATE_WINDOW
    minute = _minute_of(Delivery.sent_at).label("minute")
    rows = db.session.execute(
        select(Delivery.channel, Delivery.status, minute, func.count(),
               func.count().filter(Delivery.sent_at >= since),
               func.count().filter(Delivery.uncertain.is_(True)),
               func.count().filter(Delivery.maybe_duplicate.is_(True)),
               func.count().filter(Delivery.is_fallback.is_(True)))
        .where(Delivery.alert_id == alert.id)
        .group_by(Delivery.channel, Delivery.status, literal_column("minute")))
    found = Progress()
    buckets: dict[int, dict[str, int]] = {}
    for channel, status, bucket, count, recent, uncertain, maybe_duplicate, fallback in rows:
        statuses = found.by_channel.setdefault(str(channel), {})
        statuses[str(status)] = statuses.get(str(status), 0) + count
        found.per_minute += recent
        found.uncertain += uncertain
        found.maybe_duplicate += maybe_duplicate
        found.fallback += fallback
        _add(found, status, count)
        if bucket is not None:
            entry = buckets.setdefault(_epoch_minute(bucket), {"delivered": 0, "sent": 0, "failed": 0})
            key = "failed" if status in FAILED else str(status)
            if key in entry:
                entry[key] += count
    deferred = alert.deferred_until
    if found.waiting and deferred is not None and deferred > now:
        found.quiet_until = deferred
    return Snapshot(found, _timeline(buckets))


def _epoch_minute(bucket) -> int:
    if isinstance(bucket, str):  # SQLite: "YYYY-MM-DD HH:MM", UTC
        return int(datetime.fromisoformat(bucket).replace(tzinfo=UTC).timestamp()) // 60
    return int(bucket)


def _add(found: Progress, status: DeliveryStatus, count: int) -> None:
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


def _timeline(buckets: dict[int, dict[str, int]]) -> list[dict]:
    # A minute whose messages all went back to waiting (failed ones sent again keep their first
    # sent_at) has nothing to draw: a chart of only such minutes divided by a tallest bar of zero.
    kept = [b for b in sorted(buckets) if sum(buckets[b].values())][-TIMELINE_MINUTES:]
    tallest = max((sum(buckets[b].values()) for b in kept), default=0)
    return [{"at": datetime.fromtimestamp(b * 60, tz=UTC), "tallest": tallest,
             "total": sum(buckets[b].values()), **buckets[b]} for b in kept]


def progress(alert: Alert) -> Progress:
    """Where the alert's messages are now (read fresh)."""
    return _read(alert).progress


def is_live(alert: Alert) -> bool:
    """Whether the alert page should keep updating itself."""
    return alert.status in (AlertStatus.SCHEDULED, AlertStatus.SENDING)
