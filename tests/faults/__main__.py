"""`python -m tests.faults [--short] [--database URL] [--only TEXT]`: run the fault suite, print its table."""

from __future__ import annotations

import argparse
import os
import sys

from tests.faults.scenarios import SCENARIOS, SHORT, SOAK, run, table


def main() -> int:
    """Run every scenario for the database kind; exit 1 when any lost, stuck or uncounted anything."""
    parser = argparse.ArgumentParser(prog="python -m tests.faults")
    parser.add_argument("--database", default=os.environ.get("SCHOOLBELL_TEST_DATABASE_URL", "sqlite"),
                        help="a PostgreSQL server URL (a database on it is dropped and made), or sqlite")
    parser.add_argument("--short", action="store_true", help="CI's sizes and durations")
    parser.add_argument("--only", help="run the scenarios whose name contains this")
    args = parser.parse_args()
    kind = "sqlite" if args.database.startswith("sqlite") else "postgresql"
    scale = SHORT if args.short else SOAK
    rows = []
    for scenario in SCENARIOS:
        if kind not in scenario.databases or (args.only and args.only not in scenario.name):
            continue
        rows.append(run(scenario, args.database, scale))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    print(f"\n{kind}, {scale}\n" + table(rows))
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
