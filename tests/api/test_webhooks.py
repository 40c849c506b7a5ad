"""Webhooks: signed POSTs to a real HTTP endpoint, replays refused, secret rotation, retries, the log."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from schoolbell import timeutil
from schoolbell.api.webhooks import collect as collecting
from schoolbell.api.webhooks.models import WebhookEvent
from schoolbell.api.webhooks.sender import send_due
from schoolbell.api.webhooks.signing import SignatureError, verify
from schoolbell.extensions import db
from tests.api.conftest import NEW_ALERT, auth, make_key


def collect():
    """Collect at once (the settle delay is for transactions still committing, none here)."""
    return collecting.collect(settle=timedelta(0))


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that records each POST and answers with the next queued status."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k: v for k, v in self.headers.items()}, body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[dict]:
        return [json.loads(body) for _headers, body in self.received]


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.server.shutdown()
    running.server.server_close()


def register(client, token, url, events=("delivery.status", "alert.finished", "acknowledgement")):
    response = client.post("/api/v1/webhooks", json={"url": url, "events": list(events)}, headers=auth(token))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def send_alert(client, token):
    alert = client.post("/api/v1/alerts", json=NEW_ALERT, headers=auth(token)).get_json()
    client.post(alert["links"]["send"], headers=auth(token))
    return alert


def test_events_are_signed_and_a_replay_is_refused(client, live_key, receiver, dispatcher, time_machine):
    time_machine.move_to(timeutil.utcnow(), tick=True)
    hook = register(client, live_key, receiver.url)
    assert hook["secret"] and hook["secret_id"].startswith("whk_")
    listed = client.get("/api/v1/webhooks", headers=auth(live_key)).get_json()["items"]
    assert "secret" not in listed[0]

    alert = send_alert(client, live_key)
    dispatcher.run_once()
    collect()
    assert send_due()["delivered"] >= 2
    types = [event["type"] for event in receiver.events()]
    assert "delivery.status" in types and "alert.finished" in types
    statuses = {delivery["status"] for event in receiver.events() if event["type"] == "delivery.status"
                for delivery in event["data"]["deliveries"]}
    assert statuses == {"sent"}
    finished = next(e for e in receiver.events() if e["type"] == "alert.finished")
    assert finished["data"]["alert_id"] == alert["id"] and finished["data"]["by_status"] == {"sent": 7}
    text = b"".join(body for _h, body in receiver.received).decode()
    assert "@example.com" not in text and "+8210" not in text  # no personal data in events

    headers, body = receiver.received[0]
    now = int(timeutil.utcnow().timestamp())
    verify(headers, body, [hook["secret"]], now)  # the documented check passes
    with pytest.raises(SignatureError, match="replay"):
        verify(headers, body, [hook["secret"]], now + 301)
    with pytest.raises(SignatureError):
        verify(headers, body.replace(b"sent", b"fail"), [hook["secret"]], now)
    with pytest.raises(SignatureError):
        verify(headers, body, ["another secret"], now)


def test_rotation_signs_with_both_secrets_until_the_old_one_is_retired(client, live_key, receiver,
                                                                       dispatcher):
    hook = register(client, live_key, receiver.url, events=["delivery.status"])
    rotated = client.post(f"/api/v1/webhooks/{hook['id']}/rotate", headers=auth(live_key)).get_json()
    assert rotated["secret"] != hook["secret"] and rotated["previous_secret_id"] == hook["secret_id"]
    send_alert(client, live_key)
    dispatcher.run_once()
    collect()
    send_due()
    headers, body = receiver.received[-1]
    now = int(timeutil.utcnow().timestamp())
    verify(headers, body, [hook["secret"]], now)  # a receiver not yet updated
    verify(headers, body, [rotated["secret"]], now)  # a receiver already updated
    assert hook["secret_id"] in {k.lower(): v for k, v in headers.items()}["schoolbell-signature"]

    client.post(f"/api/v1/webhooks/{hook['id']}/retire-previous", headers=auth(live_key))
    send_alert(client, live_key)
    dispatcher.run_once()
    collect()
    send_due()
    headers, body = receiver.received[-1]
    verify(headers, body, [rotated["secret"]], now)
    with pytest.raises(SignatureError):
        verify(headers, body, [hook["secret"]], now)


def test_failures_retry_with_backoff_and_stop_after_24_hours(client, live_key, receiver, dispatcher,
                                                             time_machine):
    time_machine.move_to(timeutil.utcnow(), tick=False)
    hook = register(client, live_key, receiver.url, events=["alert.finished"])
    send_alert(client, live_key)
    dispatcher.run_once()
    collect()
    receiver.answers = [500]
    assert send_due() == {"delivered": 0, "retrying": 1, "failed": 0}
    event = db.session.query(WebhookEvent).one()
    first_wait = event.next_attempt_at - timeutil.utcnow()
    assert timedelta(seconds=20) <= first_wait <= timedelta(seconds=40)
    assert send_due()["retrying"] == 0  # not due yet
    time_machine.shift(first_wait + timedelta(seconds=1))
    assert send_due()["delivered"] == 1
    log = client.get(f"/api/v1/webhooks/{hook['id']}/events", headers=auth(live_key)).get_json()["items"]
    assert log[0]["status"] == "delivered" and log[0]["attempts"] == 2

    # An endpoint that never answers well: retried, with growing waits, for 24 hours, then failed.
    send_alert(client, live_key)
    dispatcher.run_once()
    collect()
    receiver.answers = [503] * 100
    attempts = 0
    while db.session.query(WebhookEvent).filter_by(status="pending").count():
        pending = db.session.query(WebhookEvent).filter_by(status="pending").one()
        time_machine.move_to(pending.next_attempt_at + timedelta(seconds=1), tick=False)
        send_due()
        attempts += 1
        assert attempts < 40
    failed = db.session.query(WebhookEvent).filter_by(status="failed").one()
    assert failed.last_status_code == 503
    assert failed.next_attempt_at == failed.give_up_at  # the last try was at the 24-hour mark
    assert failed.give_up_at - failed.created_at == timedelta(hours=24)
    assert 10 <= failed.attempts <= 25


def test_webhook_urls_must_be_https(client, live_key):
    response = client.post("/api/v1/webhooks", headers=auth(live_key),
                           json={"url": "http://example.com/x", "events": ["alert.finished"]})
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "body.url"


def test_another_office_cannot_see_or_rotate_a_webhook(client, live_key, other_office, receiver):
    hook = register(client, make_key("live", office=other_office), receiver.url)
    assert client.post(f"/api/v1/webhooks/{hook['id']}/rotate", headers=auth(live_key)).status_code == 404
    assert client.get(f"/api/v1/webhooks/{hook['id']}/events", headers=auth(live_key)).status_code == 404
    assert client.get("/api/v1/webhooks", headers=auth(live_key)).get_json()["items"] == []


def test_acknowledgements_are_counted_not_named(client, live_key, receiver, dispatcher):
    from schoolbell.alerts.acknowledgements import acknowledge
    from schoolbell.alerts.models import AckKind, Delivery

    register(client, live_key, receiver.url, events=["acknowledgement"])
    alert = send_alert(client, live_key)
    dispatcher.run_once()
    collect()
    delivery = db.session.query(Delivery).filter_by(alert_id=alert["id"]).first()
    assert acknowledge(delivery, AckKind.READ)
    db.session.commit()
    collect()
    send_due()
    events = receiver.events()
    assert [e["type"] for e in events] == ["acknowledgement"]
    assert events[0]["data"] == {"alert_id": alert["id"], "mode": "live", "kind": "read", "new": 1}


def test_the_run_command_collects_and_posts(client, live_key, receiver, dispatcher, runner):
    register(client, live_key, receiver.url, events=["alert.finished"])
    send_alert(client, live_key)
    dispatcher.run_once()
    result = runner.invoke(args=["api-webhooks", "run", "--once", "--settle", "0"])
    assert result.exit_code == 0, result.output
    assert "collected 1; delivered 1" in result.output
    assert [event["type"] for event in receiver.events()] == ["alert.finished"]


def test_a_change_not_yet_settled_is_collected_in_the_next_round(client, live_key, receiver, dispatcher,
                                                                 time_machine):
    time_machine.move_to(timeutil.utcnow(), tick=False)
    register(client, live_key, receiver.url, events=["alert.finished"])
    send_alert(client, live_key)
    dispatcher.run_once()
    assert collecting.collect() == 0  # stamped just now: its transaction might still be committing
    time_machine.shift(collecting.SETTLE + timedelta(seconds=1))
    assert collecting.collect() == 1


def test_the_runner_thread_posts_events_as_they_come(app, client, live_key, receiver, dispatcher):
    import time

    from schoolbell.api.webhooks.runner import WebhookRunner

    register(client, live_key, receiver.url, events=["alert.finished"])
    runner = WebhookRunner(app, interval=0.05, settle=timedelta(0)).start()
    try:
        send_alert(client, live_key)
        dispatcher.run_once()
        deadline = time.monotonic() + 10
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.stop()
    assert [event["type"] for event in receiver.events()] == ["alert.finished"]
