"""Where the machine's cores go during a measured minute: CPU per kind of process, database sessions apart.

Processes are told apart by their command line; PostgreSQL's backends by the name the session gave
(pg_stat_activity.application_name: schoolbell-worker, schoolbell-fan-out, schoolbell for the web), so
the database work done for the workers and the fan-out is counted apart from the work done for the pages.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, text

SAMPLE_SECONDS = 1.0
# First match wins: gunicorn's command line holds "wsgi:app", a worker's "flask worker".
KINDS = (("gunicorn", "web"), ("flask worker", "workers"), ("alerts send", "fan-out"),
         ("locust", "load generator"), ("schoolbell.simulator", "SMS simulator"), ("smtp-sink", "smtp-sink"),
         ("postgres", "PostgreSQL, its own (vacuum, WAL, checkpoints)"))
SESSIONS = {"schoolbell-worker": "PostgreSQL for the workers",
            "schoolbell-fan-out": "PostgreSQL for the fan-out", "schoolbell": "PostgreSQL for the web"}


def _ticks(pid: str) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # user + system


def _kind(pid: str, sessions: dict[int, str]) -> str | None:
    if int(pid) in sessions:
        return SESSIONS.get(sessions[int(pid)], "PostgreSQL, other sessions")
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    return next((kind for key, kind in KINDS if key in command), "other")


class CpuShare:
    """Samples every second in a thread, from start() to stop(); cores() is the mean per kind."""

    def __init__(self, database_url: str | None = None):
        self._engine = (create_engine(database_url, connect_args={"application_name": "bench-cpu-share"})
                        if database_url else None)
        self._stopping = threading.Event()
        self._ticks: Counter = Counter()
        self._seconds = 0.0
        self._thread = threading.Thread(target=self._run, name="cpu-share", daemon=True)

    def start(self) -> CpuShare:
        """Begin sampling."""
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        """End sampling; the mean cores per kind of process over the sampled time."""
        self._stopping.set()
        self._thread.join()
        if self._engine is not None:
            self._engine.dispose()
        return self.cores()

    def cores(self) -> dict[str, float]:
        """Mean cores per kind of process, the busiest first."""
        hz = os.sysconf("SC_CLK_TCK")
        seconds = self._seconds or 1.0
        return {kind: round(ticks / hz / seconds, 2) for kind, ticks in self._ticks.most_common()}

    def _sessions(self) -> dict[int, str]:
        if self._engine is None:
            return {}
        with self._engine.connect() as connection:
            return dict(connection.execute(text(
                "SELECT pid, application_name FROM pg_stat_activity WHERE application_name <> ''")).all())

    def _run(self) -> None:
        last: dict[str, int] = {}
        previous = time.monotonic()
        while not self._stopping.wait(SAMPLE_SECONDS):
            sessions = self._sessions()
            now = time.monotonic()
            for pid in (entry for entry in os.listdir("/proc") if entry.isdigit()):
                ticks = _ticks(pid)
                if ticks is None:
                    continue
                if pid in last and (kind := _kind(pid, sessions)) is not None:
                    self._ticks[kind] += ticks - last[pid]
                last[pid] = ticks
            self._seconds += now - previous
            previous = now
