"""Servers the dispatch benchmark talks to, each a child process on a free 127.0.0.1 port."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bench.measure import ROOT, free_port
from bench.processes import postfix_smtp_sink


@contextmanager
def child_server(command: list[str], ready: Callable[[], bool], name: str) -> Iterator[None]:
    """Run `command` until the block ends; waits (≤ 20 s) until `ready()` is true."""
    # A file, not a pipe: a chatty server must never block on a pipe nobody reads.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 20
            while not ready():
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read()[-2000:].decode(errors="replace")
                    raise RuntimeError(f"{name} did not start:\n{output}")
                time.sleep(0.1)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def twilio_simulator(latency_ms: float) -> Iterator[str]:
    """`python -m schoolbell.simulator` with this latency; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    command = [sys.executable, "-m", "schoolbell.simulator", "--port", str(port),
               "--latency-ms", str(latency_ms)]
    with child_server(command, ready, "twilio simulator"):
        yield url


@contextmanager
def smtp_sink() -> Iterator[int]:
    """Postfix's C smtp-sink (accepts every message and discards it); yields its port.

    A Python sink (aiosmtpd) caps near 220–550 messages/s here and would hide the client's speed.
    """
    with postfix_smtp_sink() as (port, _process):
        yield port
