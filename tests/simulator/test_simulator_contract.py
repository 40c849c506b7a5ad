"""Contract: the simulator's 201 answer has every property of Twilio's Message schema."""

import asyncio
import json
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests

from schoolbell.simulator.testing import running_simulator

HERE = Path(__file__).parent
# An extract of the spec travels with the tests; the full spec is checked when it is present.
EXTRACT = HERE / "twilio_message_schema.json"
FULL_SPEC = HERE.parents[2] / "shared" / "data" / "twilio" / "twilio_api_v2010.json"


def schemas() -> dict:
    return json.loads(EXTRACT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def created():
    with running_simulator() as simulator:
        response = requests.post(
            f"{simulator.base_url}/2010-04-01/Accounts/{simulator.account_sid}/Messages.json",
            data={"To": "+821012345678", "From": "+15005550006", "Body": "안녕하세요"},
            auth=(simulator.account_sid, simulator.auth_token),
            timeout=5,
        )
    assert response.status_code == 201
    return response.json()


def test_every_schema_property_is_present(created):
    # All of them, not only the subset twilio-python reads: a dispatcher or a report may read any
    # property of the resource, and the simulator is meant to stand in for Twilio entirely.
    properties = schemas()["api.v2010.account.message"]["properties"]
    assert sorted(set(properties) - set(created)) == []
    assert sorted(set(created) - set(properties)) == []


def test_values_match_the_schema_types(created):
    spec = schemas()
    properties = spec["api.v2010.account.message"]["properties"]
    for name, value in created.items():
        schema = properties[name]
        if value is None:
            assert schema.get("nullable") or "$ref" in schema, name
            continue
        if "pattern" in schema:
            assert __import__("re").match(schema["pattern"], value), name
        if schema.get("type") == "string":
            assert isinstance(value, str), name
        if schema.get("format") == "date-time-rfc-2822":
            assert parsedate_to_datetime(value).tzinfo is not None, name
    assert created["status"] in spec["message_enum_status"]["enum"]
    assert created["direction"] in spec["message_enum_direction"]["enum"]


@pytest.mark.skipif(not FULL_SPEC.exists(), reason="shared Twilio spec not present")
def test_extract_matches_the_shared_spec():
    full = json.loads(FULL_SPEC.read_text(encoding="utf-8"))["components"]["schemas"]
    extract = schemas()
    for name in ("api.v2010.account.message", "message_enum_status", "message_enum_direction"):
        assert extract[name] == full[name]


def test_twilio_python_parses_the_answer():
    from twilio.rest import Client

    from schoolbell.channels.twilio_http import RoutingHttpClient

    async def create(simulator):
        http = RoutingHttpClient(simulator.base_url, timeout=5)
        client = Client(simulator.account_sid, simulator.auth_token, http_client=http)
        try:
            return await client.messages.create_async(
                to="+821012345678", from_="+15005550006", body="가" * 71)
        finally:
            await http.close()

    with running_simulator() as simulator:
        message = asyncio.run(create(simulator))
    assert (message.to, message.from_, message.status, message.num_segments) == (
        "+821012345678", "+15005550006", "queued", "2",
    )
    assert message.date_created.tzinfo is not None
    assert message.account_sid == simulator.account_sid
