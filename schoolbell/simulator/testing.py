"""Helpers for tests that need a Twilio simulator."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from schoolbell.simulator.server import TwilioSimulator


@contextmanager
def running_simulator(**options: Any) -> Iterator[TwilioSimulator]:
    """Run a TwilioSimulator on a free 127.0.0.1 port for the `with` block; options as its init."""
    simulator = TwilioSimulator(**options)
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()
