"""Directory at Seoul scale: importing a ~800,000-row contacts CSV and seeding the whole city.

Prints wall time and peak RSS for each, on SQLite and (when a URL is given) PostgreSQL, beside a
baseline from the same run: the same rows loaded raw (csv.reader + executemany, no validation, no
de-duplication), the floor any importer stands on.

    python -m bench.directory_bench [--postgres postgresql://…]
Targets on the 2-core machine: ≤ 60 s and ≤ 500 MB peak RSS for each on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
from pathlib import Path

from bench.measure import FLASK, ROOT, Measurement, report, run_measured

SCHOOL_DATA = ROOT.parent / "shared" / "data" / "schools"
NEIS = SCHOOL_DATA / "neis_schoolinfo_seoul_2022-07-31.csv"

EXPORT_SQL = """
SELECT s.code, m.role, m.grade, m.class_name, c.name, c.phone, c.email, c.language,
       c.sms_consent, c.email_consent
FROM memberships m JOIN contacts c ON c.id = m.contact_id JOIN schools s ON s.id = m.school_id
ORDER BY m.id
"""

RAW_LOAD = """
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE raw (a, b, c, d, e, f, g, h, i)")
with open(sys.argv[2], encoding="utf-8", newline="") as handle:
    reader = csv.reader(handle)
    next(reader)
    while True:
        rows = [row for _, row in zip(range(5000), reader)]
        if not rows:
            break
        db.executemany("INSERT INTO raw VALUES (?,?,?,?,?,?,?,?,?)", rows)
db.commit()
"""


def database_env(workdir: Path, name: str, postgres: str | None) -> dict[str, str]:
    """Environment for a fresh database: a new SQLite file, or a reset PostgreSQL database."""
    env = {"FLASK_APP": "wsgi:app", "SCHOOLBELL_INSTANCE_DIR": str(workdir / name),
           "SCHOOL_DATA_DIR": str(SCHOOL_DATA), "SECRET_KEY": "benchmark-secret-not-for-production"}
    if postgres:
        env["DATABASE_URL"] = postgres
        from sqlalchemy import create_engine, text

        engine = create_engine(postgres.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    return env


def export_contacts_csv(workdir: Path, target: Path) -> int:
    """Seed Seoul once in SQLite and write it out in the importer's CSV format."""
    import sqlite3
    import subprocess
    import sys

    env = database_env(workdir, "export", None)
    subprocess.run([*FLASK, "db", "upgrade"], env={**__import__("os").environ, **env}, cwd=ROOT,
                   check=True, capture_output=True)
    subprocess.run([*FLASK, "demo", "seed", "--scale", "seoul"],
                   env={**__import__("os").environ, **env}, cwd=ROOT, check=True,
                   capture_output=True)
    connection = sqlite3.connect(Path(env["SCHOOLBELL_INSTANCE_DIR"]) / "schoolbell.db")
    rows = 0
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["school_code", "role", "grade", "class", "name", "phone", "email",
                         "language", "consent"])
        for code, role, grade, class_name, name, phone, email, language, sms, mail in \
                connection.execute(EXPORT_SQL):
            consent = {(1, 1): "sms+email", (1, 0): "sms", (0, 1): "email", (0, 0): "none"}
            writer.writerow([code, role, grade or "", class_name, name,
                             _korean_form(phone), email or "", language, consent[(sms, mail)]])
            rows += 1
    connection.close()
    del sys
    return rows


def _korean_form(phone: str | None) -> str:
    """+821023456789 → 010-2345-6789, the way schools type numbers."""
    if not phone:
        return ""
    national = "0" + phone[3:]
    return f"{national[:3]}-{national[3:7]}-{national[7:]}"


def bench_database(label: str, workdir: Path, contacts_csv: Path, postgres: str | None) -> list:
    """Import and seed on one database kind; returns the measurements."""
    results = []
    env = database_env(workdir, f"{label}-import", postgres)
    run_measured("migrate", [*FLASK, "db", "upgrade"], env)
    run_measured("schools", [*FLASK, "schools", "import", str(NEIS)], env)
    results.append(run_measured(f"{label}: contacts import",
                                [*FLASK, "contacts", "import", str(contacts_csv), "--json"], env))
    results.append(run_measured(f"{label}: contacts re-import (nothing changes)",
                                [*FLASK, "contacts", "import", str(contacts_csv), "--json"], env))
    env = database_env(workdir, f"{label}-seed", postgres)
    run_measured("migrate", [*FLASK, "db", "upgrade"], env)
    results.append(run_measured(f"{label}: demo seed --scale seoul",
                                [*FLASK, "demo", "seed", "--scale", "seoul"], env))
    return results


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (its schema is reset)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="schoolbell-bench-"))
    try:
        contacts_csv = workdir / "contacts.csv"
        rows = export_contacts_csv(workdir, contacts_csv)
        size_mb = contacts_csv.stat().st_size / 1e6
        baseline = run_measured("baseline: raw csv → sqlite executemany",
                                ["python", "-c", RAW_LOAD, str(workdir / "raw.db"), str(contacts_csv)],
                                {})
        measurements: list[Measurement] = []
        measurements += bench_database("sqlite", workdir, contacts_csv, None)
        if args.postgres:
            measurements += bench_database("postgresql", workdir, contacts_csv, args.postgres)
        lines = [("rows in the CSV", f"{rows:,} ({size_mb:.0f} MB)"),
                 (baseline.label, f"{baseline.seconds:6.1f} s  {baseline.peak_rss_mb:6.0f} MB")]
        for m in measurements:
            ratio = m.seconds / baseline.seconds
            lines.append((m.label, f"{m.seconds:6.1f} s  {m.peak_rss_mb:6.0f} MB  "
                                   f"({ratio:.1f}× the raw load; {rows / m.seconds:,.0f} rows/s)"))
        report("Directory at Seoul scale (targets on SQLite: ≤ 60 s, ≤ 500 MB each)", lines)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
