"""`make test-faketime CLOCK=…` moves the clock to the moment asked for, before now as well as after."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def offset_for(clock: str) -> str:
    """The FAKETIME offset the target would give libfaketime for `clock` (UTC), worked out by the shell."""
    planned = subprocess.run(["make", "-n", "test-faketime", f"CLOCK={clock}"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
    expression = re.search(r'FAKETIME="([^"]+)"', planned).group(1)
    return shell(f'echo "{expression}"')


def shell(command: str) -> str:
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("days", [-365, 365])
def test_the_offset_names_the_asked_moment_in_the_past_and_in_the_future(days):
    """A night clock earlier today came out as "+-24902s", which libfaketime read as no offset at all."""
    # The system clock, as the recipe's `date` reads it: the suite's own clock may be moved (tests/clock.py).
    now = int(shell("date -u +%s"))
    asked = now + days * 86400
    offset = offset_for(shell(f"date -u -d @{asked} '+%Y-%m-%d %H:%M'"))
    assert re.fullmatch(r"[+-]\d+s", offset), offset
    assert abs(int(offset[:-1]) - (asked - now)) < 120
