"""Mapping of twilio-python and aiohttp exceptions to the channel's typed errors."""

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import aiohttp
import pytest
from twilio.base.exceptions import TwilioRestException, TwilioServiceException

from schoolbell.channels.errors import (
    MaybeSentError,
    PermanentError,
    RecipientBlockedError,
    TransientError,
)
from schoolbell.channels.twilio_errors import (
    from_transport_error,
    from_twilio_error,
    parse_retry_after,
)
from schoolbell.channels.twilio_http import RoutingHttpClient


def rest(status, code, msg="Unable to create record: boom"):
    return TwilioRestException(status, "https://api.twilio.com/x", msg, code, "POST")


@pytest.mark.parametrize(
    ("error", "expected", "code"),
    [
        (rest(429, 20429), TransientError, "20429"),
        (rest(400, 20429), TransientError, "20429"),
        (rest(502, None), TransientError, "502"),
        (rest(400, 21610), RecipientBlockedError, "21610"),
        (rest(400, 21211), PermanentError, "21211"),
        (rest(401, 20003), PermanentError, "20003"),
    ],
)
def test_http_errors(error, expected, code):
    mapped = from_twilio_error(error)
    assert type(mapped) is expected
    assert mapped.code == code
    assert mapped.reason == "boom"


def test_reason_masks_phone_numbers():
    mapped = from_twilio_error(rest(400, 21211, "Unable to create record: 'To' +821012345678 bad"))
    assert mapped.reason == "'To' +8210****5678 bad"


def test_rfc9457_errors_are_mapped_too():
    error = TwilioServiceException(
        type_uri="https://www.twilio.com/docs/errors/20429",
        title="Too Many Requests",
        status=429,
        code=20429,
        detail="slow down",
    )
    mapped = from_twilio_error(error, retry_after="7")
    assert isinstance(mapped, TransientError)
    assert (mapped.code, mapped.reason, mapped.retry_after) == ("20429", "slow down", 7.0)


def test_retry_after_as_seconds_or_http_date():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= parse_retry_after(later) <= 30


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def refused_error() -> aiohttp.ClientError:
    """What aiohttp really raises when nothing listens."""

    async def attempt():
        async with aiohttp.ClientSession() as session:
            try:
                await session.post(f"http://127.0.0.1:{closed_port()}/x")
            except aiohttp.ClientError as error:
                return error
        raise AssertionError("connected to a closed port")

    return asyncio.run(attempt())


def test_connect_failures_are_transient_everything_after_sending_is_maybe_sent():
    refused = from_transport_error(refused_error())
    assert isinstance(refused, TransientError)
    assert refused.reason == "could not connect: ClientConnectorError"
    assert isinstance(from_transport_error(aiohttp.ConnectionTimeoutError()), TransientError)
    for after_sending in (aiohttp.SocketTimeoutError(), aiohttp.ServerDisconnectedError(),
                          aiohttp.ClientPayloadError("truncated"), TimeoutError()):
        assert isinstance(from_transport_error(after_sending), MaybeSentError), after_sending


def test_http_client_rewrites_only_twilio_hosts():
    client = RoutingHttpClient("http://127.0.0.1:9/prefix/")
    assert (
        client.rewrite("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?a=1")
        == "http://127.0.0.1:9/prefix/2010-04-01/Accounts/AC1/Messages.json?a=1"
    )
    assert client.rewrite("https://messaging.twilio.com/v1/x") == "http://127.0.0.1:9/prefix/v1/x"
    assert client.rewrite("https://example.org/x") == "https://example.org/x"
    assert RoutingHttpClient().rewrite("https://api.twilio.com/x") == "https://api.twilio.com/x"


def test_http_client_refuses_no_timeout():
    with pytest.raises(ValueError):
        RoutingHttpClient(timeout=0)


def test_http_client_takes_proxies_from_the_environment_once_per_host(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://user:secret@proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = RoutingHttpClient()
    chosen = client.proxy_for("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json")
    assert str(chosen["proxy"]) == "http://proxy.example:3128"
    assert chosen["proxy_auth"].login == "user"
    assert client.proxy_for("http://127.0.0.1:9/x") == {}  # NO_PROXY
    monkeypatch.delenv("HTTPS_PROXY")
    # Looked up once: a process's proxy settings do not change while it runs.
    assert client.proxy_for("https://api.twilio.com/other") == chosen


def test_http_client_parses_each_target_once_and_keeps_only_so_many():
    client = RoutingHttpClient("http://127.0.0.1:9/")
    send = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
    assert str(client._target(send).url) == "http://127.0.0.1:9/2010-04-01/Accounts/AC1/Messages.json"
    assert client._target(send) is client._target(send)
    # A lookup names one message: a worker asking about a million must not keep a million.
    for n in range(1000):
        client._target(f"https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/SM{n}.json")
    assert len(client._targets) <= 256
