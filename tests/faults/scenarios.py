"""The faults, each a function run while four workers send one alert, and the table they fill."""

from __future__ import annotations

import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.faults.harness import (
    ROOT,
    Processes,
    free_port,
    fresh_database,
    python,
    received,
    seed_and_send,
    settled,
    worker_env,
)


@dataclass(frozen=True)
class Scale:
    """How big and how long: `short` fits in CI, `soak` is the real thing (make soak)."""

    people: int
    outage: float  # seconds a provider, relay or SMTP server stays away
    long_outage: float
    relay_delay: float  # seconds per message of a slow relay
    lock: float  # seconds an SQLite write lock is held
    lease: int  # DISPATCH_LEASE_SECONDS of the workers
    settle: float  # seconds to wait for everything to be final


SHORT = Scale(people=400, outage=6, long_outage=12, relay_delay=0.15, lock=5, lease=8, settle=150)
SOAK = Scale(people=5000, outage=60, long_outage=180, relay_delay=0.6, lock=15, lease=30, settle=1500)


@dataclass
class Row:
    """One scenario's counts: what the provider and the sink received against what was targeted."""

    scenario: str
    targeted: int = 0
    received: int = 0
    distinct: int = 0
    duplicates: int = 0
    counted_maybe_twice: int = 0
    lost: int = 0
    transient_as_permanent: int = 0
    left_pending: int = 0
    workers_dead: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Nothing lost or stuck, no worker dead, every duplicate counted."""
        return (self.lost == 0 and self.transient_as_permanent == 0 and self.left_pending == 0
                and self.workers_dead == 0 and self.duplicates <= self.counted_maybe_twice)


def _when_received(processes: Processes, share: float, targeted: int, timeout: float = 120) -> None:
    """Wait until the provider and the sink have about `share` of the messages (mid-send)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sms, email = received(processes)
        if sum(sms.values()) + sum(email.values()) >= share * targeted:
            return
        time.sleep(0.05)


def kill_workers(processes: Processes, scale: Scale, targeted: int) -> None:
    """kill -9 two of the four workers mid-send, then start two new ones."""
    _when_received(processes, 0.3, targeted)
    processes.kill_workers(2)
    time.sleep(1)
    processes.start_workers(2)


def simulator_down(seconds_of: Callable[[Scale], float]):
    """The Twilio simulator killed mid-send, back after a while on the same port and record."""
    def fault(processes: Processes, scale: Scale, targeted: int) -> None:
        _when_received(processes, 0.2, targeted)
        processes.stop_simulator(kill=True)
        time.sleep(seconds_of(scale))
        processes.start_simulator()
    return fault


def provider_errors(processes: Processes, scale: Scale, targeted: int) -> None:
    """Bursts of 429s (with Retry-After) and 503s: a third of the provider's answers, for a while."""
    _when_received(processes, 0.1, targeted)
    processes.set_modes(throttle_rate=0.2, retry_after=1, error_rate=0.15)
    time.sleep(scale.outage)
    processes.set_modes(throttle_rate=0.0, error_rate=0.0)


def scheduler_killed(processes: Processes, scale: Scale, targeted: int) -> None:
    """The scheduler killed before the alert's due time and back only after it: it goes once."""
    time.sleep(2)  # it has taken the lock and made its first pass
    processes.kill_scheduler()
    time.sleep(SCHEDULED_IN + 4)
    processes.start_scheduler()


def smtp_refusing(processes: Processes, scale: Scale, targeted: int) -> None:
    """The SMTP server refuses connections for a while mid-send."""
    _when_received(processes, 0.2, targeted)
    processes.stop_sink()
    time.sleep(scale.outage)
    processes.start_sink()


def postgres_restart(processes: Processes, scale: Scale, targeted: int) -> None:
    """PostgreSQL restarted under the sending workers."""
    _when_received(processes, 0.3, targeted)
    subprocess.run(["bash", ".ci/postgres.sh", "restart"], cwd=ROOT, check=True)


def sqlite_lock(processes: Processes, scale: Scale, targeted: int) -> None:
    """Another process holds SQLite's write lock far longer than the workers' busy timeout."""
    import sqlite3

    _when_received(processes, 0.2, targeted)
    holder = sqlite3.connect(processes.env["DATABASE_URL"].removeprefix("sqlite:///"))
    holder.execute("BEGIN EXCLUSIVE")
    time.sleep(scale.lock)
    holder.rollback()
    holder.close()


@dataclass(frozen=True)
class Scenario:
    """A named fault, what it needs, and the database kinds it runs on."""

    name: str
    fault: Callable[[Processes, Scale, int], None] | None
    databases: tuple[str, ...] = ("postgresql", "sqlite")
    slow_relay: bool = False
    idle_restart: bool = False
    scheduled: bool = False  # the alert is scheduled a few seconds ahead, for a scheduler process


SCENARIOS = [
    Scenario("nothing broken", None),
    Scenario("kill -9 two workers mid-send", kill_workers),
    Scenario("simulator killed, back after the outage", simulator_down(lambda s: s.outage)),
    Scenario("simulator killed, back after the long outage", simulator_down(lambda s: s.long_outage)),
    Scenario("503 bursts from the provider", provider_errors),
    Scenario("SMTP server refusing connections", smtp_refusing),
    Scenario("slow SMTP relay", None, slow_relay=True),
    Scenario("PostgreSQL restarted mid-send", postgres_restart, databases=("postgresql",)),
    Scenario("PostgreSQL restarted while workers idle", None, databases=("postgresql",), idle_restart=True),
    Scenario("SQLite write lock held", sqlite_lock, databases=("sqlite",)),
    Scenario("scheduler killed across the due time", scheduler_killed, scheduled=True),
]
SCHEDULED_IN = 6.0


def run(scenario: Scenario, server_url: str, scale: Scale) -> Row:
    """Run one scenario from a fresh database and count what happened."""
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="schoolbell-fault-"))
    kind = "sqlite" if server_url.startswith("sqlite") else "postgresql"
    name = str(workdir / "faults.db") if kind == "sqlite" else "schoolbell_faults"
    database = fresh_database(server_url, name)
    env = worker_env(database, free_port(), free_port(), workdir, scale.lease)
    processes = Processes(workdir, env, int(env["TWILIO_API_BASE_URL"].rsplit(":", 1)[1]),
                          int(env["SMTP_PORT"]))
    processes.start_simulator()
    processes.start_sink(delay=scale.relay_delay if scenario.slow_relay else 0.0)
    try:
        if scenario.idle_restart:
            alert_id = seed_and_send(env, scale.people, schedule_in=3600)
            processes.start_workers(4)
            time.sleep(2)
            subprocess.run(["bash", ".ci/postgres.sh", "restart"], cwd=ROOT, check=True)
            time.sleep(2)
            subprocess.run(python("flask", "alerts", "send", str(alert_id)), cwd=ROOT, env=env,
                           check=True, capture_output=True)
        elif scenario.scheduled:
            alert_id = seed_and_send(env, scale.people, schedule_in=SCHEDULED_IN)
            processes.start_scheduler()
            processes.start_workers(4)
        else:
            alert_id = seed_and_send(env, scale.people)
            processes.start_workers(4)
        targeted = scale.people * 2  # every guardian has a phone and an email
        if scenario.fault is not None:
            fault = threading.Thread(target=scenario.fault, args=(processes, scale, targeted))
            fault.start()
            fault.join()
        _wait_settled(database, alert_id, scale.settle, targeted)
        dead = processes.dead_workers()
    finally:
        stopped_badly = processes.stop_all()
    sms, email = received(processes)
    every = sms + email
    final = settled(database, alert_id)
    failed = final.get("failed", 0)
    return Row(scenario.name, targeted=targeted, received=sum(every.values()), distinct=len(every),
               duplicates=sum(n - 1 for n in every.values()),
               counted_maybe_twice=final.get("maybe_duplicate", 0),
               lost=max(0, targeted - len(every) - failed), transient_as_permanent=failed,
               left_pending=final.get("pending", 0) + final.get("sending", 0),
               workers_dead=dead + stopped_badly, seconds=round(time.monotonic() - started, 1))


def _wait_settled(database: str, alert_id: int, timeout: float, targeted: int) -> None:
    """Until every targeted delivery exists (a scheduled alert fans out late) and none is open."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = settled(database, alert_id)
        made = sum(n for status, n in counts.items() if status not in ("uncertain", "maybe_duplicate"))
        if made >= targeted and counts.get("pending", 0) + counts.get("sending", 0) == 0:
            return
        time.sleep(0.5)


def table(rows: list[Row]) -> str:
    """The rows as a plain-text table, one line per scenario."""
    columns = ["scenario", "targeted", "received", "distinct", "duplicates", "counted_maybe_twice", "lost",
               "transient_as_permanent", "left_pending", "workers_dead", "seconds"]
    lines = [" | ".join(columns), " | ".join("---" for _ in columns)]
    lines += [" | ".join(str(getattr(row, column)) for column in columns) + ("" if row.ok else "  ← FAIL")
              for row in rows]
    return "\n".join(lines)
