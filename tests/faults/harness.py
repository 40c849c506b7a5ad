"""Real processes for the fault suite: a database, the Twilio simulator, an SMTP sink, workers.

Each scenario gets a fresh database on the server, a seeded school, one emergency alert to every
guardian (SMS and email), four `flask worker` processes, and its fault; then the provider's and the
sink's own records are counted against the database.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT, TOKEN = "AC" + "7" * 32, "fault-suite-token"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def python(*args: str) -> list[str]:
    """`python -m …` for a subprocess on the suite's clock."""
    from tests.clock import python_command

    return python_command(*args)


@dataclass
class Processes:
    """What one scenario started, to stop or kill."""

    workdir: Path
    env: dict[str, str]
    sms_port: int
    smtp_port: int
    simulator: subprocess.Popen | None = None
    sink: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)
    scheduler: subprocess.Popen | None = None
    killed: set[int] = field(default_factory=set)  # worker pids killed on purpose

    @property
    def sms_record(self) -> Path:
        return self.workdir / "sms.jsonl"

    @property
    def email_record(self) -> Path:
        return self.workdir / "email.txt"

    def start_simulator(self, latency_ms: float = 20.0, error_rate: float = 0.0) -> None:
        """The Twilio simulator on its port, recording every accepted message."""
        log = open(self.workdir / "simulator.log", "ab")  # noqa: SIM115 (the process keeps it)
        self.simulator = subprocess.Popen(
            python("schoolbell.simulator", "--port", str(self.sms_port), "--record", str(self.sms_record),
                   "--latency-ms", str(latency_ms), "--error-rate", str(error_rate),
                   "--account-sid", ACCOUNT, "--auth-token", TOKEN),
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        _wait_for(lambda: _answers(f"http://127.0.0.1:{self.sms_port}/health"), "the simulator")

    def stop_simulator(self, kill: bool = True) -> None:
        """Take the provider away (SIGKILL by default: mid-request, nothing flushed)."""
        if self.simulator is not None:
            self.simulator.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.simulator.wait(timeout=30)
            self.simulator = None

    def set_modes(self, **modes) -> None:
        """Switch the running simulator's modes (throttle_rate, error_rate, …) from outside."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.sms_port}/_simulator/mode",
                                         data=json.dumps(modes).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200

    def start_scheduler(self) -> None:
        """The one `flask scheduler` process."""
        log = open(self.workdir / "scheduler.log", "ab")  # noqa: SIM115
        self.scheduler = subprocess.Popen(python("flask", "scheduler"), cwd=ROOT, env=self.env,
                                          stdout=log, stderr=subprocess.STDOUT)

    def kill_scheduler(self) -> None:
        """kill -9 the scheduler."""
        if self.scheduler is not None:
            self.scheduler.kill()
            self.scheduler.wait(timeout=30)
            self.scheduler = None

    def start_sink(self, delay: float = 0.0) -> None:
        """The SMTP sink on its port; `delay` seconds per message makes it a slow relay."""
        log = open(self.workdir / "sink.log", "ab")  # noqa: SIM115
        self.sink = subprocess.Popen(
            python("tests.faults.smtp_sink", "--port", str(self.smtp_port), "--record",
                   str(self.email_record), "--delay", str(delay)),
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        _wait_for(lambda: _listens(self.smtp_port), "the SMTP sink")

    def stop_sink(self) -> None:
        """Stop the SMTP server: connections are refused until it starts again."""
        if self.sink is not None:
            self.sink.send_signal(signal.SIGKILL)
            self.sink.wait(timeout=30)
            self.sink = None

    def start_workers(self, count: int = 4) -> None:
        """`flask worker` processes, each logging to its own file."""
        for _ in range(count):
            number = len(self.workers)
            log = open(self.workdir / f"worker-{number}.log", "ab")  # noqa: SIM115
            self.workers.append(subprocess.Popen(python("flask", "worker", "--json"), cwd=ROOT,
                                                 env=self.env, stdout=log, stderr=subprocess.STDOUT))

    def kill_workers(self, count: int) -> None:
        """kill -9 the first `count` running workers."""
        for worker in [w for w in self.workers if w.poll() is None][:count]:
            self.killed.add(worker.pid)
            worker.kill()
            worker.wait(timeout=30)

    def dead_workers(self) -> int:
        """Workers that exited by themselves (not killed on purpose, not stopped yet)."""
        return sum(1 for w in self.workers if w.poll() is not None and w.pid not in self.killed)

    def stop_all(self) -> int:
        """SIGTERM the workers (they finish what they hold); returns how many exited non-zero."""
        running = [w for w in self.workers if w.poll() is None]
        for worker in running:
            worker.send_signal(signal.SIGTERM)
        failed = 0
        for worker in running:
            try:
                # Killed by the SIGTERM itself: it came before the worker set its handler, while it
                # was still starting and held nothing (a fast send can end before new workers are up).
                failed += worker.wait(timeout=120) not in (0, -signal.SIGTERM)
            except subprocess.TimeoutExpired:
                worker.kill()
                failed += 1
        if self.scheduler is not None:
            self.scheduler.send_signal(signal.SIGTERM)
            failed += self.scheduler.wait(timeout=60) != 0
        self.stop_simulator(kill=False)
        self.stop_sink()
        return failed


def worker_env(database_url: str, sms_port: int, smtp_port: int, workdir: Path, lease: int) -> dict[str, str]:
    """What every process of a scenario runs with."""
    return {**os.environ, "FLASK_APP": "wsgi:app", "DATABASE_URL": database_url,
            "SCHOOLBELL_INSTANCE_DIR": str(workdir / "instance"), "SECRET_KEY": "fault-suite-secret-key",
            "PUBLIC_BASE_URL": "https://schoolbell.test", "QUIET_HOURS": "off",
            "SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_FROM_NUMBERS": "+15005550006", "TWILIO_API_BASE_URL": f"http://127.0.0.1:{sms_port}",
            "TWILIO_TIMEOUT_SECONDS": "3", "EMAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port), "SMTP_TIMEOUT_SECONDS": "3",
            "DISPATCH_LEASE_SECONDS": str(lease), "DISPATCH_BATCH_SIZE": "200",
            "DISPATCH_SMS_CONCURRENCY": "32", "DISPATCH_EMAIL_THREADS": "4", "SQLITE_BUSY_TIMEOUT_MS": "2000"}


def fresh_database(server_url: str, name: str) -> str:
    """A new empty database named `name` on the server of `server_url` (PostgreSQL) or a file."""
    if server_url.startswith("sqlite"):
        path = Path(name)
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(False)


def seed_and_send(env: dict[str, str], people: int, schedule_in: float | None = None) -> int:
    """Migrate, seed one school's guardians and send (or schedule) an emergency to them; alert id."""
    subprocess.run(python("flask", "db", "upgrade"), cwd=ROOT, env=env, check=True, capture_output=True)
    done = subprocess.run(python("tests.faults.seed", str(people), str(schedule_in or 0)), cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True)
    return int(done.stdout.strip().splitlines()[-1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _listens(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for(predicate, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def received(processes: Processes) -> tuple[Counter, Counter]:
    """Delivery ids the provider and the sink recorded, with how many times each."""
    from tests.faults.smtp_sink import delivery_id

    sms: Counter = Counter()
    if processes.sms_record.exists():
        for line in processes.sms_record.read_text().splitlines():
            try:
                found = delivery_id(json.loads(line)["body"]) if line.strip() else None
            except json.JSONDecodeError:
                continue  # torn by a kill mid-write: that request was never answered
            if line.strip():
                sms[found if found is not None else -1] += 1
    email: Counter = Counter()
    if processes.email_record.exists():
        for line in processes.email_record.read_text().splitlines():
            if line.strip():
                email[int(line.split()[0]) if line[0].isdigit() else -1] += 1
    return sms, email


def settled(database_url: str, alert_id: int) -> dict[str, int]:
    """The alert's deliveries by status, and how many are flagged uncertain or maybe twice."""
    engine = create_engine(database_url, pool_pre_ping=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT status, count(*) FROM deliveries WHERE alert_id = :a GROUP BY status"),
                {"a": alert_id}).all()
            flags = connection.execute(text(
                "SELECT count(*) FILTER (WHERE uncertain), count(*) FILTER (WHERE maybe_duplicate) "
                "FROM deliveries WHERE alert_id = :a"
                if engine.dialect.name == "postgresql" else
                "SELECT sum(uncertain), sum(maybe_duplicate) FROM deliveries WHERE alert_id = :a"),
                {"a": alert_id}).one()
    except Exception:  # the database is away during a fault: the caller asks again
        return {}
    finally:
        engine.dispose()
    return {**{str(status): n for status, n in rows}, "uncertain": int(flags[0] or 0),
            "maybe_duplicate": int(flags[1] or 0)}

