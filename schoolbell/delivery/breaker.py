"""A circuit breaker per channel: when the provider is down, stop hammering it and probe now and then."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

# Consecutive transient failures that open a channel's circuit.
TRIP_AFTER = 20
FIRST_COOLDOWN = 2.0
MAX_COOLDOWN = 60.0


@dataclass
class _Circuit:
    failures: int = 0
    open_until: float = 0.0
    cooldown: float = FIRST_COOLDOWN
    probing: bool = False


class CircuitBreaker:
    """Per channel: closed (send), open (send nothing until a cooldown ends), half-open (one probe).

    A probe that fails opens the circuit again for twice as long (up to a minute); one that
    succeeds closes it. Permanent errors (an invalid number) are answers, not outages: they count
    as successes here.
    """

    def __init__(self, clock=time.monotonic, trip_after: int = TRIP_AFTER):
        self.clock = clock
        self.trip_after = trip_after
        self._circuits: dict[str, _Circuit] = {}
        self._lock = threading.Lock()

    def allow(self, channel: str) -> bool:
        """Whether a send on the channel may go to the provider now (a half-open circuit lets one)."""
        with self._lock:
            circuit = self._circuits.setdefault(channel, _Circuit())
            if circuit.failures < self.trip_after:
                return True
            if self.clock() < circuit.open_until or circuit.probing:
                return False
            circuit.probing = True
            return True

    def record(self, channel: str, ok: bool) -> None:
        """Note a send's outcome: ok, or a transient failure (the provider unreachable or busy)."""
        with self._lock:
            circuit = self._circuits.setdefault(channel, _Circuit())
            if ok:
                self._circuits[channel] = _Circuit()
                return
            circuit.failures += 1
            if circuit.failures >= self.trip_after:
                if circuit.probing:
                    circuit.cooldown = min(MAX_COOLDOWN, circuit.cooldown * 2)
                circuit.probing = False
                circuit.open_until = self.clock() + circuit.cooldown

    def open_channels(self) -> set[str]:
        """Channels whose circuit is open and not yet due a probe: claim nothing for them."""
        with self._lock:
            now = self.clock()
            return {channel for channel, circuit in self._circuits.items()
                    if circuit.failures >= self.trip_after and (now < circuit.open_until or circuit.probing)}

    def tripped(self) -> bool:
        """True when any channel's circuit is not closed (claims stay small until it is)."""
        with self._lock:
            return any(circuit.failures >= self.trip_after for circuit in self._circuits.values())

    def wait(self, channel: str) -> float:
        """Seconds until the channel's circuit lets a probe through (0 when closed)."""
        with self._lock:
            circuit = self._circuits.get(channel)
            if circuit is None or circuit.failures < self.trip_after:
                return 0.0
            return max(0.0, circuit.open_until - self.clock())
