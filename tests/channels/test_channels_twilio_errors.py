"""Mapping of twilio-python and requests exceptions to the channel's typed errors."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

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


def test_connect_failures_are_transient_everything_after_sending_is_maybe_sent():
    refused = requests.ConnectionError(
        MaxRetryError(None, "/", NewConnectionError(None, "refused"))  # type: ignore[arg-type]
    )
    assert isinstance(from_transport_error(refused), TransientError)
    assert isinstance(from_transport_error(requests.ConnectTimeout()), TransientError)
    assert isinstance(from_transport_error(requests.ReadTimeout()), MaybeSentError)
    reset = requests.ConnectionError(ProtocolError("Connection aborted."))
    assert isinstance(from_transport_error(reset), MaybeSentError)


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
