"""All of Seoul, end to end: seed the city, send one emergency to every guardian, time the hand-over.

    python -m bench.seoul [--schools N] [--postgres URL] [--pg-workers 3] [--sqlite-workers 2]
                          [--email-first 1] [--worker-nice 10] [--latency-ms 100] [--baseline 20000]
                          [--no-load] [--skip-sqlite]

For each database (SQLite, the embedded default; PostgreSQL when given): a fresh database seeded with
`flask demo seed --scale seoul` (with --schools, only the first N schools of the real list), workers
already running and idle (--email-first of them with `--prefer email`, all under `nice -n 10`, as
docs/operations.md advises), then `flask alerts send` of an emergency to every guardian. The time
runs from the start of that command to the last delivery handed to a provider (its sent_at), per
channel:
SMS through the real twilio client against `python -m schoolbell.simulator` (--latency-ms), email
through aiosmtplib against Postfix's C `smtp-sink`. While it sends, locust drives the console and
parent pages through gunicorn at 100 requests/s; the same load on the idle server after the send is
its baseline. After the send, the bare clients send the alert's first --baseline messages of each channel
from one process to the same servers (bench/seoul_baseline.py): the rate a worker could reach with no
database; then --email-drain of the alert's emails are made due again, sent once by the bare email
client alone (bench/bare_send.py) and then by one worker alone (`flask worker --until-idle`, its
start-up left out): a worker's own email rate, beside the bare client's.
Prints the figures, the ratios and every process's peak RSS.
Targets on the 2-core machine: the city in ≤ 8 minutes (goal 5), email ≥ 1,000/s per worker, SMS
≥ 0.85 of the baseline, page p95 ≤ 100 ms during the send, peak RSS ≤ 200 MB per process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.cpu_share import CpuShare
from bench.directory_bench import SCHOOL_DATA, database_env
from bench.dispatch_bench import bare_rate, last_json, sms_env, worker_run
from bench.load import (
    CONSOLE_EMAIL,
    CONSOLE_PASSWORD,
    WINDOW_SECONDS,
    access_log_of,
    run_locust,
    web_server,
    write_parent_paths,
)
from bench.measure import FLASK, run_measured
from bench.processes import children, peak_rss_mb, postfix_smtp_sink, spawned, stop
from bench.servers import twilio_simulator
from bench.workload import ALERT, database_url, flask, make_due

MINUTES, GOAL, EMAIL_RATE, SMS_RATIO, P95_MS, RSS_MB = 8.0, 5.0, 1000.0, 0.85, 100.0, 200.0
NEIS_FILE = "neis_schoolinfo_seoul_2022-07-31.csv"


def progress(step: str) -> None:
    """Say what is happening (stderr: the figures are the output)."""
    print(f"… {datetime.now(UTC):%H:%M:%S} {step}", file=sys.stderr, flush=True)


def school_data(workdir: Path, schools: int | None) -> Path:
    """The real school files, or a copy whose school list stops after the first `schools` rows."""
    if not schools:
        return SCHOOL_DATA
    folder = workdir / "schools"
    shutil.copytree(SCHOOL_DATA, folder)
    (folder / NEIS_FILE).chmod(0o644)
    lines = (SCHOOL_DATA / NEIS_FILE).read_bytes().splitlines(keepends=True)
    (folder / NEIS_FILE).write_bytes(b"".join(lines[:schools + 1]))
    return folder


def query(env: dict[str, str], sql: str, **params) -> list:
    """Rows of one query on the bench's database."""
    engine = create_engine(database_url(env))
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).all()
    finally:
        engine.dispose()


def open_deliveries(env: dict[str, str], alert_id: int) -> int:
    """The alert's deliveries not yet handed to a provider (none exist before its fan-out)."""
    return query(env, "SELECT count(*) FROM deliveries WHERE alert_id = :a AND status IN "
                      "('pending', 'sending')", a=alert_id)[0][0]


def handed_over(env: dict[str, str], alert_id: int) -> dict[str, tuple[int, datetime]]:
    """Per channel: deliveries handed to the provider and when the last one was."""
    rows = query(env, "SELECT channel, count(*), max(sent_at) FROM deliveries WHERE alert_id = :a "
                      "AND sent_at IS NOT NULL GROUP BY channel", a=alert_id)
    return {channel: (count, _aware(last)) for channel, count, last in rows}


def _aware(moment) -> datetime:
    if isinstance(moment, str):  # SQLite hands the stored text back through a raw query
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def database_mb(env: dict[str, str]) -> float:
    """The database's size on disk after the send (PostgreSQL: the database; SQLite: file and WAL)."""
    if env.get("DATABASE_URL"):
        return query(env, "SELECT pg_database_size(current_database())")[0][0] / 2**20
    folder = Path(env["SCHOOLBELL_INSTANCE_DIR"])
    return sum(path.stat().st_size for path in folder.glob("schoolbell.db*")) / 2**20


def worker_command(prefer_email: bool, nice: int = 0) -> list[str]:
    """A dispatcher process as production runs it (with `nice`: below the web in the CPU's queue,
    as systemd's Nice= sets it on a machine the web shares)."""
    command = [*FLASK, "worker", *(["--prefer", "email"] if prefer_email else [])]
    return ["nice", "-n", str(nice), *command] if nice else command


def run_city(label: str, env: dict[str, str], workers: int, latency_ms: float, baseline: int,
             load: bool, give_up_after: float, email_in_flight: int, email_first: int = 1,
             email_drain: int = 50_000, worker_nice: int = 0) -> dict:
    """Seed, send, time; returns the figures of one database."""
    progress(f"{label}: migrating and seeding the city")
    flask(env, "db", "upgrade")
    seeded = run_measured(f"{label}: seed", [*FLASK, "demo", "seed", "--scale", "seoul"], env)
    flask(env, "users", "create", "--email", CONSOLE_EMAIL, "--name", "bench", "--role", "office",
          "--password", CONSOLE_PASSWORD)
    alert_id = int(flask(env, "alerts", "create", *ALERT).split()[0])
    figures: dict = {"label": label, "workers": workers, "seed_seconds": seeded.seconds,
                     "email_in_flight": email_in_flight, "email_first": min(email_first, workers),
                     "worker_nice": worker_nice}
    with ExitStack() as stack:
        sms_url = stack.enter_context(twilio_simulator(latency_ms))
        smtp_port, sink = stack.enter_context(postfix_smtp_sink())
        send_env = {**env, **sms_env(sms_url), "EMAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1",
                    "SMTP_PORT": str(smtp_port), "SMTP_SECURITY": "none",
                    "DISPATCH_EMAIL_THREADS": str(email_in_flight)}
        web = stack.enter_context(web_server(env)) if load else None
        paths = Path(env["SCHOOLBELL_INSTANCE_DIR"]) / "parent_paths.txt"
        pool = [stack.enter_context(spawned(worker_command(n < email_first, worker_nice), send_env,
                                            lambda: True, "worker"))
                for n in range(workers)]
        time.sleep(3)  # the workers are up and idle, as in production
        progress(f"{label}: sending to every guardian with {workers} worker(s)")
        started, clock = datetime.now(UTC), time.monotonic()
        fan_out: list = []
        sending = threading.Thread(target=lambda: fan_out.append(run_measured(
            f"{label}: alerts send", [*FLASK, "alerts", "send", str(alert_id), "--actor", "bench"], env)))
        sending.start()
        if load:
            figures["busy_load"] = _busy_load(env, web[0], alert_id, paths)
        sending.join()
        figures["finished"] = _wait_drained(env, alert_id, give_up_after, clock)
        progress(f"{label}: " + ("every delivery handed over" if figures["finished"] else "stopped waiting"))
        figures["handed_over"] = {channel: {"count": count, "seconds": (last - started).total_seconds()}
                                  for channel, (count, last) in handed_over(env, alert_id).items()}
        figures["fan_out_seconds"] = fan_out[0].seconds
        figures["deliveries"] = fan_out[0].output.strip().splitlines()[-1]
        figures["database_mb"] = database_mb(env)
        figures["rss_mb"] = {"workers": [peak_rss_mb(p.pid) for p in pool], "fan-out": fan_out[0].peak_rss_mb,
                             "smtp-sink": peak_rss_mb(sink.pid)}
        if web is not None:
            progress(f"{label}: the same load on the idle web (baseline)")
            figures["idle_load"] = run_locust(web[0], 30, alert_id, paths, access_log_of(env))
            figures["rss_mb"]["web"] = [peak_rss_mb(pid) for pid in children(web[1].pid)]
        for process in pool:
            stop(process)
        progress(f"{label}: bare clients, {baseline:,} messages per channel")
        figures["baseline"] = last_json(run_measured(
            f"{label}: baseline", [sys.executable, "-m", "bench.seoul_baseline", str(alert_id),
                                   str(baseline)], send_env).output)
        progress(f"{label}: one worker, {email_drain:,} emails only")
        drained = int(flask(env, "alerts", "create", *ALERT).split()[0])
        count = make_due(env, alert_id, drained, "email", email_drain)
        bare = bare_rate(f"{label}: bare email client", send_env, drained, "email", count, email_in_flight)
        worker, rate = worker_run(f"{label}: one worker, email only", send_env, drained, count)
        figures["email_worker"] = {"count": count, "rate": rate, "bare_rate": bare,
                                   "rss_mb": worker.peak_rss_mb}
    return figures


def _busy_load(env, url: str, alert_id: int, paths: Path) -> dict:
    """The same load while the city is being sent, as soon as the fan-out has made deliveries."""
    deadline = time.monotonic() + 120
    while open_deliveries(env, alert_id) == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    write_parent_paths(env, alert_id, 2000, paths)
    url_of_database = database_url(env)
    share = CpuShare(url_of_database if url_of_database.startswith("postgresql") else None).start()
    try:
        figures = run_locust(url, 60, alert_id, paths, access_log_of(env))
    finally:
        figures["cores"] = share.stop()
    return figures


def _wait_drained(env: dict[str, str], alert_id: int, give_up_after: float, started: float) -> bool:
    """Wait until nothing of the alert is left to hand over (True), or the time is up (False)."""
    said = time.monotonic()
    while left := open_deliveries(env, alert_id):
        if time.monotonic() - started > give_up_after:
            progress(f"giving up with {left:,} deliveries not yet handed over")
            return False
        if time.monotonic() - said >= 30:
            progress(f"{left:,} deliveries not yet handed over")
            said = time.monotonic()
        time.sleep(5)  # the figures come from sent_at: polling less often only spares the machine
    return True


def report(results: list[dict]) -> None:
    """The figures beside their baselines and targets."""
    print("\n== All of Seoul, end to end")
    for figures in results:
        label, workers = figures["label"], figures["workers"]
        channels = figures["handed_over"]
        total = sum(c["count"] for c in channels.values())
        seconds = max(c["seconds"] for c in channels.values())
        print(f"  {label}, {workers} worker(s) ({figures.get('email_first', 0)} preferring email"
              + (f", nice {figures['worker_nice']}" if figures.get("worker_nice") else "") + "), "
              f"{figures['email_in_flight']} emails in flight each: "
              f"{figures['deliveries']}"
              + ("" if figures["finished"] else "  NOT FINISHED: the figures are what was handed over "
                 "when the bench stopped waiting"))
        print(f"    city handed over: {total:,} messages in {seconds:,.1f} s ({seconds / 60:.1f} min, "
              f"{total / seconds:,.0f}/s)   target ≤ {MINUTES:.0f} min (goal {GOAL:.0f}) "
              f"{_verdict(figures['finished'] and seconds <= MINUTES * 60)}   "
              f"fan-out {figures['fan_out_seconds']:.1f} s, "
              f"seed {figures['seed_seconds']:.0f} s, database {figures['database_mb']:,.0f} MB")
        bare_all = figures["baseline"]
        bare_total = (sum(bare_all[c]["messages"] for c in ("sms", "email"))
                      / max(bare_all[c]["seconds"] for c in ("sms", "email")))
        dispatch = seconds - figures["fan_out_seconds"]
        print(f"    both channels after the fan-out: {total / dispatch:,.0f}/s "
              f"({total / dispatch / workers:,.0f}/s per worker)   bare clients, both at once, one process: "
              f"{bare_total:,.0f}/s   ratio {total / dispatch / bare_total:.2f}")
        for channel, handed in sorted(channels.items()):
            rate = handed["count"] / handed["seconds"]
            bare = figures["baseline"][channel]
            bare_speed = bare["messages"] / bare["seconds"]
            per_worker = rate / workers
            target = ("(every worker sends both; a worker's own email rate is below)" if channel == "email"
                      else f"ratio ≥ {SMS_RATIO} {_verdict(rate / bare_speed >= SMS_RATIO)}")
            print(f"    {channel:<5} {handed['count']:>9,} in {handed['seconds']:>6.1f} s: {rate:>6,.0f}/s "
                  f"({per_worker:,.0f}/s per worker)   bare client {bare_speed:>6,.0f}/s "
                  f"({bare['messages']:,}, {bare['errors']} errors)   ratio {rate / bare_speed:.2f}   "
                  f"{target}")
        alone = figures.get("email_worker")
        if alone:
            print(f"    email, one worker alone, {alone['count']:,} emails: {alone['rate']:,.0f}/s   "
                  f"bare email client alone {alone['bare_rate']:,.0f}/s   "
                  f"ratio {alone['rate'] / alone['bare_rate']:.2f}   "
                  f"target ≥ {EMAIL_RATE:,.0f}/s per worker {_verdict(alone['rate'] >= EMAIL_RATE)}   "
                  f"peak RSS {alone['rss_mb']:.0f} MB")
        if "busy_load" in figures:
            idle, busy = figures["idle_load"], figures["busy_load"]
            print(f"    web at 100 req/s: p95 {busy['p95_ms']:.0f} ms during the send "
                  f"(p50 {busy['p50_ms']:.0f}, {busy['rps']:.0f} req/s, {busy['failures']} failed) "
                  f"beside {idle['p95_ms']:.0f} ms idle (p50 {idle['p50_ms']:.0f})   "
                  f"target ≤ {P95_MS:.0f} ms {_verdict(busy['p95_ms'] <= P95_MS)}")
            print("      p95 per page during the send: " + ", ".join(
                f"{name} {value:.0f} ms" for name, value in sorted(busy["pages"].items())))
            if busy.get("server_p95_ms") is not None and idle.get("server_p95_ms") is not None:
                print(f"      p95 inside gunicorn (its access log): {busy['server_p95_ms']:.0f} ms "
                      f"during the send, {idle['server_p95_ms']:.0f} ms idle "
                      "(the rest: waits for a core, the load generator)")
            for when, load in (("during the send", busy), ("idle", idle)):
                if load.get("p95_by_window_ms"):
                    print(f"      p95 by {WINDOW_SECONDS} s of the load {when}: "
                          + ", ".join(f"{value:.0f}" for value in load["p95_by_window_ms"]) + " ms")
            if busy.get("cores"):
                print(f"      cores in use meanwhile (of this machine's {os.cpu_count()}): " + ", ".join(
                    f"{kind} {cores:.2f}" for kind, cores in busy["cores"].items() if cores >= 0.01))
        rss = figures["rss_mb"]
        # The bare client holds its messages in memory on purpose: it is the yardstick, not a product process.
        peaks = [*rss["workers"], *rss.get("web", []), rss["fan-out"]]
        print(f"    peak RSS: workers {', '.join(f'{m:.0f}' for m in rss['workers'])} MB; "
              f"fan-out {rss['fan-out']:.0f} MB; web "
              f"{', '.join(f'{m:.0f}' for m in rss.get('web', [])) or '-'} MB; bare client "
              f"{figures['baseline']['peak_rss_mb']:.0f} MB; smtp-sink {rss['smtp-sink']:.0f} MB   "
              f"target ≤ {RSS_MB:.0f} MB {_verdict(max(peaks) <= RSS_MB)}")


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def main() -> None:
    """Measure each database and print."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, help="only the first N schools (a quick check)")
    parser.add_argument("--postgres", help="also on this PostgreSQL server (its schema is reset)")
    parser.add_argument("--pg-workers", type=int, default=3)
    parser.add_argument("--sqlite-workers", type=int, default=3,
                        help="default 3: one waits for SQLite's write lock, the others send")
    parser.add_argument("--latency-ms", type=float, default=100.0, help="the simulator's latency")
    parser.add_argument("--baseline", type=int, default=20_000, help="bare-client messages per channel")
    parser.add_argument("--email-in-flight", type=int, default=16,
                        help="DISPATCH_EMAIL_THREADS for the workers and the bare client (default 16, "
                             "as shipped)")
    parser.add_argument("--email-first", type=int, default=1,
                        help="workers started with --prefer email (default 1)")
    parser.add_argument("--email-drain", type=int, default=50_000,
                        help="emails one worker sends alone after the city (default 50,000)")
    parser.add_argument("--worker-nice", type=int, default=10,
                        help="run the workers under `nice -n N`, the web first on a shared machine, as "
                             "docs/systemd/schoolbell-worker@.service does (default 10; 0: no nice)")
    parser.add_argument("--no-load", action="store_true", help="no web load")
    parser.add_argument("--give-up-after", type=float, default=60.0, metavar="MINUTES",
                        help="stop waiting then and report what was handed over (default 60)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="schoolbell-seoul-"))
    results = []
    try:
        data = school_data(workdir, args.schools)
        runs = ([] if args.skip_sqlite else [("sqlite", None, args.sqlite_workers)]) + (
            [("postgresql", args.postgres, args.pg_workers)] if args.postgres else [])
        for label, postgres, workers in runs:
            env = {**database_env(workdir, label, postgres), "SCHOOL_DATA_DIR": str(data)}
            results.append(run_city(label, env, workers, args.latency_ms, args.baseline, not args.no_load,
                                    args.give_up_after * 60, args.email_in_flight, args.email_first,
                                    args.email_drain, args.worker_nice))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if results:
            report(results)
            if args.json:
                args.json.write_text(json.dumps(results, default=str, indent=1))


if __name__ == "__main__":
    main()
