"""Run a command in a child process and measure its wall time and peak memory (RSS)."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLASK = [sys.executable, "-m", "flask"]


@dataclass(frozen=True)
class Measurement:
    """What one run took."""

    label: str
    seconds: float
    peak_rss_mb: float
    output: str


def run_measured(label: str, command: list[str], env: dict[str, str]) -> Measurement:
    """Run `command` as one child and report its wall time and its own peak RSS.

    Each measured command runs under a fresh intermediate Python, so RUSAGE_CHILDREN of that
    intermediate holds exactly one child's peak.
    """
    probe = (
        "import resource, subprocess, sys, time;"
        "t = time.perf_counter();"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "s = time.perf_counter() - t;"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "sys.stdout.write(f'{s}\\n{r}\\n{p.returncode}\\n' + p.stdout[-2000:] + p.stderr[-2000:])"
    )
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True,
                          env={**os.environ, **env}, cwd=ROOT)
    seconds, rss_kb, code, *rest = done.stdout.split("\n", 3)
    output = rest[0] if rest else ""
    if code != "0":
        raise RuntimeError(f"{label} failed ({code}):\n{output}\n{done.stderr}")
    return Measurement(label, float(seconds), int(rss_kb) / 1024, output)


def own_peak_rss_mb() -> float:
    """This process's peak RSS so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(title: str, rows: list[tuple[str, str]]) -> None:
    """Print a small aligned table."""
    print(f"\n== {title}")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value}")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
