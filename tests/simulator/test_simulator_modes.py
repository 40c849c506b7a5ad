"""Outage and throttle modes as twilio-python's clients see them, and the admin endpoint."""

import asyncio
import subprocess
import sys

import aiohttp
import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from schoolbell.channels.twilio_http import RoutingHttpClient
from schoolbell.simulator.testing import async_twilio_client, running_simulator, twilio_client

PARENT, SENDER = "+821012345678", "+15005550006"
# twilio-python's aiohttp client uses aiohttp's deprecated BasicAuth.
quiet_aiohttp_auth = pytest.mark.filterwarnings("ignore:.*auth.*:DeprecationWarning")


def create(simulator, body="x"):
    return twilio_client(simulator).messages.create(to=PARENT, from_=SENDER, body=body)


def health(simulator):
    return requests.get(f"{simulator.base_url}/health", timeout=5).json()


def test_outage_503_is_a_twilio_rest_exception(simulator):
    simulator.set_outage("503")
    with pytest.raises(TwilioRestException) as raised:
        create(simulator)
    assert (raised.value.status, raised.value.code) == (503, 20503)
    assert simulator.received == []
    simulator.set_outage("off")
    assert create(simulator).status == "queued"
    assert health(simulator)["rejected"] == {"outage_503": 1}


def test_drop_is_a_connection_error_and_maybe_accepted(simulator):
    simulator.set_outage("drop", drop_accept_rate=1.0)
    with pytest.raises(requests.ConnectionError, match="without response"):
        create(simulator, "kept")
    simulator.set_outage("drop", drop_accept_rate=0.0)
    with pytest.raises(requests.ConnectionError):
        create(simulator, "lost")
    simulator.set_outage("off")
    # The resolver's question: did Twilio take it? Only the first one is there.
    listed = twilio_client(simulator).messages.list(to=PARENT)
    assert [message.body for message in listed] == ["kept"]
    assert [message.body for message in simulator.received] == ["kept"]
    assert health(simulator)["rejected"] == {"dropped": 2, "dropped_accepted": 1}


def test_drop_accepts_about_the_given_fraction():
    with running_simulator(outage="drop", drop_accept_rate=0.5, seed=7) as simulator:
        client = twilio_client(simulator)
        for _ in range(40):
            with pytest.raises(requests.ConnectionError):
                client.messages.create(to=PARENT, from_=SENDER, body="x")
        counts = health(simulator)["rejected"]
    assert counts["dropped"] == 40
    assert counts["dropped_accepted"] == len(simulator.received)
    assert 10 <= len(simulator.received) <= 30


@quiet_aiohttp_auth
def test_drop_seen_by_aiohttp_clients(simulator):
    simulator.set_outage("drop", drop_accept_rate=1.0)

    async def send(client):
        try:
            await client.messages.create_async(to=PARENT, from_=SENDER, body="x")
        finally:
            await client.http_client.close()

    async def both():
        routed = Client(
            simulator.account_sid, simulator.auth_token,
            http_client=RoutingHttpClient(simulator.base_url, timeout=5),
        )
        for client in (async_twilio_client(simulator), routed):
            with pytest.raises(aiohttp.ServerDisconnectedError):
                await send(client)

    asyncio.run(both())
    assert len(simulator.received) == 2


def test_throttle_429_with_retry_after(simulator):
    simulator.set_throttle(1.0, retry_after=7)
    client = twilio_client(simulator)
    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(to=PARENT, from_=SENDER, body="x")
    assert (raised.value.status, raised.value.code) == (429, 20429)
    # The exception drops the headers; twilio's own clients keep the last response.
    assert client.http_client._test_only_last_response.headers["Retry-After"] == "7"
    simulator.set_throttle(0.0)
    assert create(simulator).status == "queued"
    assert health(simulator)["rejected"] == {"throttled": 1}


@quiet_aiohttp_auth
def test_throttle_seen_by_the_routing_client(simulator):
    simulator.set_throttle(1.0)

    async def send():
        http = RoutingHttpClient(simulator.base_url, timeout=5)
        client = Client(simulator.account_sid, simulator.auth_token, http_client=http)
        try:
            with pytest.raises(TwilioRestException) as raised:
                await client.messages.create_async(to=PARENT, from_=SENDER, body="x")
            return raised.value, http.last_response()
        finally:
            await http.close()

    error, response = asyncio.run(send())
    assert (error.status, error.code, response.headers["Retry-After"]) == (429, 20429, "1")


def test_throttle_rate_is_a_fraction(simulator):
    simulator.set_throttle(0.5)
    statuses = []
    for _ in range(40):
        try:
            create(simulator)
            statuses.append(201)
        except TwilioRestException as error:
            statuses.append(error.status)
    assert set(statuses) == {201, 429}
    assert statuses.count(201) == len(simulator.received)


def test_admin_endpoint_from_another_process(simulator):
    script = (
        "import json, sys, requests; "
        "r = requests.post(sys.argv[1] + '/_simulator/mode', timeout=5, "
        "json={'outage': '503', 'throttle_rate': 0.25, 'retry_after': 3}); "
        "print(json.dumps(r.json()))"
    )
    subprocess.run([sys.executable, "-c", script, simulator.base_url], check=True, timeout=30)
    assert simulator.modes["outage"] == "503"
    assert (simulator.modes["throttle_rate"], simulator.modes["retry_after"]) == (0.25, 3)
    with pytest.raises(TwilioRestException):
        create(simulator)
    modes = requests.get(f"{simulator.base_url}/_simulator/mode", timeout=5).json()
    assert modes == health(simulator)["modes"] == simulator.modes


@pytest.mark.parametrize(
    "payload",
    [{"outage": "refuse"}, {"throttle_rate": 2}, {"retry_after": -1}, {"speed": 1}, [1]],
)
def test_admin_endpoint_rejects_bad_modes_whole(simulator, payload):
    response = requests.post(
        f"{simulator.base_url}/_simulator/mode", json=payload, timeout=5
    )
    assert response.status_code == 400 and "error" in response.json()
    assert simulator.modes["outage"] == "off"
    with pytest.raises(ValueError):
        simulator.set_modes(outage="refuse")


def test_refuse_is_a_stopped_server():
    with running_simulator() as simulator:
        simulator.stop()
        with pytest.raises(requests.ConnectionError):
            create(simulator)
        simulator.start()
        assert create(simulator).status == "queued"
