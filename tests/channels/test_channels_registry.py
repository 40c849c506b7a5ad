"""Choosing backends by short name."""

import pytest

from schoolbell.channels.memory import MemoryEmailBackend, MemorySmsBackend
from schoolbell.channels.registry import make_email_backend, make_sms_backend
from schoolbell.channels.smtp_email import SmtpEmailBackend
from schoolbell.channels.twilio_sms import TwilioSmsBackend


def test_builds_by_name_with_options(tmp_path):
    assert isinstance(make_sms_backend("memory"), MemorySmsBackend)
    assert isinstance(make_email_backend("memory"), MemoryEmailBackend)
    assert make_sms_backend("file", directory=tmp_path).directory == tmp_path
    twilio = make_sms_backend(
        "twilio", account_sid="AC" + "0" * 32, auth_token="t", from_numbers=["+15005550006"]
    )
    assert isinstance(twilio, TwilioSmsBackend)
    assert isinstance(make_email_backend("smtp", host="127.0.0.1", port=25), SmtpEmailBackend)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown SMS backend 'smtp'.*'twilio'.*'memory'"):
        make_sms_backend("smtp")
    with pytest.raises(ValueError, match=r"unknown email backend 'twilio'.*'smtp'"):
        make_email_backend("twilio")
