"""Settings are read and checked at start: one clear line names what is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import request
from twilio.request_validator import RequestValidator

from schoolbell import create_app
from schoolbell.settings import SettingsError
from tests.conftest import TestConfig

ROOT = Path(__file__).resolve().parents[1]


def start(**settings):
    return create_app(TestConfig, **{"SQLALCHEMY_DATABASE_URI": "sqlite://", **settings})


@pytest.mark.parametrize(("settings", "named"), [
    ({"SECRET_KEY": ""}, "SECRET_KEY is missing or weak"),
    ({"SECRET_KEY": "dev-only-not-secret"}, "SECRET_KEY is missing or weak"),
    ({"SMS_BACKEND": "carrier-pigeon"}, "SMS_BACKEND must be one of"),
    ({"EMAIL_BACKEND": "fax"}, "EMAIL_BACKEND must be one of"),
    ({"SMS_BACKEND": "twilio"}, "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN"),
    ({"DISPATCH_BATCH_SIZE": 0}, "DISPATCH_BATCH_SIZE must be above 0"),
    ({"SMS_RATE_PER_SENDER": -1.0}, "SMS_RATE_PER_SENDER cannot be negative"),
    ({"QUIET_HOURS": "9pm-8am"}, "QUIET_HOURS"),
    ({"PUBLIC_BASE_URL": "schoolbell.example"}, r"PUBLIC_BASE_URL must be an http\(s\) address"),
    ({"EMAIL_BACKEND": "smtp", "SMTP_SECURITY": "ssl"}, "SMTP_SECURITY must be one of none, starttls, tls"),
    ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be one of text, json, got 'xml'"),
    ({"MAIL_SENDER": "SchoolBell"}, "MAIL_SENDER must be an address"),
    ({"MAIL_SENDER": "스쿨벨 <알림@예시.한국>"}, "MAIL_SENDER must be an address"),
    ({"BABEL_DEFAULT_TIMEZONE": "Asia/Seol"}, "BABEL_DEFAULT_TIMEZONE must be a time zone"),
    ({"SMS_SEGMENT_CAP": 0}, "SMS_SEGMENT_CAP must be above 0"),
    ({"SMS_SEGMENT_CAP": 3, "SMS_SEGMENT_WARN": 5}, r"SMS_SEGMENT_WARN \(5\) cannot be above"),
])
def test_a_wrong_setting_stops_the_app_and_is_named(settings, named):
    with pytest.raises(SettingsError, match=named):
        start(**settings)


def run_flask(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "lessons", "list"], cwd=ROOT, text=True,
                          capture_output=True, timeout=60,
                          env={**os.environ, "FLASK_APP": "wsgi:app",
                               "SECRET_KEY": "a-long-enough-secret-key",
                               "SCHOOLBELL_INSTANCE_DIR": "/nonexistent", **env})


def test_a_malformed_number_in_the_environment_is_one_line_not_a_traceback():
    done = run_flask({"DISPATCH_BATCH_SIZE": "abc", "SMTP_PORT": "25x"})
    assert done.returncode != 0
    assert "DISPATCH_BATCH_SIZE must be a whole number, got 'abc'" in done.stderr
    assert "SMTP_PORT must be a whole number, got '25x'" in done.stderr
    assert "Traceback" not in done.stderr


def test_production_refuses_to_start_without_a_real_key():
    done = run_flask({"SECRET_KEY": ""})
    assert done.returncode != 0 and "SECRET_KEY is missing or weak" in done.stderr
    assert "Traceback" not in done.stderr
    assert run_flask({}).returncode == 0


def test_behind_a_proxy_the_public_url_is_rebuilt_and_twilio_signatures_hold(database_url):
    app = start(BEHIND_PROXY=True, TWILIO_AUTH_TOKEN="proxy-token", SQLALCHEMY_DATABASE_URI=database_url)
    public = "https://schoolbell.sen.go.kr/webhooks/twilio/status?d=1"
    form = {"MessageSid": "SM" + "a" * 32, "MessageStatus": "delivered"}
    signature = RequestValidator("proxy-token").compute_signature(public, form)
    response = app.test_client().post(
        "/webhooks/twilio/status?d=1", data=form,
        headers={"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "schoolbell.sen.go.kr", "X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 204  # not 403: the signed public URL was rebuilt
    direct = start(TWILIO_AUTH_TOKEN="proxy-token", SQLALCHEMY_DATABASE_URI=database_url).test_client().post(
        "/webhooks/twilio/status?d=1", data=form,
        headers={"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "schoolbell.sen.go.kr"})
    assert direct.status_code == 403  # without BEHIND_PROXY the forwarded headers are not trusted


def test_behind_proxy_is_read_from_the_environment():
    code = "import config; print(config.Config.BEHIND_PROXY, config.Config.SESSION_COOKIE_SECURE)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "BEHIND_PROXY": "yes", "PUBLIC_BASE_URL": "https://x.example"})
    assert done.stdout.split() == ["True", "True"]


def test_a_sender_on_an_internationalised_domain_is_accepted():
    assert start(MAIL_SENDER="스쿨벨 <noreply@예시.한국>", EMAIL_BACKEND="smtp").config["MAIL_SENDER"]


def test_the_default_sender_is_the_documented_one_everywhere():
    import inspect

    from config import Config
    from schoolbell.channels.file import FileEmailBackend
    from schoolbell.channels.smtp_email import SmtpEmailBackend

    documented = "SchoolBell <noreply@schoolbell.invalid>"
    assert f"| `MAIL_SENDER` | `{documented}` |" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert documented == Config.MAIL_SENDER
    for backend in (SmtpEmailBackend, FileEmailBackend):
        assert inspect.signature(backend).parameters["sender"].default == documented
    assert start(MAIL_SENDER=documented)  # the default passes the check


def test_behind_a_proxy_the_request_url_is_the_public_one():
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "schoolbell.sen.go.kr",
               "X-Forwarded-For": "203.0.113.9"}
    seen = {}
    for behind in (True, False):
        app = start(BEHIND_PROXY=behind)

        @app.get("/_where")
        def where():
            return f"{request.url} {request.remote_addr}"

        seen[behind] = app.test_client().get("/_where?x=1", headers=headers).get_data(as_text=True)
    assert seen[True] == "https://schoolbell.sen.go.kr/_where?x=1 203.0.113.9"
    assert seen[False] == "http://localhost/_where?x=1 127.0.0.1"


def test_a_malformed_boolean_or_decimal_in_the_environment_is_named():
    done = run_flask({"BEHIND_PROXY": "maybe", "SMTP_TIMEOUT_SECONDS": "ten"})
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "BEHIND_PROXY must be true or false, got 'maybe'" in done.stderr
    assert "SMTP_TIMEOUT_SECONDS must be a number, got 'ten'" in done.stderr
