"""Status callbacks reach a local receiver, signed so that RequestValidator accepts them."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from schoolbell.channels.messages import SmsMessage
from schoolbell.channels.twilio_sms import TwilioSmsBackend
from schoolbell.simulator import magic
from schoolbell.simulator.testing import running_simulator


class Receiver:
    """A tiny HTTP server on 127.0.0.1 that keeps every POST it gets."""

    def __init__(self):
        self.requests: list[tuple[str, dict[str, str], str]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                params = dict(parse_qsl(self.rfile.read(length).decode("utf-8")))
                received.append((self.path, params, self.headers.get("X-Twilio-Signature", "")))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def wait_for(self, count: int, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.requests

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def simulator():
    with running_simulator(callback_delay_ms=10) as simulator:
        yield simulator


def send(simulator, to, callback):
    with TwilioSmsBackend(
        simulator.account_sid,
        simulator.auth_token,
        from_numbers=["+15005550006"],
        api_base_url=simulator.base_url,
        timeout=5,
    ) as backend:
        return backend.send(SmsMessage(to=to, body="안녕하세요", status_callback=callback))


def test_sent_then_delivered_with_a_valid_signature(simulator, receiver):
    callback = f"{receiver.url}/twilio/status?delivery=42"
    sid = send(simulator, "+821012345678", callback)
    posts = receiver.wait_for(2)
    assert [params["MessageStatus"] for _, params, _ in posts] == ["sent", "delivered"]
    validator = RequestValidator(simulator.auth_token)
    for path, params, signature in posts:
        assert path == "/twilio/status?delivery=42"
        assert params["MessageSid"] == sid
        assert (params["To"], params["From"]) == ("+821012345678", "+15005550006")
        assert (params["AccountSid"], params["ApiVersion"]) == (simulator.account_sid, "2010-04-01")
        assert validator.validate(callback, params, signature)


def test_forged_callbacks_do_not_validate(simulator, receiver):
    callback = f"{receiver.url}/twilio/status"
    send(simulator, "+821012345678", callback)
    _, params, signature = receiver.wait_for(1)[0]
    assert params["MessageStatus"] == "sent"
    assert RequestValidator(simulator.auth_token).validate(callback, params, signature)
    assert not RequestValidator(simulator.auth_token).validate(
        callback, {**params, "MessageStatus": "delivered"}, signature
    )
    assert not RequestValidator(simulator.auth_token).validate(
        callback, {**params, "To": "+821099999999"}, signature
    )
    assert not RequestValidator("another-token").validate(callback, params, signature)
    assert not RequestValidator(simulator.auth_token).validate(callback, params, "Zm9yZ2Vk")


@pytest.mark.parametrize(
    ("number", "statuses", "error_code"),
    [
        (magic.UNDELIVERED, ["sent", "undelivered"], "30003"),
        (magic.FAILED, ["failed"], "30008"),
    ],
)
def test_failing_numbers_report_their_error_code(simulator, receiver, number, statuses, error_code):
    send(simulator, number, f"{receiver.url}/status")
    posts = receiver.wait_for(len(statuses))
    time.sleep(0.05)  # nothing more arrives
    assert [params["MessageStatus"] for _, params, _ in receiver.requests] == statuses
    codes = [params.get("ErrorCode") for _, params, _ in posts]
    assert codes == [None] * (len(statuses) - 1) + [error_code]


def test_unreachable_callback_url_is_counted_not_fatal(simulator):
    sid = send(simulator, "+821012345678", "http://127.0.0.1:9/nowhere")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        mine = [c for c in simulator.callbacks if c.params["MessageSid"] == sid]
        if len(mine) == 2:
            break
        time.sleep(0.01)
    assert [c.response_status for c in mine] == [None, None]
