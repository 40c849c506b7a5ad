"""Helpers for tests that need a Twilio simulator, and twilio-python's own clients aimed at it."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from schoolbell.simulator.server import TwilioSimulator


class Endpoint(Protocol):
    """Where a simulator listens and the account it takes: a TwilioSimulator, or one run by CLI."""

    base_url: str
    account_sid: str
    auth_token: str


@contextmanager
def running_simulator(**options: Any) -> Iterator[TwilioSimulator]:
    """Run a TwilioSimulator on a free 127.0.0.1 port for the `with` block; options as its init."""
    simulator = TwilioSimulator(**options)
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()


def twilio_client(simulator: Endpoint, timeout: float = 5.0) -> Client:
    """twilio-python's Client with its default (requests) HTTP client, sending to `simulator`."""
    http = _Sync(simulator.base_url, timeout=timeout)
    return Client(simulator.account_sid, simulator.auth_token, http_client=http)


def async_twilio_client(simulator: Endpoint, timeout: float = 5.0) -> Client:
    """twilio-python's Client with its own aiohttp client, sending to `simulator`.

    Create it inside the running event loop; close it with `await client.http_client.close()`.
    """
    http = _Async(simulator.base_url, timeout=timeout)
    return Client(simulator.account_sid, simulator.auth_token, http_client=http)


def _rewrite(base_url: str, url: str) -> str:
    base, parts = urlsplit(base_url), urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))


class _Sync(TwilioHttpClient):
    def __init__(self, base_url: str, timeout: float):
        super().__init__(timeout=timeout)
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return super().request(method, _rewrite(self.base_url, url), *args, **kwargs)


class _Async(AsyncTwilioHttpClient):
    def __init__(self, base_url: str, timeout: float):
        super().__init__(timeout=timeout)
        self.base_url = base_url

    async def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return await super().request(method, _rewrite(self.base_url, url), *args, **kwargs)
