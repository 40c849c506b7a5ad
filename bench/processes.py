"""Child processes of the city bench, with their peak memory read from /proc before they stop."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.measure import ROOT, free_port


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    """The process's direct children (gunicorn's web processes)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


@contextmanager
def spawned(command: list[str], env: dict[str, str], ready: Callable[[], bool], name: str,
            timeout: float = 60) -> Iterator[subprocess.Popen]:
    """Run `command` until the block ends (SIGTERM, then SIGKILL); waits until `ready()`."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                                   stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + timeout
            while not ready():
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read()[-2000:].decode(errors="replace")
                    raise RuntimeError(f"{name} did not start:\n{output}")
                time.sleep(0.2)
            yield process
        finally:
            stop(process)


def stop(process: subprocess.Popen, timeout: float = 60) -> int | None:
    """SIGTERM and wait; SIGKILL if it does not go. Its exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def accepts(port: int, greeting: bytes = b"") -> bool:
    """Something listens on 127.0.0.1:port (and says `greeting` first, when given)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            return not greeting or sock.recv(len(greeting)) == greeting
    except OSError:
        return False


@contextmanager
def postfix_smtp_sink() -> Iterator[tuple[int, subprocess.Popen]]:
    """Postfix's C smtp-sink on a free port (installed by bench/postfix.sh); yields port and process."""
    subprocess.run(["bash", str(ROOT / "bench" / "postfix.sh")], check=True)
    binary = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    port = free_port()
    # 256: the listen backlog; -u postfix: the user it runs as when started by root.
    command = [binary, *(["-u", "postfix"] if os.getuid() == 0 else []), f"127.0.0.1:{port}", "256"]
    with spawned(command, {}, lambda: accepts(port, b"220"), "smtp-sink") as process:
        yield port, process
