"""`make test-faketime CLOCK=…` moves the clock to the moment asked for, before now as well as after."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def offset_for(clock: str) -> str:
    """The FAKETIME offset the target would give libfaketime for `clock` (UTC), worked out by the shell."""
    planned = subprocess.run(["make", "-n", "test-faketime", f"CLOCK={clock}"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
    expression = re.search(r'FAKETIME="([^"]+)"', planned).group(1)
    return subprocess.run(["bash", "-c", f'echo "{expression}"'], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("years", [-1, 1])
def test_the_offset_names_the_asked_moment_in_the_past_and_in_the_future(years):
    """A night clock earlier today came out as "+-24902s", which libfaketime read as no offset at all."""
    now = datetime.now(UTC)
    asked = now.replace(year=now.year + years, second=0, microsecond=0)
    offset = offset_for(asked.strftime("%Y-%m-%d %H:%M"))
    assert re.fullmatch(r"[+-]\d+s", offset), offset
    seconds = int(offset[:-1])
    assert abs(seconds - (asked - now).total_seconds()) < 120
