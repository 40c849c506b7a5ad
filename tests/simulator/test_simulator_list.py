"""Listing and fetching messages with twilio-python's own clients: filters, paging, statuses."""

import asyncio
from datetime import UTC, date, datetime

import pytest
import requests
import time_machine
from twilio.base.exceptions import TwilioRestException

from schoolbell.simulator import magic
from schoolbell.simulator.testing import async_twilio_client, running_simulator, twilio_client

PARENT, OTHER, SENDER = "+821012345678", "+821098765432", "+15005550006"
# When each message is created (and, with no callback delay, sent).
TIMES = {
    "late on the 27th": datetime(2024, 8, 27, 23, 59, 59, tzinfo=UTC),
    "morning of the 28th": datetime(2024, 8, 28, 9, 0, 0, tzinfo=UTC),
    "evening of the 28th": datetime(2024, 8, 28, 20, 30, 0, tzinfo=UTC),
    "early on the 29th": datetime(2024, 8, 29, 0, 0, 1, tzinfo=UTC),
}


@pytest.fixture(scope="module")
def sent():
    with running_simulator() as simulator:
        client = twilio_client(simulator)
        for body, moment in TIMES.items():
            with time_machine.travel(moment, tick=False):
                client.messages.create(to=PARENT, from_=SENDER, body=body)
        with time_machine.travel(TIMES["morning of the 28th"], tick=False):
            client.messages.create(to=OTHER, from_="+15005550007", body="other")
        yield simulator, client


def bodies(messages):
    return [message.body for message in messages]


def test_newest_first_with_date_sent_set(sent):
    _, client = sent
    messages = client.messages.list(to=PARENT)
    assert bodies(messages) == list(reversed(TIMES))
    assert all(message.status == "delivered" for message in messages)
    assert messages[0].date_sent == TIMES["early on the 29th"]


def test_to_and_from_filters(sent):
    _, client = sent
    assert bodies(client.messages.list(to=OTHER)) == ["other"]
    assert bodies(client.messages.list(from_="+15005550007")) == ["other"]
    assert client.messages.list(to=PARENT, from_="+15005550007") == []


def test_date_sent_after_a_time_is_inclusive_to_the_second(sent):
    _, client = sent
    after = client.messages.list(to=PARENT, date_sent_after=TIMES["evening of the 28th"])
    assert bodies(after) == ["early on the 29th", "evening of the 28th"]
    before = client.messages.list(to=PARENT, date_sent_before=TIMES["morning of the 28th"])
    assert bodies(before) == ["morning of the 28th", "late on the 27th"]


def test_date_sent_on_a_day(sent):
    _, client = sent
    # twilio-python sends a date as midnight ("2024-08-28T00:00:00Z"): that names the day.
    on_28th = client.messages.list(to=PARENT, date_sent=date(2024, 8, 28))
    assert bodies(on_28th) == ["evening of the 28th", "morning of the 28th"]


def test_plain_dates_mean_whole_days(sent):
    simulator, _ = sent
    url = f"{simulator.base_url}/2010-04-01/Accounts/{simulator.account_sid}/Messages.json"
    auth = (simulator.account_sid, simulator.auth_token)

    def listed(params):
        response = requests.get(url, params={"To": PARENT, **params}, auth=auth, timeout=5)
        assert response.status_code == 200, response.text
        return [message["body"] for message in response.json()["messages"]]

    assert listed({"DateSent<": "2024-08-28"}) == [
        "evening of the 28th", "morning of the 28th", "late on the 27th",
    ]
    assert listed({"DateSent>": "2024-08-28"}) == [
        "early on the 29th", "evening of the 28th", "morning of the 28th",
    ]
    assert listed({"DateSent": ">=2024-08-29"}) == ["early on the 29th"]
    assert listed({"DateSent>": "Wed, 28 Aug 2024 20:30:00 +0000"}) == [
        "early on the 29th", "evening of the 28th",
    ]
    assert listed({"DateSent>": "2024-08-29 09:00:00.000+09:00"}) == ["early on the 29th"]
    response = requests.get(url, params={"DateSent>": "yesterday"}, auth=auth, timeout=5)
    assert (response.status_code, response.json()["code"]) == (400, 20001)


def test_paging_by_page_token(sent):
    _, client = sent
    first = client.messages.page(to=PARENT, page_size=3)
    assert bodies(first) == list(reversed(TIMES))[:3]
    second = first.next_page()
    assert bodies(second) == ["late on the 27th"]
    assert second.next_page() is None
    back = second.previous_page()
    assert bodies(back) == list(reversed(TIMES))[:3]
    # list() and stream() follow next_page_uri across pages.
    assert bodies(client.messages.list(to=PARENT, page_size=1)) == list(reversed(TIMES))
    assert bodies(client.messages.stream(to=PARENT, page_size=2, limit=3)) == list(
        reversed(TIMES)
    )[:3]


def test_page_meta_as_twilio_writes_it(sent):
    simulator, _ = sent
    url = f"{simulator.base_url}/2010-04-01/Accounts/{simulator.account_sid}/Messages.json"
    response = requests.get(
        url, params={"To": PARENT, "DateSent>": "2024-08-01", "PageSize": 2},
        auth=(simulator.account_sid, simulator.auth_token), timeout=5,
    ).json()
    path = f"/2010-04-01/Accounts/{simulator.account_sid}/Messages.json"
    assert response["first_page_uri"] == (
        f"{path}?To=%2B821012345678&DateSent%3E=2024-08-01&PageSize=2&Page=0"
    )
    assert response["next_page_uri"].startswith(
        f"{path}?To=%2B821012345678&DateSent%3E=2024-08-01&PageSize=2&Page=1&PageToken=PASM"
    )
    assert (response["page"], response["page_size"], response["start"], response["end"]) == (
        0, 2, 0, 1,
    )
    assert response["previous_page_uri"] is None


def test_page_size_defaults_to_50_and_stops_at_1000(sent):
    simulator, _ = sent
    url = f"{simulator.base_url}/2010-04-01/Accounts/{simulator.account_sid}/Messages.json"
    auth = (simulator.account_sid, simulator.auth_token)
    assert requests.get(url, auth=auth, timeout=5).json()["page_size"] == 50
    big = requests.get(url, params={"PageSize": 5000}, auth=auth, timeout=5).json()
    assert big["page_size"] == 1000
    assert requests.get(url, params={"PageSize": 0}, auth=auth, timeout=5).status_code == 400


def test_list_needs_the_account_credentials(sent):
    simulator, _ = sent
    url = f"{simulator.base_url}/2010-04-01/Accounts/{simulator.account_sid}/Messages.json"
    assert requests.get(url, auth=(simulator.account_sid, "wrong"), timeout=5).status_code == 401


# twilio-python's aiohttp client uses aiohttp's deprecated BasicAuth.
@pytest.mark.filterwarnings("ignore:.*auth.*:DeprecationWarning")
def test_async_list_and_fetch(sent):
    simulator, _ = sent

    async def read():
        client = async_twilio_client(simulator)
        try:
            listed = await client.messages.list_async(
                to=PARENT, date_sent_after=TIMES["morning of the 28th"], page_size=2
            )
            fetched = await client.messages(listed[-1].sid).fetch_async()
            return listed, fetched
        finally:
            await client.http_client.close()

    listed, fetched = asyncio.run(read())
    assert bodies(listed) == ["early on the 29th", "evening of the 28th", "morning of the 28th"]
    assert (fetched.sid, fetched.body, fetched.status) == (
        listed[-1].sid, "morning of the 28th", "delivered",
    )


def test_fetch_unknown_sid_is_404(sent):
    _, client = sent
    with pytest.raises(TwilioRestException) as raised:
        client.messages("SM" + "f" * 32).fetch()
    assert (raised.value.status, raised.value.code) == (404, 20404)


def test_status_moves_with_the_callback_delay():
    with running_simulator(callback_delay_ms=60_000) as simulator:
        client = twilio_client(simulator)
        start = datetime(2024, 8, 28, 9, 0, tzinfo=UTC)
        with time_machine.travel(start, tick=False):
            sid = client.messages.create(to=magic.UNDELIVERED, from_=SENDER, body="x").sid
            queued = client.messages(sid).fetch()
            assert client.messages.list(date_sent_after=date(2024, 8, 1)) == []
        with time_machine.travel(datetime(2024, 8, 28, 9, 1, 30, tzinfo=UTC), tick=False):
            sent_ = client.messages(sid).fetch()
            listed = client.messages.list(date_sent_after=date(2024, 8, 1))
        with time_machine.travel(datetime(2024, 8, 28, 9, 2, 0, tzinfo=UTC), tick=False):
            undelivered = client.messages(sid).fetch()
    assert (queued.status, queued.date_sent) == ("queued", None)
    assert (sent_.status, sent_.date_sent) == ("sent", datetime(2024, 8, 28, 9, 1, tzinfo=UTC))
    assert [message.sid for message in listed] == [sid]
    assert (undelivered.status, undelivered.error_code) == ("undelivered", 30003)
