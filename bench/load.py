"""The web under load: gunicorn serving the app, locust (headless) driving console and parent pages.

Locust lives in its own virtual environment (instance/locust-venv, made on first use) so that its
own Flask and gevent never touch the product's pinned packages.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.measure import ROOT, free_port
from bench.processes import spawned

LOCUST_VERSION = "2.47.0"
LOCUST_VENV = ROOT / "instance" / "locust-venv"
USERS, USER_RPS = 20, 5.0  # 100 requests per second in all
WINDOW_SECONDS = 10  # locust's window for its current percentiles
REQUEST_MS = re.compile(r" (\d+)ms ")  # gunicorn.conf.py's access_log_format: %(M)sms
CONSOLE_EMAIL, CONSOLE_PASSWORD = "bench-office@sen.example", "bench-Password-4-load!"


def locust_binary() -> Path:
    """The locust command, installed into its own venv with the project's pip if missing."""
    binary = LOCUST_VENV / "bin" / "locust"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(LOCUST_VENV)], check=True)
        subprocess.run([sys.executable, "-m", "pip", "--python", str(LOCUST_VENV / "bin" / "python"),
                        "install", "-q", f"locust=={LOCUST_VERSION}"], check=True)
    return binary


@contextmanager
def web_server(env: dict[str, str], processes: int = 2) -> Iterator[tuple[str, subprocess.Popen]]:
    """gunicorn with the shipped gunicorn.conf.py on a free port; yields its base URL and process."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"]
    # gunicorn's own time for each request (its access log), beside what the load generator measures.
    server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(processes),
                  "GUNICORN_ACCESS_LOG": str(access_log_of(env))}
    with spawned(command, server_env, ready, "gunicorn") as process:
        yield url, process


def access_log_of(env: dict[str, str]) -> Path:
    """Where the bench's gunicorn writes its access log (one line a request, with its time in ms)."""
    return Path(env["SCHOOLBELL_INSTANCE_DIR"]) / "access.log"


def server_p95(access_log: Path, since_byte: int) -> float | None:
    """The p95 of gunicorn's own request times written after `since_byte` of its access log."""
    if not access_log.exists():
        return None
    with open(access_log, "rb") as log:
        log.seek(since_byte)
        times = sorted(int(found.group(1)) for found in map(REQUEST_MS.search, log.read().decode(
            errors="replace").splitlines()) if found)
    return float(times[int(len(times) * 0.95)]) if times else None


def write_parent_paths(env: dict[str, str], alert_id: int, count: int, path: Path) -> None:
    """The /m/… paths of `count` of the alert's deliveries, as their messages carry them."""
    code = ("import sys; from wsgi import app; from sqlalchemy import select;"
            "from schoolbell.extensions import db; from schoolbell.alerts.models import Alert, Delivery;"
            "from schoolbell.delivery.compose import render_texts\n"
            "with app.app_context():\n"
            " alert = db.session.get(Alert, int(sys.argv[1])); texts = render_texts(alert, 'ko')\n"
            " ids = db.session.scalars(select(Delivery.id).where(Delivery.alert_id == alert.id)"
            ".order_by(Delivery.id).limit(int(sys.argv[2])))\n"
            " base = app.config['PUBLIC_BASE_URL'].rstrip('/')\n"
            " print('\\n'.join(texts.link_for(i).removeprefix(base) for i in ids))")
    done = subprocess.run([sys.executable, "-c", code, str(alert_id), str(count)], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, check=True)
    path.write_text(done.stdout)


def run_locust(url: str, seconds: int, alert_id: int, paths: Path, access_log: Path | None = None) -> dict:
    """100 requests/s for `seconds`; the aggregated figures (p50, p95, requests, failures, rate), and the
    p95 gunicorn itself measured meanwhile when its access log is given."""
    logged_before = access_log.stat().st_size if access_log and access_log.exists() else 0
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "load"
        env = {**os.environ, "BENCH_CONSOLE_EMAIL": CONSOLE_EMAIL,
               "BENCH_CONSOLE_PASSWORD": CONSOLE_PASSWORD, "BENCH_ALERT_ID": str(alert_id),
               "BENCH_PARENT_PATHS": str(paths), "BENCH_USER_RPS": str(USER_RPS)}
        subprocess.run([str(locust_binary()), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                        "-u", str(USERS), "-r", str(USERS), "-t", f"{seconds}s", "-H", url,
                        "--csv", str(prefix), "--csv-full-history", "--only-summary",
                        "--loglevel", "WARNING"],
                       env=env, cwd=ROOT, capture_output=True, check=False)
        with open(f"{prefix}_stats.csv", newline="") as stats:
            rows = {row["Name"]: row for row in csv.DictReader(stats)}
        windows = p95_by_window(Path(f"{prefix}_stats_history.csv"))
    total = rows["Aggregated"]
    return {"p50_ms": float(total["50%"]), "p95_ms": float(total["95%"]),
            "requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
            "rps": float(total["Requests/s"]),
            "pages": {name: float(row["95%"]) for name, row in rows.items() if name != "Aggregated"},
            "p95_by_window_ms": windows,
            "server_p95_ms": server_p95(access_log, logged_before) if access_log else None}


def p95_by_window(history: Path, window: int = WINDOW_SECONDS) -> list[float]:
    """The p95 of each `window` seconds of the run, from locust's per-second history."""
    # Locust's "current" percentiles in the history are over the last 10 s, so every 10th row covers one
    # window: when in the minute the slow requests came (sign-ins and cold readings at the start?).
    with open(history, newline="") as rows:
        aggregated = [row for row in csv.DictReader(rows)
                      if row["Name"] == "Aggregated" and row["95%"] != "N/A"]
    return [float(row["95%"]) for row in aggregated[window - 1::window]]


def wait_until(predicate, timeout: float, step: float = 0.5) -> None:
    """Poll until the predicate holds (or the time is up)."""
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(step)
