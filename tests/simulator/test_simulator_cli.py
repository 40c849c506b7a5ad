"""`python -m schoolbell.simulator` serves, records (even through SIGKILL) and takes modes live."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from twilio.base.exceptions import TwilioRestException

import schoolbell
from schoolbell.simulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from schoolbell.simulator.testing import twilio_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("simulator did not start")


def test_cli_serves_and_records(tmp_path):
    port, record = free_port(), tmp_path / "sent.jsonl"
    root = str(Path(schoolbell.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [sys.executable, "-m", "schoolbell.simulator", "--port", str(port),
         "--latency-ms", "5", "--record", str(record)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        response = requests.post(
            f"{url}/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}/Messages.json",
            data={"To": "+821012345678", "From": "+15005550006", "Body": "안녕"},
            auth=(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN),
            timeout=5,
        )
        assert response.status_code == 201
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    [line] = record.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["sid"] == response.json()["sid"]


def start_cli(tmp_path, *flags):
    port, record = free_port(), tmp_path / "sent.jsonl"
    root = str(Path(schoolbell.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [sys.executable, "-m", "schoolbell.simulator", "--port", str(port),
         "--record", str(record), *flags],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    endpoint = SimpleNamespace(
        base_url=f"http://127.0.0.1:{port}",
        account_sid=DEFAULT_ACCOUNT_SID,
        auth_token=DEFAULT_AUTH_TOKEN,
    )
    wait_healthy(endpoint.base_url, process)
    return process, endpoint, record


def test_record_survives_sigkill(tmp_path):
    process, endpoint, record = start_cli(tmp_path, "--callback-delay-ms", "50")
    try:
        client = twilio_client(endpoint)
        sids = [
            client.messages.create(to="+821012345678", from_="+15005550006", body=f"{n}").sid
            for n in range(25)
        ]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert [line["sid"] for line in lines] == sids


def test_cli_modes_flip_over_http(tmp_path):
    process, endpoint, record = start_cli(
        tmp_path, "--outage", "503", "--throttle-rate", "0", "--retry-after", "2"
    )
    try:
        client = twilio_client(endpoint)
        with pytest.raises(TwilioRestException) as raised:
            client.messages.create(to="+821012345678", from_="+15005550006", body="x")
        assert raised.value.status == 503
        flipped = requests.post(
            f"{endpoint.base_url}/_simulator/mode",
            json={"outage": "off", "throttle_rate": 1.0}, timeout=5,
        )
        assert flipped.json()["retry_after"] == 2
        with pytest.raises(TwilioRestException) as raised:
            client.messages.create(to="+821012345678", from_="+15005550006", body="x")
        assert raised.value.status == 429
        assert client.http_client._test_only_last_response.headers["Retry-After"] == "2"
        health = requests.get(f"{endpoint.base_url}/health", timeout=5).json()
        assert health["rejected"] == {"outage_503": 1, "throttled": 1}
        assert health["requests"] == 2 and health["received"] == 0
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert not record.exists() or record.read_text() == ""


def test_a_restarted_simulator_still_lists_what_it_accepted_before(tmp_path):
    """Like Twilio, a restart forgets nothing: a sender asking after a lost answer finds its message."""
    from schoolbell.simulator.testing import running_simulator, twilio_client

    record = tmp_path / "record.jsonl"
    with running_simulator(record_path=record) as simulator:
        sid = twilio_client(simulator).messages.create(to="+821012345678", from_="+15005550006",
                                                       body="before the restart").sid
    with running_simulator(record_path=record) as simulator:
        [found] = twilio_client(simulator).messages.list(to="+821012345678")
        assert (found.sid, found.body) == (sid, "before the restart")


def test_a_record_torn_by_a_kill_is_read_past_and_appended_on_a_new_line(tmp_path):
    from schoolbell.simulator.testing import running_simulator, twilio_client

    record = tmp_path / "record.jsonl"
    with running_simulator(record_path=record) as simulator:
        twilio_client(simulator).messages.create(to="+821012345678", from_="+15005550006", body="one")
    with open(record, "a", encoding="utf-8") as torn:
        torn.write('{"sid": "SM12')  # the last line, cut off by SIGKILL
    with running_simulator(record_path=record) as simulator:
        client = twilio_client(simulator)
        client.messages.create(to="+821012345678", from_="+15005550006", body="two")
        assert [m.body for m in client.messages.list(to="+821012345678")] == ["two", "one"]
    lines = record.read_text(encoding="utf-8").splitlines()
    assert lines[1] == '{"sid": "SM12' and '"body": "two"' in lines[2]
