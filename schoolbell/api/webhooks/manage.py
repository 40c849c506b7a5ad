"""Register, rotate and remove an office's webhooks."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from schoolbell.api.webhooks.models import EVENT_TYPES, Webhook
from schoolbell.api.webhooks.signing import new_secret
from schoolbell.extensions import db

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


class WebhookError(ValueError):
    """A webhook that cannot be registered or changed; the message says why."""


def check_url(url: str) -> str:
    """An https URL (plain http only to this machine, for development)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if len(url) > 500 or not parts.hostname:
        raise WebhookError("url: an absolute https:// address of at most 500 characters")
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS):
        raise WebhookError("url: events carry alert data; only https:// (or http:// to localhost) is allowed")
    return url


def create_webhook(office_id: int, url: str, events: list[str], description: str = "") -> tuple[Webhook, str]:
    """A new webhook and its signing secret (shown once)."""
    unknown = [event for event in events if event not in EVENT_TYPES]
    if unknown or not events:
        raise WebhookError(f"events: choose from {', '.join(EVENT_TYPES)}")
    key_id, secret = new_secret()
    hook = Webhook(office_id=office_id, url=check_url(url), events=sorted(set(events)),
                   description=(description or "")[:100] or None, secret_id=key_id, secret=secret)
    db.session.add(hook)
    db.session.flush()
    return hook, secret


def rotate_secret(hook: Webhook) -> str:
    """Start a rotation: a new current secret; the old one keeps signing until retire_previous."""
    hook.previous_secret_id, hook.previous_secret = hook.secret_id, hook.secret
    hook.secret_id, hook.secret = new_secret()
    return hook.secret


def retire_previous(hook: Webhook) -> None:
    """End a rotation: events are signed with the current secret only."""
    hook.previous_secret_id = hook.previous_secret = None


def office_webhook(office_id: int, webhook_id: int) -> Webhook | None:
    """The office's webhook, or None (another office's is not found either)."""
    return db.session.scalar(select(Webhook).where(Webhook.id == webhook_id, Webhook.office_id == office_id))
