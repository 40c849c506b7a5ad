"""TwilioSmsBackend with the real twilio client against the simulator on 127.0.0.1."""

import threading
from collections import Counter

import pytest

from schoolbell.channels.errors import (
    MaybeSentError,
    PermanentError,
    RecipientBlockedError,
    TransientError,
)
from schoolbell.channels.messages import SmsMessage
from schoolbell.channels.twilio_sms import TwilioSmsBackend
from schoolbell.simulator import magic
from schoolbell.simulator.testing import running_simulator

KOREAN = "[서울시교육청] 딥페이크 성범죄 예방 안내: 의심 게시물은 112 또는 117로 신고하세요."
POOL = ("+15005550006", "+15005550007", "+15005550008")
SERVICE = "MG" + "a" * 32


def backend_for(simulator, **options) -> TwilioSmsBackend:
    options.setdefault("from_numbers", POOL)
    return TwilioSmsBackend(
        simulator.account_sid,
        options.pop("auth_token", simulator.auth_token),
        api_base_url=simulator.base_url,
        **{"timeout": 5.0, **options},
    )


def test_send_returns_sid_and_korean_body_arrives_intact(simulator):
    with backend_for(simulator) as backend:
        sid = backend.send(SmsMessage(to="+821012345678", body=KOREAN))
    assert sid.startswith("SM") and len(sid) == 34
    [received] = simulator.received
    assert (received.sid, received.to, received.body) == (sid, "+821012345678", KOREAN)


def test_invalid_number_is_permanent_with_code_and_masked_reason(simulator):
    with backend_for(simulator) as backend, pytest.raises(PermanentError) as caught:
        backend.send(SmsMessage(to=magic.INVALID_NUMBER, body="x"))
    assert caught.value.code == "21211"
    assert magic.INVALID_NUMBER not in caught.value.reason
    assert not isinstance(caught.value, RecipientBlockedError)


def test_unsubscribed_recipient_is_blocked(simulator):
    with backend_for(simulator) as backend, pytest.raises(RecipientBlockedError) as caught:
        backend.send(SmsMessage(to=magic.UNSUBSCRIBED, body="x"))
    assert caught.value.code == "21610"


def test_throttling_is_transient_with_retry_after(simulator):
    with backend_for(simulator) as backend, pytest.raises(TransientError) as caught:
        backend.send(SmsMessage(to=magic.THROTTLED, body="x"))
    assert caught.value.code == "20429"
    assert caught.value.retry_after == 1.0


@pytest.mark.parametrize("number", [magic.SERVER_ERROR, magic.UNAVAILABLE])
def test_outage_is_transient(simulator, number):
    with backend_for(simulator) as backend, pytest.raises(TransientError) as caught:
        backend.send(SmsMessage(to=number, body="x"))
    assert caught.value.retry_after is None
    assert simulator.received == []


def test_stopped_server_is_transient_and_nothing_was_sent():
    with running_simulator() as simulator:
        backend = backend_for(simulator)
        backend.send(SmsMessage(to="+821012345678", body="first"))
    # The pooled keep-alive connection is gone and nothing listens: connection refused.
    with pytest.raises(TransientError) as caught:
        backend.send(SmsMessage(to="+821012345678", body="second"))
    assert "connect" in caught.value.reason
    backend.close()


def test_read_timeout_after_sending_is_maybe_sent(simulator):
    simulator.set_latency(2000)
    with backend_for(simulator, timeout=0.3) as backend, pytest.raises(MaybeSentError):
        backend.send(SmsMessage(to="+821012345678", body="x"))


def test_wrong_auth_token_is_permanent_20003(simulator):
    with backend_for(simulator, auth_token="wrong") as backend, pytest.raises(PermanentError) as e:
        backend.send(SmsMessage(to="+821012345678", body="x"))
    assert e.value.code == "20003"


def test_sender_pool_rotates(simulator):
    with backend_for(simulator) as backend:
        for _ in range(4):
            backend.send(SmsMessage(to="+821012345678", body="x"))
    assert [m.sender for m in simulator.received] == [*POOL, POOL[0]]
    assert all(m.messaging_service_sid is None for m in simulator.received)


def test_messaging_service_is_used_when_set(simulator):
    with backend_for(simulator, messaging_service_sid=SERVICE, from_numbers=()) as backend:
        backend.send(SmsMessage(to="+821012345678", body="x"))
    [received] = simulator.received
    assert (received.messaging_service_sid, received.sender) == (SERVICE, None)


def test_explicit_sender_and_status_callback_are_passed(simulator):
    callback = "https://office.example/twilio/status"
    with backend_for(simulator, status_callback=callback) as backend:
        backend.send(SmsMessage(to="+821012345678", body="x", sender="+15005550099"))
    [received] = simulator.received
    assert (received.sender, received.status_callback) == ("+15005550099", callback)


def test_concurrent_sends_from_a_thread_pool(simulator):
    backend = backend_for(simulator)
    errors: list[BaseException] = []

    def work():
        try:
            for _ in range(10):
                backend.send(SmsMessage(to="+821012345678", body=KOREAN))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    backend.close()
    assert errors == []
    assert len({m.sid for m in simulator.received}) == 60
    assert Counter(m.sender for m in simulator.received) == dict.fromkeys(POOL, 20)


def test_needs_a_sender():
    with pytest.raises(ValueError, match="messaging_service_sid or from_numbers"):
        TwilioSmsBackend("AC" + "0" * 32, "token")
