"""The city bench's baseline: the bare clients sending the alert's own messages, no database while timed.

    python -m bench.seoul_baseline ALERT_ID PER_CHANNEL

Builds the messages of the alert's first PER_CHANNEL deliveries on each channel (the same texts and
personal links the workers sent), then sends both channels at once from one process, as one worker
does: SMS as coroutines on the Twilio client's loop (DISPATCH_SMS_CONCURRENCY in flight), email on
the SMTP backend's loop (DISPATCH_EMAIL_THREADS connections). Prints JSON: per channel, messages,
seconds (first send to its last answer) and errors; and the process's peak RSS.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time

from sqlalchemy import select

from schoolbell.alerts.models import Alert, Delivery
from schoolbell.channels.errors import ChannelError
from schoolbell.delivery.backends import get_backends
from schoolbell.delivery.compose import email_message, render_texts, sms_message
from schoolbell.delivery.dispatcher import DispatcherSettings
from schoolbell.directory.models import Contact
from schoolbell.extensions import db


def build(alert_id: int, channel: str, limit: int) -> list:
    """The messages of the alert's first `limit` deliveries on `channel`, whatever their status."""
    alert = db.session.get(Alert, alert_id)
    texts = {language: render_texts(alert, language) for language in ("ko", "en")}
    rows = db.session.execute(
        select(Delivery.id, Delivery.contact_id, Delivery.language, Contact.phone, Contact.email)
        .join(Contact, Contact.id == Delivery.contact_id)
        .where(Delivery.alert_id == alert_id, Delivery.channel == channel)
        .order_by(Delivery.id).limit(limit)).all()
    if channel == "sms":
        return [sms_message(texts[row.language], row.phone, row.id, None) for row in rows]
    return [email_message(texts[row.language], row.email, row.id, row.contact_id, row.language)
            for row in rows]


async def send_all(backend, messages: list, concurrency: int) -> dict:
    """Send every message on the backend's loop, `concurrency` at a time; figures as a dict."""
    slots, errors = asyncio.Semaphore(concurrency), 0

    async def one(message) -> None:
        nonlocal errors
        async with slots:
            try:
                await backend.send_async(message)
            except ChannelError:
                errors += 1

    began = time.perf_counter()
    await asyncio.gather(*(one(message) for message in messages))
    return {"messages": len(messages), "seconds": time.perf_counter() - began, "errors": errors}


def main() -> None:
    """Build, then send both channels at once; print JSON."""
    from wsgi import app

    alert_id, per_channel = int(sys.argv[1]), int(sys.argv[2])
    settings = DispatcherSettings.from_config(app.config)
    with app.app_context():
        messages = {channel: build(alert_id, channel, per_channel) for channel in ("sms", "email")}
        db.session.remove()
        backends = get_backends(app)
    try:
        sms = backends.sms.loop.submit(send_all(backends.sms, messages["sms"], settings.sms_concurrency))
        email = backends.email.loop.submit(send_all(backends.email, messages["email"],
                                                    settings.email_threads))
        figures = {"sms": sms.result(), "email": email.result()}
    finally:
        backends.close()
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
