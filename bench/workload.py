"""The dispatch benchmark's database: a seeded Seoul, one alert to every guardian, a chosen slice due."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.measure import FLASK, ROOT
from schoolbell import timeutil

ALERT = ["--class", "emergency", "--role", "guardian", "--actor", "bench",
         "--title-ko", "긴급: 텔레그램 딥페이크 성범죄 주의",
         "--body-ko", "자녀가 텔레그램 방에서 딥페이크 사진을 만들거나 받은 적이 있는지 오늘 함께 "
                      "이야기해 주세요. 신고: 117",
         "--title-en", "Urgent: deepfake sexual crimes in Telegram rooms",
         "--body-en", "Please talk with your child today about deepfake images made or shared in "
                      "Telegram rooms. Report: 117"]


def database_url(env: dict[str, str]) -> str:
    """The SQLAlchemy URL the app uses under `env`."""
    url = env.get("DATABASE_URL") or f"sqlite:///{env['SCHOOLBELL_INSTANCE_DIR']}/schoolbell.db"
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def flask(env: dict[str, str], *args: str) -> str:
    """Run a flask command to completion (not measured); returns its stdout."""
    done = subprocess.run([*FLASK, *args], env={**os.environ, **env}, cwd=ROOT, capture_output=True,
                          text=True)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.stdout


def copy_sqlite(source: dict[str, str], target: dict[str, str]) -> None:
    """Copy a SQLite instance's database (with its WAL, if any) to another instance folder."""
    origin, destination = Path(source["SCHOOLBELL_INSTANCE_DIR"]), Path(target["SCHOOLBELL_INSTANCE_DIR"])
    destination.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if (origin / f"schoolbell.db{suffix}").exists():
            shutil.copyfile(origin / f"schoolbell.db{suffix}", destination / f"schoolbell.db{suffix}")


def make_due(env: dict[str, str], fanned_out: int, measured: int, channel: str, count: int) -> int:
    """Give alert `measured` exactly `count` due deliveries on `channel`, taken from alert `fanned_out`.

    Every other delivery goes back to `fanned_out`, cancelled: the worker drains one whole alert
    of `count` deliveries, start to finish, in a Seoul-sized deliveries table. Returns how many.
    """
    engine = create_engine(database_url(env))
    reset = {"pending": "pending", "false": False, "now": timeutil.utcnow()}
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "UPDATE deliveries SET alert_id = :f, status = 'cancelled' "
                "WHERE alert_id = :m OR (alert_id = :f AND status <> 'cancelled')"),
                {"f": fanned_out, "m": measured})
            due = connection.execute(text(
                "UPDATE deliveries SET alert_id = :m, status = :pending, attempts = 0, lease_owner = NULL, "
                "lease_expires_at = NULL, provider_ref = NULL, sent_at = NULL, error_code = NULL, "
                "error_reason = NULL, uncertain = :false, is_fallback = :false, next_attempt_at = :now "
                "WHERE id IN (SELECT id FROM deliveries WHERE alert_id = :f AND channel = :c "
                "ORDER BY id LIMIT :n)"),
                {**reset, "f": fanned_out, "m": measured, "c": channel, "n": count}).rowcount
            connection.execute(text("UPDATE alerts SET status = 'sending' WHERE id = :m"), {"m": measured})
        if engine.dialect.name == "postgresql":
            # A million rows were just rewritten: give the planner and the claim index a clean slate.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE deliveries"))
    finally:
        engine.dispose()
    return due


def alert_status(env: dict[str, str], alert_id: int) -> str:
    """The alert's status."""
    engine = create_engine(database_url(env))
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT status FROM alerts WHERE id = :a"),
                                      {"a": alert_id}).scalar()
    finally:
        engine.dispose()


def count_statuses(env: dict[str, str], alert_id: int) -> dict[str, int]:
    """How many of the alert's deliveries are in each status."""
    engine = create_engine(database_url(env))
    try:
        with engine.connect() as connection:
            return dict(connection.execute(text(
                "SELECT status, count(*) FROM deliveries WHERE alert_id = :a GROUP BY status"),
                {"a": alert_id}).all())
    finally:
        engine.dispose()
