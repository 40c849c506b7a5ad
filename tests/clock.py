"""The suite's clock: run every test at a chosen Seoul time, and start subprocesses on the same clock.

`SCHOOLBELL_TEST_CLOCK=2026-12-05T03:30+09:00 make test` moves the clock of the whole session there
(time-machine, ticking), so the suite can be shown to pass at Seoul night and day whatever the wall
clock says. Subprocesses (`flask worker`, `flask scheduler`) start through `python_command`, which
moves their clock by the same offset; without the variable both are the real clock.
"""

from __future__ import annotations

import os
import runpy
import sys
from datetime import UTC, datetime

CLOCK_VARIABLE = "SCHOOLBELL_TEST_CLOCK"
OFFSET_VARIABLE = "SCHOOLBELL_TEST_CLOCK_OFFSET"  # seconds from the real clock, for subprocesses


def start_session_clock() -> float:
    """Travel to SCHOOLBELL_TEST_CLOCK (ticking) when it is set; returns the offset in seconds."""
    import time_machine

    when = os.environ.get(CLOCK_VARIABLE)
    if not when:
        return 0.0
    destination = datetime.fromisoformat(when)
    if destination.tzinfo is None:
        raise ValueError(f"{CLOCK_VARIABLE}={when!r} needs a time zone, e.g. 2026-12-05T03:30+09:00")
    offset = (destination - datetime.now(UTC)).total_seconds()
    time_machine.travel(destination, tick=True).start()
    os.environ[OFFSET_VARIABLE] = str(offset)
    return offset


def python_command(*arguments: str) -> list[str]:
    """`python -m <module> …` for a subprocess that runs on the session's clock."""
    return [sys.executable, "-m", "tests.clock", *arguments]


def _run_module_on_the_session_clock() -> None:
    import time_machine

    offset = float(os.environ.get(OFFSET_VARIABLE) or 0)
    if offset:
        time_machine.travel(datetime.fromtimestamp(datetime.now(UTC).timestamp() + offset, UTC),
                            tick=True).start()
    module, *arguments = sys.argv[1:]
    sys.argv = [module, *arguments]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _run_module_on_the_session_clock()
