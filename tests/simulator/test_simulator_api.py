"""The simulator's HTTP API, spoken to directly (without twilio-python)."""

import json
import time

import pytest
import requests

from schoolbell.simulator import magic
from schoolbell.simulator.testing import running_simulator

SERVICE = "MG" + "b" * 32


def post(simulator, data, *, auth=None, account_sid=None):
    account_sid = account_sid or simulator.account_sid
    return requests.post(
        f"{simulator.base_url}/2010-04-01/Accounts/{account_sid}/Messages.json",
        data=data,
        auth=auth or (simulator.account_sid, simulator.auth_token),
        timeout=5,
    )


def test_health(simulator):
    response = requests.get(f"{simulator.base_url}/health", timeout=5).json()
    assert (response["status"], response["received"], response["peak_in_flight"]) == ("ok", 0, 0)
    assert response["modes"]["outage"] == "off" and response["rejected"] == {}
    post(simulator, {"To": "+821012345678", "From": "+15005550006", "Body": "x"})
    response = requests.get(f"{simulator.base_url}/health", timeout=5).json()
    assert (response["received"], response["requests"], response["peak_in_flight"]) == (1, 1, 1)


def test_accepts_and_records(simulator):
    response = post(simulator, {"To": "+821012345678", "From": "+15005550006", "Body": "안녕"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "queued" and body["sid"].startswith("SM")
    assert (body["to"], body["from"], body["body"], body["num_segments"]) == (
        "+821012345678", "+15005550006", "안녕", "1",
    )
    [received] = simulator.received
    assert received.sid == body["sid"] and received.params["Body"] == "안녕"


@pytest.mark.parametrize(
    "auth", [("AC" + "1" * 32, "simulator-auth-token"), (None, "wrong"), ("", "")]
)
def test_bad_credentials_get_twilio_401(simulator, auth):
    username = simulator.account_sid if auth[0] is None else auth[0]
    response = post(simulator, {"To": "+821012345678"}, auth=(username, auth[1]))
    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


def test_missing_auth_header(simulator):
    url = f"{simulator.base_url}/2010-04-01/Accounts/{simulator.account_sid}/Messages.json"
    assert requests.post(url, data={"To": "+1"}, timeout=5).status_code == 401


def test_other_account_in_path_is_404(simulator):
    response = post(simulator, {"To": "+821012345678"}, account_sid="AC" + "1" * 32)
    assert (response.status_code, response.json()["code"]) == (404, 20404)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"From": "+15005550006", "Body": "x"}, 21604),
        ({"To": "+821012345678", "Body": "x"}, 21603),
        ({"To": "+821012345678", "From": "+15005550006"}, 21602),
        ({"To": "01012345678", "From": "+15005550006", "Body": "x"}, 21211),
        ({"To": "+821012345678", "MessagingServiceSid": "MG1", "Body": "x"}, 21701),
        ({"To": "+821012345678", "From": "+15005550006", "Body": "x" * 1601}, 21617),
    ],
)
def test_validation_errors(simulator, data, code):
    response = post(simulator, data)
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert simulator.received == []


@pytest.mark.parametrize(
    ("number", "status", "code"),
    [
        (magic.INVALID_NUMBER, 400, 21211),
        (magic.UNSUBSCRIBED, 400, 21610),
        (magic.THROTTLED, 429, 20429),
        (magic.SERVER_ERROR, 500, 20500),
        (magic.UNAVAILABLE, 503, 20503),
    ],
)
def test_magic_numbers(simulator, number, status, code):
    response = post(simulator, {"To": number, "MessagingServiceSid": SERVICE, "Body": "x"})
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert ("Retry-After" in response.headers) == (status == 429)
    assert simulator.received == []


def test_error_rate_answers_503_for_that_fraction(simulator):
    simulator.set_error_rate(1.0)
    assert post(simulator, {"To": "+821012345678", "From": "+1500", "Body": "x"}).status_code == 503
    simulator.set_error_rate(0.0)
    assert post(simulator, {"To": "+821012345678", "From": "+1500", "Body": "x"}).status_code == 201


def test_latency_delays_the_answer_without_blocking_others(simulator):
    simulator.set_latency(300)
    started = time.perf_counter()
    responses = _concurrently(simulator, 20)
    elapsed = time.perf_counter() - started
    assert all(response.status_code == 201 for response in responses)
    assert 0.3 <= elapsed < 2.0  # twenty requests in parallel, not 6 s in a row


def test_records_to_jsonl_and_restarts_on_the_same_port(tmp_path):
    record = tmp_path / "sent.jsonl"
    with running_simulator(record_path=record) as simulator:
        post(simulator, {"To": "+821012345678", "From": "+15005550006", "Body": "첫째"})
        port = simulator.port
        simulator.stop()
        simulator.start()
        assert simulator.port == port
        post(simulator, {"To": "+821012345678", "From": "+15005550006", "Body": "둘째"})
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert [line["body"] for line in lines] == ["첫째", "둘째"]
    assert lines[0]["params"]["To"] == "+821012345678"


def _concurrently(simulator, count):
    from concurrent.futures import ThreadPoolExecutor

    data = {"To": "+821012345678", "From": "+15005550006", "Body": "x"}
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: post(simulator, data), range(count)))
