"""What a send's result means for its delivery: sent, retry until the deadline, or failed for good."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from schoolbell import timeutil
from schoolbell.alerts.models import AlertClass, Channel
from schoolbell.channels.errors import MaybeSentError, RecipientBlockedError, TransientError
from schoolbell.delivery.outcomes import BatchOutcome
from schoolbell.delivery.retry import backoff_seconds, gave_up_reason, give_up_at
from schoolbell.delivery.sending import CIRCUIT_OPEN, Found, Job, SentAgain
from schoolbell.logging_setup import delivery_fields

log = logging.getLogger(__name__)

TOTALS = ("sent", "found", "sent_again", "retry", "deferred", "uncertain", "failed", "gave_up", "skipped",
          "fallback")


def classify(job: Job, result, outcome: BatchOutcome, totals: dict[str, int], alert_class: AlertClass,
             after_quiet_hours: Callable[[int, datetime], datetime]) -> None:
    """Add one job's result to the batch's outcome (and the worker's totals).

    A transient failure, or a send that may have reached the provider, is tried again (an uncertain
    one is looked up at the provider first) until its alert class's deadline; only then does it
    fail, "gave up after …". A permanent refusal fails at once, keeping the provider's code.
    """
    delivery = job.delivery
    if isinstance(result, str | Found | SentAgain):
        reference = result if isinstance(result, str) else result.reference
        outcome.sent.append({"b_id": delivery.id, "b_ref": reference, "b_dup": isinstance(result, SentAgain)})
        totals["sent"] += 1
        if isinstance(result, Found):
            totals["found"] += 1
        elif isinstance(result, SentAgain):
            totals["sent_again"] += 1
        return
    row = {"b_id": delivery.id, "b_code": result.code, "b_reason": result.reason[:500]}
    now = timeutil.utcnow()
    if isinstance(result, TransientError) and result.code == CIRCUIT_OPEN:
        # Nothing reached the provider: not an attempt, it waits for the circuit's next probe.
        row["b_next"] = now + timedelta(seconds=(result.retry_after or 1.0) * (0.5 + random.random()))
        outcome.deferred.append(row)
        totals["deferred"] += 1
        return
    deadline = delivery.give_up_at or give_up_at(alert_class, now)
    if isinstance(result, TransientError | MaybeSentError) and now < deadline:
        retry_after = result.retry_after if isinstance(result, TransientError) else None
        wait = backoff_seconds(delivery.attempts, retry_after)
        row.update(b_next=after_quiet_hours(delivery.alert_id, now + timedelta(seconds=wait)),
                   b_give_up=deadline)
        if isinstance(result, MaybeSentError):
            outcome.uncertain.append(row)
            totals["uncertain"] += 1
            log.warning("delivery %s to %s may have been sent (%s): the provider is asked before it goes "
                        "again", delivery.id, job.masked, result, extra=delivery_fields(delivery))
        else:
            outcome.retry.append(row)
            totals["retry"] += 1
        return
    if isinstance(result, TransientError | MaybeSentError):
        row["b_reason"] = gave_up_reason(alert_class, result.reason)
        totals["gave_up"] += 1
    outcome.failed.append(row)
    totals["failed"] += 1
    log.info("delivery %s to %s failed: %s", delivery.id, job.masked, row["b_reason"],
             extra=delivery_fields(delivery))
    if delivery.channel == Channel.SMS.value:
        # Refused for good, or given up on: email instead, as a carrier's failure report does.
        outcome.sms_failed_people.setdefault(delivery.alert_id, set()).add(delivery.contact_id)
    if isinstance(result, RecipientBlockedError):
        outcome.sms_blocked[delivery.contact_id] = f"{result.code}: {result.reason}"
