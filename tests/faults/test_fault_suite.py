"""The fault suite's short version, in every CI run: nothing lost, stuck or uncounted when things break."""

from __future__ import annotations

import os

import pytest

from tests.faults.scenarios import SCENARIOS, SHORT, run, table

DATABASE = os.environ.get("SCHOOLBELL_TEST_DATABASE_URL") or "sqlite"
KIND = "sqlite" if DATABASE.startswith("sqlite") else "postgresql"
# The rest run in `make soak`, at full size and length.
IN_CI = {"postgresql": ("kill -9 two workers mid-send", "simulator killed, back after the outage",
                        "PostgreSQL restarted mid-send"),
         "sqlite": ("kill -9 two workers mid-send", "SQLite write lock held")}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s.name in IN_CI[KIND]], ids=lambda s: s.name)
def test_nothing_is_lost_when(scenario, capsys):
    row = run(scenario, DATABASE, SHORT)
    with capsys.disabled():
        print(f"\n{table([row])}")
    assert row.ok, table([row])
