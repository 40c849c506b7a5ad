"""`python -m schoolbell.simulator` serves, records and shuts down cleanly on SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

import schoolbell
from schoolbell.simulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN


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
