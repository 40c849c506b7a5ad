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

from schoolbell import timeutil
from schoolbell.alerts.models import Alert, Channel, Delivery, DeliveryStatus
from schoolbell.alerts.quiet_hours import defer_until
from schoolbell.alerts.services import finish_if_done, office_quiet_hours
from schoolbell.channels.errors import (
    MaybeSentError,
    PermanentError,
    RecipientBlockedError,
    TransientError,
)
from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.delivery.backends import Backends, get_backends, sender_pool
from schoolbell.delivery.claims import ClaimedDelivery, claim, recover_expired_leases
from schoolbell.delivery.compose import AlertTexts, email_message, render_texts, sms_message
from schoolbell.delivery.holds import drop_cancelled, hold_for_quiet_hours
from schoolbell.delivery.outcomes import BatchOutcome, write_outcome
from schoolbell.delivery.retry import backoff_seconds, gives_up
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


@dataclass(frozen=True)
class DispatcherSettings:
    """How hard one worker process pushes."""

    batch_size: int = 2000  # deliveries in hand at most (see PIPELINE_DEPTH)
    # SMS sends in flight: on the backend's event loop when it has one (Twilio), else threads.
    sms_concurrency: int = 256
    # Email sends are CPU-bound (building MIME) on a fast relay, and relays cap connections per client.
    email_threads: int = 8
    lease_seconds: float = 120.0
    sms_rate: float = 0.0  # messages per second for all this worker's SMS; 0 = unlimited
    email_rate: float = 0.0
    idle_sleep: float = 1.0
    drain_horizon: float = 60.0  # --until-idle waits for retries due within this many seconds

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

    def results(self):
        """Each job with its result (a reference or a ChannelError), waiting for them as needed."""
        for jobs, future in self.sends:
            yield from zip(jobs, future.result(), strict=True)


class Dispatcher:
    """One worker process's loop over claimable deliveries."""

    def __init__(self, app: Flask, settings: DispatcherSettings | None = None,
                 backends: Backends | None = None):
        self.app = app
        self.settings = settings or DispatcherSettings.from_config(app.config)
        self.backends = backends or get_backends(app)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stopping = threading.Event()
        self.sender = Sender(self.backends, self.settings.sms_concurrency, self.settings.email_threads,
                             self.settings.sms_rate, self.settings.email_rate)
        self._texts: dict[tuple[int, str], AlertTexts] = {}
        self._alerts: dict[int, Alert] = {}
        self._quiet_hours: dict[int, str] = {}
        self._unchecked: set[int] = set()  # alerts with sends recorded since their last check
        self._checked_at: dict[int, float] = {}
        self.callback_url = app.config.get("TWILIO_STATUS_CALLBACK_URL") or None
        self.totals = {"sent": 0, "retry": 0, "failed": 0, "uncertain": 0, "skipped": 0,
                       "fallback": 0}

    def stop(self) -> None:
        """Finish the batches in hand, then return (SIGTERM)."""
        self.stopping.set()

    def run(self, until_idle: bool = False) -> dict:
        """Work until stopped, or with until_idle until nothing is due soon. Returns totals.

        Pipelined: while one batch sends, the next is claimed and addressed and the one before is
        recorded, so the pool never waits for the database.
        """
        recover_expired_leases()
        flights: deque[_Flight] = deque()
        size = self.settings.flight_size
        while True:
            if not self.stopping.is_set() and len(flights) < PIPELINE_DEPTH:
                flight = self._launch(size)
                if flight is not None:
                    flights.append(flight)
                    continue
            if flights:
                self._land(flights.popleft())
                continue
            self._finish_alerts(everything=True)
            if self.stopping.is_set() or (until_idle and not self._work_due_soon()):
                break
            recover_expired_leases()
            self.stopping.wait(self.settings.idle_sleep)
        return self.totals

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

    def _launch(self, size: int) -> _Flight | None:
        """Claim a batch, address it and hand its sends to the pools without waiting for them."""
        batch = claim(self.worker_id, size, self.settings.lease_seconds)
        if not batch:
            return None
        claimed, batch = len(batch), drop_cancelled(self.worker_id, batch)
        batch = hold_for_quiet_hours(self.worker_id, batch, self._after_quiet_hours, timeutil.utcnow())
        outcome = BatchOutcome()
        jobs = self._prepare(batch, outcome)
        return _Flight(claimed, batch, outcome, self.sender.start(jobs))

    def _land(self, flight: _Flight) -> int:
        """Wait for a batch's sends and record them; returns how many deliveries it claimed."""
        for job, result in flight.results():
            self._classify(job, result, flight.outcome)
        self.totals["fallback"] += write_outcome(self.worker_id, flight.outcome)
        self._unchecked.update(delivery.alert_id for delivery in flight.batch)
        self._finish_alerts()
        return flight.claimed

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

    def _classify(self, job: Job, result, outcome: BatchOutcome) -> None:
        delivery = job.delivery
        if isinstance(result, str):
            outcome.sent.append({"b_id": delivery.id, "b_ref": result})
            self.totals["sent"] += 1
            return
        row = {"b_id": delivery.id, "b_code": result.code, "b_reason": result.reason[:500]}
        if isinstance(result, MaybeSentError):
            outcome.uncertain.append(row)
            self.totals["uncertain"] += 1
            log.warning("delivery %s to %s may have been sent: %s", delivery.id, job.masked, result)
        elif isinstance(result, TransientError) and not gives_up(delivery.attempts):
            wait = backoff_seconds(delivery.attempts, result.retry_after)
            retry_at = self._after_quiet_hours(delivery.alert_id, timeutil.utcnow() + timedelta(seconds=wait))
            outcome.retry.append({**row, "b_next": retry_at})
            self.totals["retry"] += 1
        else:
            outcome.failed.append(row)
            self.totals["failed"] += 1
            log.info("delivery %s to %s failed: %s", delivery.id, job.masked, result)
            if delivery.channel == Channel.SMS.value and isinstance(result, PermanentError):
                outcome.sms_failed_people.setdefault(delivery.alert_id, set()).add(delivery.contact_id)
            if isinstance(result, RecipientBlockedError):
                outcome.sms_blocked[delivery.contact_id] = f"{result.code}: {result.reason}"

    def _after_quiet_hours(self, alert_id: int, moment):
        """A retry of anything but an emergency waits for the end of its office's quiet hours."""
        alert = self._alert(alert_id)
        if alert_id not in self._quiet_hours:
            self._quiet_hours[alert_id] = office_quiet_hours(alert.office_id)
        return defer_until(moment, alert.alert_class, self._quiet_hours[alert_id])
