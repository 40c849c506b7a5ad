"""The real twilio client through the dispatcher to the simulator, and its signed status callbacks."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from schoolbell.alerts.models import Delivery, DeliveryStatus
from schoolbell.alerts.services import send_alert
from schoolbell.channels.memory import MemoryEmailBackend
from schoolbell.channels.twilio_sms import TwilioSmsBackend
from schoolbell.delivery.backends import Backends
from schoolbell.delivery.dispatcher import Dispatcher, DispatcherSettings
from schoolbell.extensions import db
from schoolbell.simulator.testing import running_simulator
from tests import factories

ACCOUNT = "AC" + "1" * 32
TOKEN = "simulated-auth-token"


@pytest.fixture
def simulator():
    with running_simulator(account_sid=ACCOUNT, auth_token=TOKEN) as running:
        yield running


@pytest.fixture
def twilio_dispatcher(app, simulator, live_server):
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN,
                      TWILIO_STATUS_CALLBACK_URL=f"{live_server}/webhooks/twilio/status")
    sms = TwilioSmsBackend(ACCOUNT, TOKEN, from_numbers=("+15005550006",),
                           api_base_url=simulator.base_url, timeout=2.0)
    backends = Backends(sms=sms, email=MemoryEmailBackend())
    dispatcher = Dispatcher(app, DispatcherSettings(batch_size=20, sms_concurrency=4, idle_sleep=0.01,
                                                    drain_horizon=0), backends)
    yield dispatcher
    dispatcher.close()
    sms.close()


def wait_for(predicate, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def sms_rows(alert) -> dict[str, Delivery]:
    rows = db.session.scalars(select(Delivery).where(Delivery.alert_id == alert.id,
                                                     Delivery.channel == "sms"))
    return {row.contact.phone: row for row in rows}


def test_success_invalid_number_throttling_and_outage(twilio_dispatcher, simulator):
    school = factories.school("7000001")
    guardian = (school, "guardian", 1, "1")
    fine = factories.person(guardian, email=None)
    invalid = factories.person(guardian, phone="+15005550001", email=None)
    throttled = factories.person(guardian, phone="+15005550429", email=None)
    outage = factories.person(guardian, phone="+15005550500", email=None)
    undelivered = factories.person(guardian, phone="+15005550002", email=None)
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    twilio_dispatcher.run(until_idle=True)

    rows = sms_rows(alert)
    assert rows[fine.phone].provider_ref.startswith("SM")
    assert rows[invalid.phone].status is DeliveryStatus.FAILED
    assert rows[invalid.phone].error_code == "21211"
    for transient in (throttled, outage):
        assert rows[transient.phone].status is DeliveryStatus.PENDING
        assert rows[transient.phone].attempts == 1
    assert rows[throttled.phone].error_code == "20429"
    received = [m for m in simulator.received if m.to == fine.phone]
    assert len(received) == 1 and received[0].body.startswith("[서울시교육청] 딥페이크 주의")

    # The simulator's signed callbacks reach the webhook: delivered, and undelivered with its code.
    wait_for(lambda: sms_rows(alert)[fine.phone].status is DeliveryStatus.DELIVERED)
    wait_for(lambda: sms_rows(alert)[undelivered.phone].status is DeliveryStatus.UNDELIVERED)
    assert sms_rows(alert)[undelivered.phone].error_code == "30003"


def test_forged_and_unsigned_callbacks_are_refused(app, client):
    school = factories.school("7000001")
    person = factories.person((school, "guardian", 1, "1"), email=None)
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    delivery = db.session.scalar(select(Delivery))
    delivery.provider_ref, delivery.status = "SM" + "a" * 32, DeliveryStatus.SENT
    db.session.commit()
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    url = f"http://localhost/webhooks/twilio/status?d={delivery.id}"
    form = {"MessageSid": delivery.provider_ref, "MessageStatus": "delivered",
            "AccountSid": ACCOUNT, "To": person.phone}

    assert client.post(url, data=form).status_code == 403
    forged = RequestValidator("not-the-token").compute_signature(url, form)
    assert client.post(url, data=form, headers={"X-Twilio-Signature": forged}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).status is DeliveryStatus.SENT

    def signed(fields):
        signature = RequestValidator(TOKEN).compute_signature(url, fields)
        return client.post(url, data=fields, headers={"X-Twilio-Signature": signature})

    assert signed(form).status_code == 204
    assert signed(form).status_code == 204  # a repeat changes nothing
    assert signed({**form, "MessageStatus": "sent"}).status_code == 204  # late: never backward
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).status is DeliveryStatus.DELIVERED


def test_callback_with_21610_blocks_the_persons_sms(app, client, dispatcher):
    school = factories.school("7000001")
    person = factories.person((school, "guardian", 1, "1"))
    send_alert(factories.alert("routine", {"roles": ["guardian"]}), "test")
    dispatcher.run_once()  # handed to the provider: the carrier answers later
    delivery = db.session.scalar(select(Delivery).where(Delivery.channel == "sms"))
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    url = f"http://localhost/webhooks/twilio/status?d={delivery.id}"
    form = {"MessageSid": delivery.provider_ref, "MessageStatus": "failed", "ErrorCode": "21610"}
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    assert client.post(url, data=form, headers={"X-Twilio-Signature": signature}).status_code == 204
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).status is DeliveryStatus.FAILED
    assert person.sms_blocked_reason.startswith("21610")


def test_sends_overlap_on_the_event_loop_but_never_beyond_the_bound(twilio_dispatcher, simulator):
    school = factories.school("7000001")
    people = [factories.person((school, "guardian", 1, "1"), email=None) for _ in range(30)]
    send_alert(factories.alert("routine", {"roles": ["guardian"]}), "test")
    simulator.set_latency(100)
    totals = twilio_dispatcher.run(until_idle=True)
    assert totals["sent"] == len(people)
    assert {m.to for m in simulator.received} == {person.phone for person in people}
    # sms_concurrency=4: four requests at a time reached the API, and never a fifth.
    assert simulator.peak_in_flight == 4
