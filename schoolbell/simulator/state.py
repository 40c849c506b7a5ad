"""The simulator's settings and the state its handlers share."""

import base64
import hmac
import random
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from schoolbell.channels.sms_analysis import sms_segments
from schoolbell.simulator.callbacks import StatusCallbacks
from schoolbell.simulator.recorder import Recorder
from schoolbell.simulator.store import MessageStore, restored

DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
DEFAULT_AUTH_TOKEN = "simulator-auth-token"
OUTAGES = ("off", "503", "drop")


@dataclass
class SimulatorSettings:
    """What the simulator accepts and how it behaves; every field but the account may change live.

    `outage`: "off"; "503" answers every create 503 (Twilio code 20503); "drop" reads each create
    and closes the connection unanswered, having accepted (recorded) it with probability
    `drop_accept_rate`. A refused connection is the server stopped (TwilioSimulator.stop()).
    `throttle_rate`: the fraction of creates answered 429 (code 20429) with `Retry-After:
    retry_after_s`. `error_rate`: the fraction answered 503, drawn like the throttle.
    """

    account_sid: str = DEFAULT_ACCOUNT_SID
    auth_token: str = DEFAULT_AUTH_TOKEN
    latency_ms: float = 0.0
    error_rate: float = 0.0
    callback_delay_ms: float = 0.0
    outage: str = "off"
    drop_accept_rate: float = 0.5
    throttle_rate: float = 0.0
    retry_after_s: int = 1
    seed: int | None = None
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)


class Simulator:
    """State shared by the handlers: settings, recorder, message store, callbacks, counts."""

    def __init__(self, settings: SimulatorSettings, recorder: Recorder | None = None):
        self.settings = settings
        self.recorder = recorder or Recorder()
        self.store = MessageStore()
        if self.recorder.path is not None:
            for message in restored(self.recorder.path, sms_segments):
                self.store.add(message)
        self.callbacks = StatusCallbacks(settings.auth_token)
        credentials = f"{settings.account_sid}:{settings.auth_token}".encode()
        self._expected_auth = b"Basic " + base64.b64encode(credentials)
        self.in_flight = 0
        self.peak_in_flight = 0  # most create requests being answered at once, to check clients' bounds
        self.requests = 0  # create requests received, whatever their answer
        # Creates turned away by a mode: outage_503, error_rate, throttled, dropped
        # (dropped_accepted of those were recorded nonetheless).
        self.rejected: Counter[str] = Counter()

    def authorized(self, header: str | None) -> bool:
        """Whether the Authorization header carries this account's SID and token."""
        return header is not None and hmac.compare_digest(
            header.encode("latin-1", "replace"), self._expected_auth
        )

    def reset_counts(self) -> None:
        """Zero the request counts and the in-flight peak."""
        self.requests = 0
        self.peak_in_flight = 0
        self.rejected.clear()


SIMULATOR = web.AppKey("simulator", Simulator)
