"""The dispatcher: claim a batch, render per language, send with bounded concurrency, record."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from schoolbell import timeutil
from schoolbell.alerts.models import Alert, Channel, Delivery, DeliveryStatus
from schoolbell.alerts.quiet_hours import defer_until
from schoolbell.alerts.services import finish_if_done, office_quiet_hours
from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.delivery.backends import Backends, get_backends, sender_pool
from schoolbell.delivery.breaker import CircuitBreaker
from schoolbell.delivery.claims import ClaimedDelivery, claim, recover_expired_leases, release_unsent
from schoolbell.delivery.classify import TOTALS, classify
from schoolbell.delivery.compose import AlertTexts, email_message, render_texts, sms_message
from schoolbell.delivery.db_outage import DatabaseOutage
from schoolbell.delivery.heartbeat import Heartbeat
from schoolbell.delivery.holds import drop_cancelled, hold_for_quiet_hours
from schoolbell.delivery.outcomes import BatchOutcome, write_outcome
from schoolbell.delivery.sending import Job, Sender
from schoolbell.directory.models import Contact
from schoolbell.extensions import db

log = logging.getLogger(__name__)

# Claims in hand at once: the next ones are claimed and addressed while earlier ones send, so the
# event loop always has work while the database is busy. Each holds batch_size / PIPELINE_DEPTH,
# so a crash still strands at most batch_size deliveries.
PIPELINE_DEPTH = 4
# While busy, an alert is checked for completion at most this often: at the tail of a Seoul-sized
# alert on SQLite the check scans the alert's rows (~300 ms), which per batch would halve throughput.
FINISH_CHECK_SECONDS = 5.0
# Deliveries claimed at once while a channel's circuit is open or half-open: a probe, not a batch.
PROBE_SIZE = 10
# Once its preferred channel has nothing due, a worker looks there again only this often: looking
# scans the due deliveries of the other channel too.
PREFERRED_RECHECK_SECONDS = 5.0
CHANNELS = frozenset(channel.value for channel in Channel)


def _held_ids(flights) -> set[int]:
    return {delivery.id for flight in flights for delivery in flight.batch}


@dataclass(frozen=True)
class DispatcherSettings:
    """How hard one worker process pushes."""

    batch_size: int = 2000  # deliveries in hand at most (see PIPELINE_DEPTH)
    # SMS sends in flight: on the backend's event loop when it has one (Twilio), else threads.
    sms_concurrency: int = 256
    # Email sends are CPU-bound (building MIME) on a fast relay, and relays cap connections per client.
    email_threads: int = 16
    lease_seconds: float = 120.0
    sms_rate: float = 0.0  # messages per second for all this worker's SMS; 0 = unlimited
    email_rate: float = 0.0
    idle_sleep: float = 1.0
    drain_horizon: float = 60.0  # --until-idle waits for retries due within this many seconds
    prefer: str | None = None  # a channel claimed first; the others when it has nothing due

    @classmethod
    def from_config(cls, config, **overrides) -> DispatcherSettings:
        """Settings from the app config; the SMS rate is per sender times the pool's size."""
        senders = max(1, len(sender_pool(config)))
        values = {
            "batch_size": int(config.get("DISPATCH_BATCH_SIZE", cls.batch_size)),
            "sms_concurrency": int(config.get("DISPATCH_SMS_CONCURRENCY", cls.sms_concurrency)),
            "email_threads": int(config.get("DISPATCH_EMAIL_THREADS", cls.email_threads)),
            "lease_seconds": float(config.get("DISPATCH_LEASE_SECONDS", 120)),
            "sms_rate": float(config.get("SMS_RATE_PER_SENDER", 0)) * senders,
            "email_rate": float(config.get("EMAIL_RATE_PER_SECOND", 0)),
            "prefer": config.get("DISPATCH_PREFER_CHANNEL") or None,
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)

    @property
    def in_hand(self) -> int:
        """Deliveries held at once: batch_size, cut to what the rate limits send in half a lease.

        A lease that lapses mid-send lets another worker claim the rows and send them again.
        """
        rates = [rate for rate in (self.sms_rate, self.email_rate) if rate > 0]
        if not rates:
            return self.batch_size
        return max(1, min(self.batch_size, int(min(rates) * self.lease_seconds / 2)))

    @property
    def flight_size(self) -> int:
        """Deliveries per claim while pipelining: a PIPELINE_DEPTH-th of what is held at once."""
        return max(1, self.in_hand // PIPELINE_DEPTH)


@dataclass
class _Flight:
    """A batch whose sends are under way."""

    claimed: int
    batch: list[ClaimedDelivery]
    outcome: BatchOutcome
    sends: list[tuple[list[Job], Future]]  # jobs, and the future of their results in that order
    started: float = 0.0
    classified: bool = False

    def results(self):
        """Each job with its result (a reference or a ChannelError), waiting for them as needed."""
        for jobs, future in self.sends:
            yield from zip(jobs, future.result(), strict=True)


class Dispatcher:
    """One worker process's loop over claimable deliveries.

    It outlives its database: a lost connection, a restart, a lock timeout or a full disk makes it
    roll back, wait with backoff and try again, never exit; results already in hand are written
    once the database is back, and claimed rows it never sent are handed back.
    """

    def __init__(self, app: Flask, settings: DispatcherSettings | None = None,
                 backends: Backends | None = None):
        self.app = app
        self.settings = settings or DispatcherSettings.from_config(app.config)
        self.backends = backends or get_backends(app)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stopping = threading.Event()
        self.breaker = CircuitBreaker()
        self.sender = Sender(self.backends, self.settings.sms_concurrency, self.settings.email_threads,
                             self.settings.sms_rate, self.settings.email_rate, self.breaker)
        self._texts: dict[tuple[int, str], AlertTexts] = {}
        self._alerts: dict[int, Alert] = {}
        self._quiet_hours: dict[int, str] = {}
        self._unchecked: set[int] = set()  # alerts with sends recorded since their last check
        self._checked_at: dict[int, float] = {}
        self._flight_size = self.settings.flight_size
        self._outage = DatabaseOutage(self.worker_id)
        self._preferred_dry_until = 0.0  # time.monotonic() until which the preferred channel is not looked at
        self.callback_url = app.config.get("TWILIO_STATUS_CALLBACK_URL") or None
        self.totals = dict.fromkeys(TOTALS, 0) | {"database_outages": 0}

    def stop(self) -> None:
        """Finish the batches in hand, then return (SIGTERM)."""
        self.stopping.set()

    def run(self, until_idle: bool = False) -> dict:
        """Work until stopped, or with until_idle until nothing is due soon. Returns totals.

        Pipelined: while one batch sends, the next is claimed and addressed and the one before is
        recorded, so the pool never waits for the database.
        """
        heartbeat = Heartbeat(self.app, self.worker_id, self.settings.lease_seconds, self._share_rates)
        heartbeat.start()
        flights: deque[_Flight] = deque()
        try:
            needs_recovery = True
            while True:
                try:
                    if needs_recovery:
                        # What this worker claimed but never handed to a provider goes back now;
                        # what crashed workers held goes back once their leases lapse.
                        release_unsent(self.worker_id, _held_ids(flights))
                        recover_expired_leases()
                        needs_recovery = False
                    if not self._step(flights, until_idle):
                        break
                    self._outage.over()
                except DBAPIError as error:
                    self.totals["database_outages"] += self._outage.begin(error)
                    self._alerts.clear()  # loaded by the session just dropped: load them again
                    if self.stopping.is_set() and (not flights or
                                                   self._outage.lasted() > self.settings.lease_seconds):
                        if flights:
                            log.error("stopping with %s batches unrecorded: the database stayed away; "
                                      "they will be checked before they go again", len(flights))
                        break
                    self._outage.wait()
                    needs_recovery = True
        finally:
            heartbeat.stop()
        return self.totals

    def _step(self, flights: deque[_Flight], until_idle: bool) -> bool:
        """One turn of the pipeline: launch a batch, or land the oldest, or idle. False to stop."""
        if not self.stopping.is_set() and len(flights) < PIPELINE_DEPTH:
            flight = self._launch(self._claim_size())
            if flight is not None:
                flights.append(flight)
                return True
        if flights:
            self._land(flights[0])
            flights.popleft()  # only once written: a failed write is tried again, not lost
            return True
        self._finish_alerts(everything=True)
        if self.stopping.is_set() or (until_idle and not self._work_due_soon()):
            return False
        recover_expired_leases()
        self.stopping.wait(self.settings.idle_sleep)
        return True

    def _claim_size(self) -> int:
        # A provider behind an open circuit gets probes, not batches.
        return min(self._flight_size, PROBE_SIZE) if self.breaker.tripped() else self._flight_size

    def _share_rates(self, alive: int) -> None:
        """A sender number's limit holds across workers: each takes its share of the living's."""
        self.sender.limiters[Channel.SMS.value].set_rate(self.settings.sms_rate / alive)
        self.sender.limiters[Channel.EMAIL.value].set_rate(self.settings.email_rate / alive)

    def close(self) -> None:
        """Wait for sends in flight and release the thread pools."""
        self.sender.close()

    def run_once(self) -> int:
        """Claim, send and record one batch; returns how many deliveries were claimed."""
        flight = self._launch(self.settings.in_hand)
        if flight is None:
            return 0
        claimed = self._land(flight)
        self._finish_alerts(everything=True)
        return claimed

    def _claim(self, size: int) -> list[ClaimedDelivery]:
        """Due deliveries, most urgent first: of the preferred channel first when there is one."""
        skipped = set(self.breaker.open_channels())
        prefer = self.settings.prefer
        batch: list[ClaimedDelivery] = []
        if prefer and prefer not in skipped and time.monotonic() >= self._preferred_dry_until:
            batch = claim(self.worker_id, size, self.settings.lease_seconds,
                          skip_channels=skipped | (CHANNELS - {prefer}))
            if len(batch) < size:
                self._preferred_dry_until = time.monotonic() + PREFERRED_RECHECK_SECONDS
        if len(batch) < size:
            batch += claim(self.worker_id, size - len(batch), self.settings.lease_seconds,
                           skip_channels=skipped)
        return batch

    def _launch(self, size: int) -> _Flight | None:
        """Claim a batch, address it and hand its sends to the pools without waiting for them."""
        batch = self._claim(size)
        if not batch:
            return None
        claimed, batch = len(batch), drop_cancelled(self.worker_id, batch)
        batch = hold_for_quiet_hours(self.worker_id, batch, self._after_quiet_hours, timeutil.utcnow())
        outcome = BatchOutcome()
        jobs = self._prepare(batch, outcome)
        return _Flight(claimed, batch, outcome, self.sender.start(jobs), time.monotonic())

    def _land(self, flight: _Flight) -> int:
        """Wait for a batch's sends and record them; returns how many deliveries it claimed.

        Results are classified once; writing them may be tried again after a database error.
        """
        if not flight.classified:
            for job, result in flight.results():
                classify(job, result, flight.outcome, self.totals,
                         self._alert(job.delivery.alert_id).alert_class, self._after_quiet_hours)
            flight.classified = True
            self._adapt(time.monotonic() - flight.started)
        self.totals["fallback"] += write_outcome(self.worker_id, flight.outcome)
        self._unchecked.update(delivery.alert_id for delivery in flight.batch)
        self._finish_alerts()
        return flight.claimed

    def _adapt(self, seconds: float) -> None:
        """Smaller claims while the provider is slow, back up to the setting while it is fast."""
        if seconds > self.settings.lease_seconds / 4:
            self._flight_size = max(1, self._flight_size // 2)
        elif seconds < self.settings.lease_seconds / 16:
            self._flight_size = min(self.settings.flight_size, self._flight_size * 2)

    def _finish_alerts(self, everything: bool = False) -> None:
        """Mark finished alerts sent: while busy each at most every few seconds, else all now."""
        now = time.monotonic()
        due = [alert_id for alert_id in self._unchecked if everything or
               now - self._checked_at.get(alert_id, -FINISH_CHECK_SECONDS) >= FINISH_CHECK_SECONDS]
        for alert_id in due:
            finish_if_done(alert_id)
            self._checked_at[alert_id] = now
            self._unchecked.discard(alert_id)
        if due:
            db.session.commit()

    def _work_due_soon(self) -> bool:
        horizon = timeutil.utcnow() + timedelta(seconds=self.settings.drain_horizon)
        return db.session.scalar(select(Delivery.id).where(
            ((Delivery.status == DeliveryStatus.PENDING) & (Delivery.next_attempt_at <= horizon))
            | (Delivery.status == DeliveryStatus.SENDING)).limit(1)) is not None

    def _alert(self, alert_id: int) -> Alert:
        alert = self._alerts.get(alert_id)
        if alert is None:
            alert = self._alerts[alert_id] = db.session.get(Alert, alert_id)
            db.session.expunge(alert)
        return alert

    def _texts_for(self, alert_id: int, language: str) -> AlertTexts:
        key = (alert_id, language)
        if key not in self._texts:
            alert = db.session.merge(self._alert(alert_id), load=False)
            self._texts[key] = render_texts(alert, language)
        return self._texts[key]

    def _prepare(self, batch: list[ClaimedDelivery], outcome: BatchOutcome) -> list[Job]:
        """Address each claimed delivery, skipping people whose channel became unusable."""
        people = {row.id: row for row in db.session.execute(
            select(Contact.id, Contact.phone, Contact.email, Contact.sms_blocked_reason,
                   Contact.email_blocked_reason)
            .where(Contact.id.in_({d.contact_id for d in batch})))}
        jobs = []
        for delivery in batch:
            person = people.get(delivery.contact_id)
            texts = self._texts_for(delivery.alert_id, delivery.language)
            if delivery.channel == Channel.SMS.value:
                if person is None or not person.phone or person.sms_blocked_reason:
                    outcome.skipped.append({"b_id": delivery.id, "b_reason": "no usable phone"})
                    continue
                message = sms_message(texts, person.phone, delivery.id, self._callback(delivery))
                jobs.append(Job(delivery, message, mask_phone(person.phone)))
            else:
                if person is None or not person.email or person.email_blocked_reason:
                    outcome.skipped.append({"b_id": delivery.id, "b_reason": "no usable email"})
                    continue
                message = email_message(texts, person.email, delivery.id, delivery.contact_id,
                                        delivery.language)
                jobs.append(Job(delivery, message, mask_email(person.email)))
        return jobs

    def _callback(self, delivery: ClaimedDelivery) -> str | None:
        # The delivery id and this attempt's number ride in the signed URL: a callback never waits
        # for our own write, and a late one for an earlier attempt cannot touch this one.
        if not self.callback_url:
            return None
        return f"{self.callback_url}?d={delivery.id}&a={delivery.attempt_no}"

    def _after_quiet_hours(self, alert_id: int, moment):
        """A retry of anything but an emergency waits for the end of its office's quiet hours."""
        alert = self._alert(alert_id)
        if alert_id not in self._quiet_hours:
            self._quiet_hours[alert_id] = office_quiet_hours(alert.office_id)
        return defer_until(moment, alert.alert_class, self._quiet_hours[alert_id])
