"""Sending a batch's messages: bounded concurrency, a rate and a circuit breaker per channel; each
channel on its backend's event loop when it has one (Twilio, SMTP), else on a thread pool.

A delivery whose last attempt may have reached the provider is first looked up there (when the
backend can): found, it is recorded as sent with the provider's reference and not sent again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from schoolbell.alerts.models import Channel
from schoolbell.channels.base import (
    AsyncEmailBackend,
    AsyncFindingSmsBackend,
    AsyncSmsBackend,
    FindingSmsBackend,
)
from schoolbell.channels.errors import ChannelError, MaybeSentError, TransientError
from schoolbell.delivery.backends import Backends
from schoolbell.delivery.breaker import CircuitBreaker
from schoolbell.delivery.claims import ClaimedDelivery
from schoolbell.delivery.ratelimit import RateLimiter
from schoolbell.logging_setup import delivery_fields
from schoolbell.metrics import count_send, time_provider

log = logging.getLogger(__name__)


CIRCUIT_OPEN = "circuit-open"  # the code of a send the breaker held back


@dataclass(frozen=True)
class Job:
    """One message for one claimed delivery, with its address masked for the log."""

    delivery: ClaimedDelivery
    message: object
    masked: str


@dataclass(frozen=True)
class Found:
    """The provider already had the message of an uncertain attempt: its reference, nothing sent."""

    reference: str


@dataclass(frozen=True)
class SentAgain:
    """Sent after an uncertain attempt that could not be checked: it may have gone twice."""

    reference: str


class Sender:
    """Starts sends without waiting for them; each result is a provider reference or a ChannelError."""

    def __init__(self, backends: Backends, sms_concurrency: int, email_threads: int,
                 sms_rate: float = 0.0, email_rate: float = 0.0, breaker: CircuitBreaker | None = None):
        self.backends = backends
        self.breaker = breaker or CircuitBreaker()
        self.limiters = {Channel.SMS.value: RateLimiter(sms_rate),
                         Channel.EMAIL.value: RateLimiter(email_rate)}
        self.pools = {
            Channel.SMS.value: ThreadPoolExecutor(sms_concurrency, thread_name_prefix="schoolbell-sms"),
            Channel.EMAIL.value: ThreadPoolExecutor(email_threads, thread_name_prefix="schoolbell-email")}
        self._loops = {
            Channel.SMS.value: backends.sms.loop if isinstance(backends.sms, AsyncSmsBackend) else None,
            Channel.EMAIL.value: (backends.email.loop if isinstance(backends.email, AsyncEmailBackend)
                                  else None)}
        # Asked once: isinstance against a runtime-checkable Protocol costs more than a send's bookkeeping.
        self._sms_finds = isinstance(backends.sms, FindingSmsBackend)
        self._sms_finds_async = isinstance(backends.sms, AsyncFindingSmsBackend)
        self._slots = {Channel.SMS.value: asyncio.Semaphore(sms_concurrency),
                       Channel.EMAIL.value: asyncio.Semaphore(email_threads)}

    def close(self) -> None:
        """Wait for sends in flight and release the thread pools."""
        for pool in self.pools.values():
            pool.shutdown(wait=True)

    def start(self, jobs: list[Job]) -> list[tuple[list[Job], Future]]:
        """Start a batch's sends: each channel on its backend's event loop if it has one, else threads."""
        on_loop: dict[str, list[Job]] = {}
        on_threads = []
        for job in jobs:
            if self._loops[job.delivery.channel] is not None:
                on_loop.setdefault(job.delivery.channel, []).append(job)
            else:
                on_threads.append(job)
        # Each loop gets the batch as one coroutine: one wake-up per batch, not one per message.
        sends = [(looped, self._loops[channel].submit(self._send_all_async(channel, looped)))
                 for channel, looped in on_loop.items()]
        return sends + [([job], self.pools[job.delivery.channel].submit(self._send_each, [job]))
                        for job in on_threads]

    def _send_each(self, jobs: list[Job]) -> list:
        """Send jobs one after another on a pool thread; their results in order."""
        return [self._send(job) for job in jobs]

    def _send(self, job: Job):
        """Send one message on a pool thread: a reference, Found, SentAgain or the ChannelError."""
        channel = job.delivery.channel
        if not self.breaker.allow(channel):
            return self._circuit_open(channel)
        backend = self.backends.sms if channel == Channel.SMS.value else self.backends.email
        try:
            if self._checkable(job):
                found = backend.find(job.message)
                if found is not None:
                    return self._recorded(channel, Found(found))
            self.limiters[channel].acquire()
            started = time.perf_counter()
            reference = backend.send(job.message)
            time_provider(channel, time.perf_counter() - started)
            return self._recorded(channel, self._sent(job, reference))
        except Exception as error:
            return self._recorded(channel, self._failure(job, error))

    async def _send_all_async(self, channel: str, jobs: list[Job]) -> list:
        """Send one channel's jobs concurrently on its backend's loop; their results in order."""
        return await asyncio.gather(*(self._send_async(channel, job) for job in jobs))

    async def _send_async(self, channel: str, job: Job):
        """Send one message on the backend's loop, at most the channel's concurrency at once; like `_send`."""
        backend = self.backends.sms if channel == Channel.SMS.value else self.backends.email
        async with self._slots[channel]:
            if not self.breaker.allow(channel):
                return self._circuit_open(channel)
            try:
                if job.delivery.uncertain and channel == Channel.SMS.value and self._sms_finds_async:
                    found = await backend.find_async(job.message)
                    if found is not None:
                        return self._recorded(channel, Found(found))
                await self.limiters[channel].acquire_async()
                started = time.perf_counter()
                reference = await backend.send_async(job.message)
                time_provider(channel, time.perf_counter() - started)
                return self._recorded(channel, self._sent(job, reference))
            except Exception as error:
                return self._recorded(channel, self._failure(job, error))

    def _checkable(self, job: Job) -> bool:
        """An uncertain SMS whose provider can be asked whether it has the message."""
        return job.delivery.uncertain and job.delivery.channel == Channel.SMS.value and self._sms_finds

    def _sent(self, job: Job, reference: str):
        """A reference, flagged when an uncertain attempt went again without being checked."""
        if not job.delivery.uncertain:
            return reference
        checked = job.delivery.channel == Channel.SMS.value and (self._sms_finds or self._sms_finds_async)
        return reference if checked else SentAgain(reference)

    def _recorded(self, channel: str, result):
        # Only an unreachable or busy provider trips the breaker; a refusal is an answer.
        self.breaker.record(channel, ok=not isinstance(result, TransientError | MaybeSentError))
        count_send(channel, result, CIRCUIT_OPEN)
        return result

    def _circuit_open(self, channel: str) -> TransientError:
        held_back = TransientError("provider unavailable: its circuit is open, nothing was sent",
                                   CIRCUIT_OPEN, retry_after=max(1.0, self.breaker.wait(channel)))
        count_send(channel, held_back, CIRCUIT_OPEN)
        return held_back

    def _failure(self, job: Job, error: Exception) -> ChannelError:
        if isinstance(error, ChannelError):
            return error
        # A bug in a backend must not kill the batch.
        log.error("unexpected error sending delivery %s", job.delivery.id, exc_info=error,
                  extra=delivery_fields(job.delivery))
        return TransientError(f"unexpected error: {type(error).__name__}")
