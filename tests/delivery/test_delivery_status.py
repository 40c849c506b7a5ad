"""Delivery status: one module owns the moves; attempts have their own identity; carriers' reports stand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from schoolbell.alerts.delivery_status import ALLOWED, IllegalMove, move
from schoolbell.alerts.models import Alert, AlertStatus, Delivery, DeliveryStatus
from schoolbell.alerts.services import resend_failed, send_alert
from schoolbell.delivery import outcomes
from schoolbell.delivery.claims import claim
from schoolbell.delivery.dispatcher import Dispatcher, DispatcherSettings
from schoolbell.delivery.outcomes import BatchOutcome, write_outcome
from schoolbell.extensions import db
from tests import factories

TOKEN = "status-token"
CALLBACK = "http://localhost/webhooks/twilio/status"
SCHOOLBELL = Path(__file__).resolve().parents[2] / "schoolbell"


@pytest.fixture
def signed_callbacks(app, client):
    """POST a status callback to a URL exactly as Twilio signs it."""
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWILIO_STATUS_CALLBACK_URL=CALLBACK)

    def post(url: str, **fields):
        signature = RequestValidator(TOKEN).compute_signature(url, fields)
        return client.post(url, data=fields, headers={"X-Twilio-Signature": signature})
    return post


@pytest.fixture
def callback_dispatcher(app, backends, signed_callbacks):
    """A dispatcher whose SMS carry a status-callback URL."""
    running = Dispatcher(app, DispatcherSettings(batch_size=50, sms_concurrency=2, idle_sleep=0.01,
                                                 drain_horizon=0), backends)
    yield running
    running.close()


def row(delivery_id: int) -> Delivery:
    db.session.expire_all()
    return db.session.get(Delivery, delivery_id)


@pytest.mark.parametrize("start", list(DeliveryStatus))
@pytest.mark.parametrize("to", list(DeliveryStatus))
def test_each_status_moves_only_where_the_life_cycle_allows(app, start, to):
    school = factories.school("7000001")
    factories.person((school, "guardian", 1, "1"), email=None)
    send_alert(factories.alert("emergency", {"roles": ["guardian"]}), "test")
    delivery = db.session.scalar(select(Delivery))
    db.session.execute(Delivery.__table__.update().values(status=start.value))
    moved = db.session.execute(move(to, Delivery.id == delivery.id)).rowcount
    db.session.commit()
    assert bool(moved) is ((start, to) in ALLOWED)
    assert row(delivery.id).status is (to if moved else start)


def test_the_life_cycle_never_goes_backward_but_to_start_a_new_attempt():
    rank = {DeliveryStatus.PENDING: 0, DeliveryStatus.SENDING: 1, DeliveryStatus.SENT: 2}
    backward = {(start, to) for start, to in ALLOWED if rank.get(to, 3) < rank.get(start, 3)}
    assert backward == {(DeliveryStatus.SENDING, DeliveryStatus.PENDING),
                        (DeliveryStatus.FAILED, DeliveryStatus.PENDING),
                        (DeliveryStatus.UNDELIVERED, DeliveryStatus.PENDING)}
    with pytest.raises(IllegalMove):
        move(DeliveryStatus.PENDING, only_from=[DeliveryStatus.DELIVERED])


def test_no_module_but_the_owner_writes_a_delivery_status():
    writes = re.compile(r"status\s*=\s*DeliveryStatus\.|[\"']status[\"']\s*:\s*DeliveryStatus\.")
    offenders = [str(path.relative_to(SCHOOLBELL)) for path in SCHOOLBELL.rglob("*.py")
                 if path.name != "delivery_status.py" and writes.search(path.read_text())]
    assert offenders == []


def test_a_late_callback_for_an_earlier_attempt_never_changes_the_resent_one(
        callback_dispatcher, backends, signed_callbacks):
    school = factories.school("7000001")
    factories.person((school, "guardian", 1, "1"), email=None)
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    callback_dispatcher.run(until_idle=True)
    first = backends.sms.outbox[-1]
    delivery_id = db.session.scalar(select(Delivery.id))
    assert first.status_callback == f"{CALLBACK}?d={delivery_id}&a=1"
    first_sid = row(delivery_id).provider_ref
    signed_callbacks(first.status_callback, MessageSid=first_sid, MessageStatus="undelivered",
                     ErrorCode="30003")
    assert row(delivery_id).status is DeliveryStatus.UNDELIVERED

    assert resend_failed(db.session.get(Alert, alert.id), "office-kim") == 1
    assert row(delivery_id).provider_ref is None  # the old attempt's reference is not the new one's
    [again] = claim("worker-2", 10, lease_seconds=60)
    assert again.attempt_no == 2
    # While the new attempt is in flight, Twilio repeats the first attempt's callback, late.
    for status in ("undelivered", "failed"):
        signed_callbacks(first.status_callback, MessageSid=first_sid, MessageStatus=status,
                         ErrorCode="30003")
    assert row(delivery_id).status is DeliveryStatus.SENDING
    write_outcome("worker-2", BatchOutcome(sent=[{"b_id": delivery_id, "b_ref": "SM" + "d" * 32}]))
    signed_callbacks(first.status_callback, MessageSid=first_sid, MessageStatus="failed")
    assert row(delivery_id).status is DeliveryStatus.SENT
    signed_callbacks(f"{CALLBACK}?d={delivery_id}&a=2", MessageSid="SM" + "d" * 32,
                     MessageStatus="delivered")
    assert row(delivery_id).status is DeliveryStatus.DELIVERED


def test_a_carrier_report_landing_before_the_workers_record_keeps_its_code(app, signed_callbacks):
    school = factories.school("7000001")
    factories.person((school, "guardian", 1, "1"), email=None)
    send_alert(factories.alert("routine", {"roles": ["guardian"]}), "test")
    [claimed] = claim("worker-1", 10, lease_seconds=60)
    signed_callbacks(f"{CALLBACK}?d={claimed.id}&a={claimed.attempt_no}", MessageSid="SM" + "c" * 32,
                     MessageStatus="undelivered", ErrorCode="30003")
    write_outcome("worker-1", BatchOutcome(sent=[{"b_id": claimed.id, "b_ref": "SM" + "c" * 32}]))
    stored = row(claimed.id)
    assert (stored.status, stored.error_code, stored.error_reason) == \
        (DeliveryStatus.UNDELIVERED, "30003", "carrier reported undelivered")
    assert stored.provider_ref == "SM" + "c" * 32 and stored.lease_owner is None


def test_an_sms_the_carrier_gives_up_on_falls_back_to_email_once(callback_dispatcher, backends,
                                                                  signed_callbacks):
    school = factories.school("7000001")
    parent = factories.person((school, "guardian", 1, "1"), preferred_channel="sms")
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    callback_dispatcher.run(until_idle=True)
    assert [m.to for m in backends.sms.outbox] == [parent.phone] and backends.email.outbox == []
    assert db.session.get(Alert, alert.id).status is AlertStatus.SENT
    sms = backends.sms.outbox[0]
    for _ in range(2):  # Twilio may repeat a callback
        signed_callbacks(sms.status_callback, MessageSid="memory-1", MessageStatus="undelivered",
                         ErrorCode="30005")
    db.session.expire_all()
    emails = list(db.session.scalars(select(Delivery).where(Delivery.channel == "email")))
    assert [(e.contact_id, e.is_fallback) for e in emails] == [(parent.id, True)]
    assert db.session.get(Alert, alert.id).status is AlertStatus.SENDING  # new work to do
    callback_dispatcher.run(until_idle=True)
    assert [m.to for m in backends.email.outbox] == [parent.email]
    assert db.session.get(Alert, alert.id).status is AlertStatus.SENT


def test_a_batch_recorded_in_several_statements_marks_every_row_it_holds_and_no_other(app, monkeypatch):
    school = factories.school("7000001")
    for _ in range(5):
        factories.person((school, "guardian", 1, "1"), email=None)
    send_alert(factories.alert("routine", {"roles": ["guardian"]}), "test")
    mine = claim("worker-1", 4, lease_seconds=60)
    [theirs] = claim("worker-2", 10, lease_seconds=60)
    monkeypatch.setattr(outcomes, "SENT_PER_STATEMENT", 3)  # 4 rows: two statements on PostgreSQL
    sent = [{"b_id": held.id, "b_ref": f"SM{n:032d}", "b_dup": n == 0} for n, held in enumerate(mine)]
    sent.append({"b_id": theirs.id, "b_ref": "SM" + "e" * 32})  # not this worker's lease
    write_outcome("worker-1", BatchOutcome(sent=sent))
    for n, held in enumerate(mine):
        stored = row(held.id)
        assert (stored.status, stored.provider_ref, stored.lease_owner, stored.maybe_duplicate) == \
            (DeliveryStatus.SENT, f"SM{n:032d}", None, n == 0)
    other = row(theirs.id)
    assert (other.status, other.provider_ref, other.lease_owner) == (DeliveryStatus.SENDING, None, "worker-2")
