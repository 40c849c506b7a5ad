"""Post due webhook events, signed; failures retry with exponential backoff and jitter for 24 hours."""

from __future__ import annotations

import json
import random
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from sqlalchemy import select

from schoolbell import timeutil
from schoolbell.api.webhooks.models import Webhook, WebhookEvent
from schoolbell.api.webhooks.signing import sign
from schoolbell.extensions import db

TIMEOUT_SECONDS = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
EVENT_ID_HEADER = "SchoolBell-Event-Id"


def backoff(attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1`: 30 s doubling to at most 2 h, with ±20 % jitter."""
    wait = min(FIRST_RETRY * (2 ** max(0, attempts - 1)), LONGEST_WAIT)
    return wait * random.uniform(0.8, 1.2)


def signing_keys(hook: Webhook) -> list[tuple[str, str]]:
    """The current secret and, during a rotation, the previous one."""
    keys = [(hook.secret_id, hook.secret)]
    if hook.previous_secret and hook.previous_secret_id:
        keys.append((hook.previous_secret_id, hook.previous_secret))
    return keys


def post(hook: Webhook, event: WebhookEvent, now: datetime) -> tuple[int | None, str | None]:
    """POST one event; (HTTP status or None, error text or None)."""
    body = json.dumps({"id": event.id, **json.loads(event.payload)}, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "SchoolBell-Webhooks/1",
               EVENT_ID_HEADER: str(event.id), **sign(body, int(now.timestamp()), signing_keys(hook))}
    request = urllib.request.Request(hook.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (checked URL)
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        return None, str(getattr(error, "reason", error))[:500]


def send_due(now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Post the events that are due; returns counts of delivered, retried and failed."""
    now = now or timeutil.utcnow()
    outcome = {"delivered": 0, "retrying": 0, "failed": 0}
    due = list(db.session.scalars(select(WebhookEvent).where(
        WebhookEvent.status == "pending", WebhookEvent.next_attempt_at <= now)
        .order_by(WebhookEvent.next_attempt_at, WebhookEvent.id).limit(limit)))
    for event in due:
        hook = db.session.get(Webhook, event.webhook_id)
        code, error = post(hook, event, now) if hook and hook.active else (None, "webhook removed")
        event.attempts += 1
        event.last_status_code, event.last_error = code, error
        if code is not None and 200 <= code < 300:
            event.status, event.delivered_at = "delivered", now
            outcome["delivered"] += 1
        elif now >= event.give_up_at or not (hook and hook.active):
            event.status = "failed"
            outcome["failed"] += 1
        else:
            # The last try is at the 24-hour mark itself, however the backoff falls.
            event.next_attempt_at = min(now + backoff(event.attempts), event.give_up_at)
            outcome["retrying"] += 1
        db.session.commit()
    return outcome
