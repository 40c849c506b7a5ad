"""The dispatcher: claim a batch, render per language, send with bounded concurrency, record."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from schoolbell.alerts.models import Alert, Channel, Delivery, DeliveryStatus
from schoolbell.alerts.services import finish_if_done
from schoolbell.channels.errors import (
    ChannelError,
    MaybeSentError,
    PermanentError,
    RecipientBlockedError,
    TransientError,
)
from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.delivery.backends import Backends, get_backends, sender_pool
from schoolbell.delivery.claims import ClaimedDelivery, claim, recover_expired_leases
from schoolbell.delivery.compose import AlertTexts, email_message, render_texts, sms_message
from schoolbell.delivery.outcomes import BatchOutcome, write_outcome
from schoolbell.delivery.ratelimit import RateLimiter
from schoolbell.delivery.retry import backoff_seconds, gives_up
from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from schoolbell.timeutil import to_db, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatcherSettings:
    """How hard one worker process pushes."""

    batch_size: int = 500
    threads: int = 32
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
            "batch_size": int(config.get("DISPATCH_BATCH_SIZE", 500)),
            "threads": int(config.get("DISPATCH_THREADS", 32)),
            "lease_seconds": float(config.get("DISPATCH_LEASE_SECONDS", 120)),
            "sms_rate": float(config.get("SMS_RATE_PER_SENDER", 0)) * senders,
            "email_rate": float(config.get("EMAIL_RATE_PER_SECOND", 0)),
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)


@dataclass(frozen=True)
class _Job:
    delivery: ClaimedDelivery
    message: object
    masked: str


class Dispatcher:
    """One worker process's loop over claimable deliveries."""

    def __init__(self, app: Flask, settings: DispatcherSettings | None = None,
                 backends: Backends | None = None):
        self.app = app
        self.settings = settings or DispatcherSettings.from_config(app.config)
        self.backends = backends or get_backends(app)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stopping = threading.Event()
        self.limiters = {Channel.SMS.value: RateLimiter(self.settings.sms_rate),
                         Channel.EMAIL.value: RateLimiter(self.settings.email_rate)}
        self.pool = ThreadPoolExecutor(max_workers=self.settings.threads,
                                       thread_name_prefix="schoolbell-send")
        self._texts: dict[tuple[int, str], AlertTexts] = {}
        self._alerts: dict[int, Alert] = {}
        self.callback_url = app.config.get("TWILIO_STATUS_CALLBACK_URL") or None
        self.totals = {"sent": 0, "retry": 0, "failed": 0, "uncertain": 0, "skipped": 0,
                       "fallback": 0}

    def stop(self) -> None:
        """Finish the batch in hand, then return (SIGTERM)."""
        self.stopping.set()

    def run(self, until_idle: bool = False) -> dict:
        """Work until stopped, or with until_idle until nothing is due soon. Returns totals."""
        recover_expired_leases()
        while not self.stopping.is_set():
            handled = self.run_once()
            if handled:
                continue
            if until_idle and not self._work_due_soon():
                break
            recover_expired_leases()
            self.stopping.wait(self.settings.idle_sleep)
        return self.totals

    def close(self) -> None:
        """Wait for sends in flight and release the thread pool."""
        self.pool.shutdown(wait=True)

    def run_once(self) -> int:
        """Claim and send one batch; returns how many deliveries were claimed."""
        batch = claim(self.worker_id, self.settings.batch_size, self.settings.lease_seconds)
        if not batch:
            return 0
        outcome = BatchOutcome()
        jobs = self._prepare(batch, outcome)
        results = list(self.pool.map(self._send, jobs))
        for job, result in zip(jobs, results, strict=True):
            self._classify(job, result, outcome)
        self.totals["fallback"] += write_outcome(self.worker_id, outcome)
        for alert_id in {delivery.alert_id for delivery in batch}:
            finish_if_done(alert_id)
        db.session.commit()
        return len(batch)

    def _work_due_soon(self) -> bool:
        horizon = to_db(utcnow() + timedelta(seconds=self.settings.drain_horizon))
        return db.session.scalar(select(func.count()).select_from(Delivery).where(
            ((Delivery.status == DeliveryStatus.PENDING) & (Delivery.next_attempt_at <= horizon))
            | (Delivery.status == DeliveryStatus.SENDING))) > 0

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

    def _prepare(self, batch: list[ClaimedDelivery], outcome: BatchOutcome) -> list[_Job]:
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
                message = sms_message(texts, person.phone, delivery.id, self._callback(delivery.id))
                jobs.append(_Job(delivery, message, mask_phone(person.phone)))
            else:
                if person is None or not person.email or person.email_blocked_reason:
                    outcome.skipped.append({"b_id": delivery.id, "b_reason": "no usable email"})
                    continue
                message = email_message(texts, person.email, delivery.id, delivery.contact_id,
                                        delivery.language)
                jobs.append(_Job(delivery, message, mask_email(person.email)))
        return jobs

    def _callback(self, delivery_id: int) -> str | None:
        # The delivery id rides in the signed URL, so a callback never waits for our own write.
        return f"{self.callback_url}?d={delivery_id}" if self.callback_url else None

    def _send(self, job: _Job):
        """Send one message on a pool thread; returns the provider reference or the error."""
        self.limiters[job.delivery.channel].acquire()
        backend = self.backends.sms if job.delivery.channel == Channel.SMS.value else self.backends.email
        try:
            return backend.send(job.message)
        except ChannelError as error:
            return error
        except Exception as error:  # a bug in a backend must not kill the batch
            log.exception("unexpected error sending delivery %s", job.delivery.id)
            return TransientError(f"unexpected error: {type(error).__name__}")

    def _classify(self, job: _Job, result, outcome: BatchOutcome) -> None:
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
            outcome.retry.append({**row, "b_next": to_db(utcnow() + timedelta(seconds=wait))})
            self.totals["retry"] += 1
        else:
            outcome.failed.append(row)
            self.totals["failed"] += 1
            log.info("delivery %s to %s failed: %s", delivery.id, job.masked, result)
            if delivery.channel == Channel.SMS.value and isinstance(result, PermanentError):
                outcome.sms_failed_people.setdefault(delivery.alert_id, set()).add(delivery.contact_id)
            if isinstance(result, RecipientBlockedError):
                outcome.sms_blocked[delivery.contact_id] = f"{result.code}: {result.reason}"

