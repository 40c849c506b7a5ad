"""Alerts at Seoul scale: fan-out to every guardian, then dispatch throughput through real clients.

    python -m bench.dispatch_bench [--postgres postgresql://…] [--messages N] [--repeat R]

Fan-out: `flask alerts create … --role guardian` then `flask alerts send ID` on a freshly seeded
Seoul (~800,000 people, ~720,000 guardians); wall time and peak RSS of the send.
Dispatch: `flask worker --until-idle` with the real twilio client against `python -m
schoolbell.simulator` (0 ms, then 100 ms latency), and with SMTP against Postfix's smtp-sink, each
draining an alert of a fixed number of deliveries in the Seoul-sized table; the worker runs as
configured (DISPATCH_* settings). Beside each, a baseline from the same run against the same server
process: a bare loop of the same backend sending the same messages with the worker's concurrency
(SMS: as many coroutines in flight on the client's event loop; email: as many threads), with no
database work while timed. The worker's rate leaves out its start-up,
measured by running it again on the then empty queue. With --repeat, baseline and worker alternate
and the best of each counts (the machine may be shared).
Targets on the 2-core machine: fan-out ≤ 10 s; dispatch ≥ 80% of the baseline at 0 ms;
≥ 1,000 SMS/s per worker at 100 ms; ≥ 1,000 emails/s per worker (and ≥ 80% of the baseline);
peak RSS ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.directory_bench import database_env
from bench.measure import FLASK, ROOT, Measurement, report, run_measured
from bench.servers import smtp_sink, twilio_simulator
from bench.workload import ALERT, alert_status, copy_sqlite, count_statuses, flask, make_due
from schoolbell.simulator.app import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

FAN_OUT_SECONDS, RSS_MB, RATIO, RATE_AT_100_MS = 10.0, 300.0, 0.8, 1000.0
# Long enough that the worker's ramp-up and tail (its first claim, its last batch's writes) weigh
# little beside the steady rate the baseline's loop measures.
COUNTS = {"sms0": 50_000, "sms100": 50_000, "email": 50_000}


@dataclass(frozen=True)
class Row:
    """One figure of the final table."""

    label: str
    measured: str
    baseline: str
    ratio: str
    target: str
    passed: bool


def progress(step: str) -> None:
    """Say what is being measured (on stderr: the table is the output)."""
    print(f"… {step}", file=sys.stderr, flush=True)


def seeded(workdir: Path, label: str, postgres: str | None) -> dict[str, str]:
    """A fresh database of the kind given, migrated and seeded with the whole city."""
    progress(f"{label}: seeding Seoul")
    env = database_env(workdir, label, postgres)
    flask(env, "db", "upgrade")
    flask(env, "demo", "seed", "--scale", "seoul")
    return env


def bench_fan_out(label: str, env: dict[str, str]) -> tuple[int, list[Row]]:
    """Create the emergency alert to every guardian and fan it out; returns its id and rows."""
    progress(f"{label}: fan-out")
    created = run_measured(f"{label}: alerts create", [*FLASK, "alerts", "create", *ALERT], env)
    alert_id = int(created.output.split()[0])
    send = run_measured(f"{label}: alerts send",
                        [*FLASK, "alerts", "send", str(alert_id), "--actor", "bench"], env)
    deliveries = send.output.split(":", 1)[1].split()[0]
    return alert_id, [
        Row(f"{label}: fan-out, {deliveries} deliveries", f"{send.seconds:.1f} s", "", "",
            f"≤ {FAN_OUT_SECONDS:.0f} s", send.seconds <= FAN_OUT_SECONDS),
        Row(f"{label}: fan-out peak RSS", f"{send.peak_rss_mb:.0f} MB", "", "", f"≤ {RSS_MB:.0f} MB",
            send.peak_rss_mb <= RSS_MB),
    ]


def sms_env(url: str) -> dict[str, str]:
    """The worker's settings for Twilio through the simulator."""
    return {"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": DEFAULT_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": DEFAULT_AUTH_TOKEN, "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32,
            "TWILIO_API_BASE_URL": url, "TWILIO_STATUS_CALLBACK_URL": "", "EMAIL_BACKEND": "memory"}


def smtp_env(port: int) -> dict[str, str]:
    """The worker's settings for SMTP to the sink."""
    return {"EMAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
            "SMTP_SECURITY": "none", "SMS_BACKEND": "memory"}


@dataclass(frozen=True)
class Dispatch:
    """One channel's figures: the worker's best run, its rate and the baseline's best rate."""

    worker: Measurement
    rate: float
    baseline: float


def last_json(output: str) -> dict:
    """The last JSON object line of a command's output (its log lines may follow it)."""
    return json.loads(next(line for line in reversed(output.splitlines()) if line.startswith("{")))


def bare_rate(label: str, env: dict[str, str], alert_id: int, channel: str, count: int,
              concurrency: int) -> float:
    """Messages per second of the bare loop (its own clock, around the sends only)."""
    command = [sys.executable, "-m", "bench.bare_send", channel, str(alert_id), str(count),
               str(concurrency)]
    figures = last_json(run_measured(f"{label}: bare loop", command, env).output)
    if figures["errors"] or figures["messages"] != count:
        raise RuntimeError(f"{label}: baseline sent {figures}")
    return count / figures["seconds"]


def worker_settings(env: dict[str, str]) -> dict:
    """The dispatcher settings `flask worker` will use under `env`, as it computes them."""
    code = ("import dataclasses, json; from wsgi import app; "
            "from schoolbell.delivery.dispatcher import DispatcherSettings; "
            "print(json.dumps(dataclasses.asdict(DispatcherSettings.from_config(app.config))))")
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return last_json(done.stdout)


def worker_run(label: str, env: dict[str, str], alert_id: int, count: int) -> tuple[Measurement, float]:
    """Drain the alert with `flask worker --until-idle`; checks every delivery was sent."""
    command = [*FLASK, "worker", "--until-idle", "--json"]
    worker = run_measured(f"{label}: worker", command, env)
    totals = last_json(worker.output)
    statuses, status = count_statuses(env, alert_id), alert_status(env, alert_id)
    if totals["sent"] != count or statuses != {"sent": count} or status != "sent":
        raise RuntimeError(f"{label}: worker totals {totals}, deliveries {statuses}, alert {status}")
    start_up = run_measured(f"{label}: worker, empty queue", command, env)
    return worker, count / (worker.seconds - start_up.seconds)


def measure(label: str, env: dict[str, str], fanned_out: int, alert_id: int, channel: str, count: int,
            baseline_concurrency: int, repeat: int) -> Dispatch:
    """Baseline and worker alternately on the same server; the best of each."""
    progress(label)
    baselines, workers = [], []
    for _ in range(repeat):
        make_due(env, fanned_out, alert_id, channel, count)
        baselines.append(bare_rate(label, env, alert_id, channel, count, baseline_concurrency))
        workers.append(worker_run(label, env, alert_id, count))
    worker, rate = max(workers, key=lambda run: run[1])
    return Dispatch(worker, rate, max(baselines))


def dispatch_rows(label: str, figures: Dispatch, target: str, passed: bool) -> list[Row]:
    """The throughput row and the worker's peak RSS row."""
    rss = figures.worker.peak_rss_mb
    return [Row(label, f"{figures.rate:,.0f}/s", f"{figures.baseline:,.0f}/s",
                f"{figures.rate / figures.baseline:.2f}", target, passed),
            Row(f"{label}: worker peak RSS", f"{rss:.0f} MB", "", "", f"≤ {RSS_MB:.0f} MB", rss <= RSS_MB)]


def bench_dispatch(label: str, env: dict[str, str], fanned_out: int, counts: dict[str, int],
                   repeat: int) -> list[Row]:
    """SMS at 0 ms and 100 ms, then email; each beside its bare-loop baseline.

    Each run drains a dedicated alert holding exactly the run's deliveries (see make_due).
    """
    alert_id = int(flask(env, "alerts", "create", *ALERT).split()[0])
    settings = worker_settings(env)
    in_flight, email_threads = settings["sms_concurrency"], settings["email_threads"]
    rows = []
    if "sms0" in counts:
        with twilio_simulator(0) as url:
            figures = measure(f"{label}: SMS 0 ms", {**env, **sms_env(url)}, fanned_out, alert_id, "sms",
                              counts["sms0"], in_flight, repeat)
        rows += dispatch_rows(f"{label}: SMS, simulator 0 ms, {counts['sms0']:,} "
                              f"(both {in_flight} in flight)", figures, f"≥ {RATIO:.0%} of baseline",
                              figures.rate >= RATIO * figures.baseline)
    if "sms100" in counts:
        with twilio_simulator(100) as url:
            figures = measure(f"{label}: SMS 100 ms", {**env, **sms_env(url)}, fanned_out, alert_id,
                              "sms", counts["sms100"], in_flight, repeat)
        rows += dispatch_rows(f"{label}: SMS, simulator 100 ms, {counts['sms100']:,} "
                              f"(both {in_flight} in flight)", figures, f"≥ {RATE_AT_100_MS:,.0f}/s",
                              figures.rate >= RATE_AT_100_MS)
    if "email" in counts:
        with smtp_sink() as port:
            figures = measure(f"{label}: email", {**env, **smtp_env(port)}, fanned_out, alert_id, "email",
                              counts["email"], email_threads, repeat)
        rows += dispatch_rows(f"{label}: email, Postfix smtp-sink, {counts['email']:,} "
                              f"(both {email_threads} in flight)", figures,
                              f"≥ {RATE_AT_100_MS:,.0f}/s, ≥ {RATIO:.0%}",
                              figures.rate >= max(RATE_AT_100_MS, RATIO * figures.baseline))
    return rows


def print_table(rows: list[Row]) -> None:
    """The figures, one per line, with PASS/MISS."""
    lines = []
    for row in rows:
        figure = f"{row.measured:>9}"
        if row.baseline:
            figure += f"  baseline {row.baseline:>7}  ratio {row.ratio:>4}"
        verdict = "PASS" if row.passed else "MISS"
        lines.append((row.label, f"{figure:<42}  target {row.target:<18} {verdict}"))
    report("Alerts at Seoul scale", lines)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (its schema is reset)")
    parser.add_argument("--messages", type=int, help="deliveries per dispatch run (default: "
                        + ", ".join(f"{n:,} for {key}" for key, n in COUNTS.items()) + ")")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, best counts (default 1)")
    parser.add_argument("--only", action="append", choices=sorted(COUNTS),
                        help="measure only this dispatch run (may be repeated; default all)")
    parser.add_argument("--seeded", metavar="INSTANCE_DIR", type=Path,
                        help="copy this SQLite instance folder, already seeded at Seoul scale")
    args = parser.parse_args()
    counts = {key: args.messages or count for key, count in COUNTS.items()
              if not args.only or key in args.only}
    workdir = Path(tempfile.mkdtemp(prefix="schoolbell-bench-"))
    rows: list[Row] = []
    try:
        seed = ({"SCHOOLBELL_INSTANCE_DIR": str(args.seeded.resolve())} if args.seeded
                else seeded(workdir, "seed", None))
        env = database_env(workdir, "sqlite", None)
        copy_sqlite(seed, env)
        flask(env, "db", "upgrade")  # a --seeded copy may predate the latest migration
        alert_id, fan_out_rows = bench_fan_out("sqlite", env)
        rows += fan_out_rows
        rows += bench_dispatch("sqlite", env, alert_id, counts, args.repeat)
        if args.postgres:
            env = seeded(workdir, "postgresql", args.postgres)
            alert_id, fan_out_rows = bench_fan_out("postgresql", env)
            rows += fan_out_rows
            rows += bench_dispatch("postgresql", env, alert_id, counts, args.repeat)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if rows:
            print_table(rows)


if __name__ == "__main__":
    main()
