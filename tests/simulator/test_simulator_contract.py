"""Contract: the simulator's create, list and fetch answers follow Twilio's OpenAPI schemas."""

import asyncio
import json
import re
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests

from schoolbell.simulator import magic
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


def check_message(message: dict) -> None:
    spec = schemas()
    properties = spec["api.v2010.account.message"]["properties"]
    assert sorted(set(properties) ^ set(message)) == []
    for name, value in message.items():
        schema = properties[name]
        if value is None:
            assert schema.get("nullable") or "$ref" in schema, name
            continue
        if "pattern" in schema:
            assert re.match(schema["pattern"], value), name
        if schema.get("type") == "string":
            assert isinstance(value, str), name
        if schema.get("type") == "integer":
            assert type(value) is int, name
        if schema.get("format") == "date-time-rfc-2822":
            assert parsedate_to_datetime(value).tzinfo is not None, name
    assert message["status"] in spec["message_enum_status"]["enum"]
    assert message["direction"] in spec["message_enum_direction"]["enum"]


def test_values_match_the_schema_types(created):
    check_message(created)


@pytest.fixture(scope="module")
def listed():
    with running_simulator() as simulator:
        auth = (simulator.account_sid, simulator.auth_token)
        url = f"{simulator.base_url}/2010-04-01/Accounts/{simulator.account_sid}/Messages.json"
        for to in ("+821012345678", magic.UNDELIVERED, "+821012345679"):
            data = {"To": to, "From": "+15005550006", "Body": "안녕하세요"}
            assert requests.post(url, data=data, auth=auth, timeout=5).status_code == 201
        pages = [requests.get(url, params={"PageSize": 2}, auth=auth, timeout=5)]
        pages.append(requests.get(
            simulator.base_url + pages[0].json()["next_page_uri"], auth=auth, timeout=5
        ))
        sid = pages[0].json()["messages"][0]["sid"]
        fetched = requests.get(url.replace(".json", f"/{sid}.json"), auth=auth, timeout=5)
    assert [page.status_code for page in pages] == [200, 200] and fetched.status_code == 200
    return [page.json() for page in pages], fetched.json()


def test_list_pages_match_the_list_schema(listed):
    pages, _ = listed
    schema = schemas()["ListMessageResponse"]["properties"]
    for page in pages:
        assert sorted(set(schema) ^ set(page)) == []
        for name, value in page.items():
            if value is None:
                assert schema[name].get("nullable"), name
            elif schema[name]["type"] == "integer":
                assert type(value) is int, name
            elif schema[name]["type"] == "string":
                assert isinstance(value, str) and value.startswith("/2010-04-01/"), name
        for message in page["messages"]:
            check_message(message)
    assert [len(page["messages"]) for page in pages] == [2, 1]
    assert pages[1]["next_page_uri"] is None and pages[1]["previous_page_uri"] is not None
    undelivered = pages[0]["messages"][1]
    assert (undelivered["status"], undelivered["error_code"]) == ("undelivered", 30003)
    assert undelivered["date_sent"] is not None


def test_fetch_matches_the_message_schema(listed):
    pages, fetched = listed
    check_message(fetched)
    assert fetched == pages[0]["messages"][0]


@pytest.mark.skipif(not FULL_SPEC.exists(), reason="shared Twilio spec not present")
def test_extract_matches_the_shared_spec():
    full = json.loads(FULL_SPEC.read_text(encoding="utf-8"))
    extract = schemas()
    for name in ("api.v2010.account.message", "message_enum_status", "message_enum_direction"):
        assert extract[name] == full["components"]["schemas"][name]
    listing = full["paths"]["/2010-04-01/Accounts/{AccountSid}/Messages.json"]["get"]
    assert extract["ListMessageResponse"] == (
        listing["responses"]["200"]["content"]["application/json"]["schema"]
    )


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
