"""TwilioSimulator: the simulator app served from a background thread, for tests and tools."""

import asyncio
import socket
import threading
from pathlib import Path

from aiohttp import web

from schoolbell.simulator.app import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_AUTH_TOKEN,
    Simulator,
    SimulatorSettings,
    make_app,
)
from schoolbell.simulator.callbacks import SentCallback
from schoolbell.simulator.modes import apply_modes, modes
from schoolbell.simulator.recorder import ReceivedMessage, Recorder

# In-flight requests (e.g. a deliberately slow answer) get this long to finish on stop().
_SHUTDOWN_TIMEOUT = 0.25


class TwilioSimulator:
    """A Twilio-compatible Messages API on `host:port` (port 0 picks a free one) in a thread."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0.0,
        error_rate: float = 0.0,
        callback_delay_ms: float = 0.0,
        record_path: str | Path | None = None,
        seed: int | None = None,
        outage: str = "off",
        drop_accept_rate: float = 0.5,
        throttle_rate: float = 0.0,
        retry_after_s: int = 1,
    ):
        self.settings = SimulatorSettings(
            account_sid=account_sid,
            auth_token=auth_token,
            latency_ms=latency_ms,
            error_rate=error_rate,
            callback_delay_ms=callback_delay_ms,
            seed=seed,
        )
        self.set_modes(
            outage=outage,
            drop_accept_rate=drop_accept_rate,
            throttle_rate=throttle_rate,
            retry_after=retry_after_s,
        )
        self.recorder = Recorder(record_path)
        self.state = Simulator(self.settings, self.recorder)
        self.host, self.port = host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def account_sid(self) -> str:
        """The account SID clients must use."""
        return self.settings.account_sid

    @property
    def auth_token(self) -> str:
        """The auth token clients must use (and that signs status callbacks)."""
        return self.settings.auth_token

    @property
    def base_url(self) -> str:
        """Where the simulator listens, e.g. "http://127.0.0.1:8765"."""
        return f"http://{self.host}:{self.port}"

    @property
    def received(self) -> list[ReceivedMessage]:
        """Every accepted message, oldest first."""
        return self.recorder.messages

    @property
    def callbacks(self) -> list[SentCallback]:
        """Every status callback posted, oldest first."""
        return self.state.callbacks.sent

    @property
    def peak_in_flight(self) -> int:
        """The most create requests it was answering at once since start or reset."""
        return self.state.peak_in_flight

    def set_latency(self, ms: float) -> None:
        """Delay every answer by `ms` milliseconds (non-blocking for other requests)."""
        self.settings.latency_ms = ms

    def set_error_rate(self, rate: float) -> None:
        """Answer this fraction of requests with 503."""
        self.settings.error_rate = rate

    def set_callback_delay(self, ms: float) -> None:
        """Wait `ms` milliseconds before each status callback."""
        self.settings.callback_delay_ms = ms

    def set_outage(self, outage: str, drop_accept_rate: float | None = None) -> None:
        """"off", "503" (every create answered 503) or "drop" (read, maybe accepted, unanswered)."""
        changes: dict[str, object] = {"outage": outage}
        if drop_accept_rate is not None:
            changes["drop_accept_rate"] = drop_accept_rate
        self.set_modes(**changes)

    def set_throttle(self, rate: float, retry_after: int | None = None) -> None:
        """Answer this fraction of creates 429 (code 20429) with Retry-After `retry_after` seconds."""
        changes: dict[str, object] = {"throttle_rate": rate}
        if retry_after is not None:
            changes["retry_after"] = retry_after
        self.set_modes(**changes)

    def set_modes(self, **changes: object) -> None:
        """Change modes by the admin endpoint's keys (outage, throttle_rate, retry_after, …)."""
        problem = apply_modes(self.settings, changes)
        if problem is not None:
            raise ValueError(problem)

    @property
    def modes(self) -> dict[str, object]:
        """The current modes, keyed as `set_modes` and the admin endpoint take them."""
        return modes(self.settings)

    @property
    def rejected(self) -> dict[str, int]:
        """Creates turned away by a mode: outage_503, error_rate, throttled, dropped, …"""
        return dict(self.state.rejected)

    def reset(self) -> None:
        """Forget messages, callbacks and counts; back to no latency, errors or outage."""
        self.recorder.messages.clear()
        self.state.store.clear()
        self.callbacks.clear()
        self.state.reset_counts()
        self.set_modes(
            outage="off", drop_accept_rate=0.5, throttle_rate=0.0, retry_after=1,
            latency_ms=0.0, error_rate=0.0, callback_delay_ms=0.0,
        )

    def start(self) -> str:
        """Start serving (again, on the same port after a stop) and return the base URL."""
        if self._thread is not None:
            return self.base_url
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        # A fresh app each run: an aiohttp app cannot be started twice.
        app = make_app(self.state)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.SockSite(runner, sock, backlog=1024).start())
        self._thread = threading.Thread(
            target=self._serve, args=(runner,), name="twilio-simulator", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving: close connections, cancel pending callbacks, flush the recording."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> "TwilioSimulator":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self, runner: web.AppRunner) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            # Handlers still sleeping (latency, a hanging number) outlive a short shutdown timeout.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()
