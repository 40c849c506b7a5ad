"""A Twilio-compatible Messages API simulator (aiohttp) for tests, demos and load tests.

Run it with `python -m schoolbell.simulator --port 8765`, or in-process with `TwilioSimulator`
or `schoolbell.simulator.testing.running_simulator()`. Magic recipient numbers that fail on
purpose are listed in `schoolbell.simulator.magic`:
+15005550001 (400/21211), +15005550009 (400/21610), +15005550429 (429/20429, Retry-After),
+15005550500 (500), +15005550503 (503), +15005550002 (undelivered 30003 callback),
+15005550003 (failed 30008 callback), +15005550408 (answers after 30 s).
"""

from schoolbell.simulator.app import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from schoolbell.simulator.server import TwilioSimulator

__all__ = ["DEFAULT_ACCOUNT_SID", "DEFAULT_AUTH_TOKEN", "TwilioSimulator"]
