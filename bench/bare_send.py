"""The baseline: a bare loop of the configured channel backend, no database work while timed.

    python -m bench.bare_send sms|email ALERT_ID MESSAGES CONCURRENCY
Sends the alert's first MESSAGES pending deliveries of the channel, the same messages the worker
would send, built before the clock starts, CONCURRENCY at a time: as coroutines on the backend's
event loop when it has one (Twilio), else split over that many threads. Prints JSON.
"""

from __future__ import annotations

import json
import sys
import threading
import time

from sqlalchemy import select

from bench.seoul_baseline import send_all as send_all_on_loop
from schoolbell.alerts.models import Alert, Delivery, DeliveryStatus
from schoolbell.channels.base import AsyncSmsBackend
from schoolbell.channels.errors import ChannelError
from schoolbell.delivery.backends import get_backends
from schoolbell.delivery.compose import email_message, render_texts, sms_message
from schoolbell.directory.models import Contact
from schoolbell.extensions import db


def build_messages(channel: str, alert_id: int, limit: int) -> list:
    """The messages of the alert's first `limit` pending deliveries on `channel`."""
    alert = db.session.get(Alert, alert_id)
    texts = {language: render_texts(alert, language) for language in ("ko", "en")}
    rows = db.session.execute(
        select(Delivery.id, Delivery.contact_id, Delivery.language, Contact.phone, Contact.email)
        .join(Contact, Contact.id == Delivery.contact_id)
        .where(Delivery.alert_id == alert_id, Delivery.channel == channel,
               Delivery.status == DeliveryStatus.PENDING)
        .order_by(Delivery.id).limit(limit)).all()
    if channel == "sms":
        return [sms_message(texts[row.language], row.phone, row.id, None) for row in rows]
    return [email_message(texts[row.language], row.email, row.id, row.contact_id, row.language)
            for row in rows]


def send_all(send, messages: list, threads: int) -> tuple[float, int]:
    """Send every message with `threads` threads; returns (seconds, errors)."""
    errors = [0] * threads
    start = threading.Barrier(threads + 1)

    def loop(index: int) -> None:
        start.wait()
        for message in messages[index::threads]:
            try:
                send(message)
            except ChannelError:
                errors[index] += 1

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    return time.perf_counter() - began, sum(errors)


def send_all_async(backend: AsyncSmsBackend, messages: list, concurrency: int) -> tuple[float, int]:
    """Send every message as coroutines on the backend's loop, `concurrency` at a time."""
    figures = backend.loop.run(send_all_on_loop(backend, messages, concurrency))
    return figures["seconds"], figures["errors"]


def main() -> None:
    """Parse the arguments, build the messages, time the loop, print JSON."""
    from wsgi import app

    channel, alert_id, limit, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    with app.app_context():
        messages = build_messages(channel, alert_id, limit)
        db.session.remove()
        backends = get_backends(app)
        backend = backends.sms if channel == "sms" else backends.email
        try:
            if isinstance(backend, AsyncSmsBackend):
                seconds, errors = send_all_async(backend, messages, threads)
            else:
                seconds, errors = send_all(backend.send, messages, threads)
        finally:
            backends.close()
    print(json.dumps({"messages": len(messages), "seconds": seconds, "errors": errors}))


if __name__ == "__main__":
    main()
