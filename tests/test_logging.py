"""Process logs: JSON lines with the alert and delivery ids, never a whole phone number or email."""

from __future__ import annotations

import io
import json
import logging

import pytest

from schoolbell.alerts.services import send_alert
from schoolbell.channels.errors import PermanentError
from schoolbell.delivery.dispatcher import Dispatcher, DispatcherSettings
from schoolbell.logging_setup import configure_logging
from tests import factories


@pytest.fixture
def json_log():
    stream = io.StringIO()
    configure_logging("json", "INFO", stream=stream)
    yield stream
    configure_logging("text", "WARNING")  # leave the root logger as quiet as we found it


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_is_one_json_object_with_its_fields_and_no_whole_address(json_log):
    logging.getLogger("schoolbell.test").warning(
        "provider said: +821012345678 and kim.minji@example.com unknown", extra={"delivery_id": 7})
    [line] = lines(json_log)
    assert line["level"] == "WARNING" and line["logger"] == "schoolbell.test"
    assert line["delivery_id"] == 7 and "timestamp" in line
    assert "+821012345678" not in line["message"] and "kim.minji@example.com" not in line["message"]
    assert "+8210****5678" in line["message"] and "k********@example.com" in line["message"]


def test_an_address_in_a_traceback_or_an_extra_field_is_masked(json_log):
    try:
        raise ValueError("no such recipient parent@example.org")
    except ValueError:
        logging.getLogger("schoolbell.test").exception("send failed", extra={"to": "+821098765432"})
    [line] = lines(json_log)
    assert "parent@example.org" not in json.dumps(line, ensure_ascii=False)
    assert line["to"] == "+8210****5432"


def test_a_failed_delivery_is_logged_with_its_alert_and_delivery_ids(app, json_log):
    school = factories.school("7000001")
    person = factories.person((school, "guardian", 2, "1"), phone="+821055551234", email=None)
    alert = factories.alert("urgent", {"roles": ["guardian"]})
    send_alert(alert, "test")
    backends = Dispatcher(app).backends
    backends.sms.fail_for[person.phone] = PermanentError("21211: invalid 'To' +821055551234", "21211")
    dispatcher = Dispatcher(app, DispatcherSettings(drain_horizon=0), backends=backends)
    try:
        dispatcher.run(until_idle=True)
    finally:
        dispatcher.close()
    failed = [line for line in lines(json_log) if "failed" in line["message"]]
    assert failed and failed[0]["alert_id"] == alert.id and failed[0]["channel"] == "sms"
    assert isinstance(failed[0]["delivery_id"], int)
    assert "+821055551234" not in json_log.getvalue()


def test_an_unknown_format_is_named():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        configure_logging("xml")


def test_flask_serve_writes_its_lines_as_json_when_asked(app, monkeypatch, capsys):
    import werkzeug.serving

    def serve_one_line(*args, **kwargs):  # instead of serving: what the access log would write
        logging.getLogger("werkzeug").info('127.0.0.1 "GET /m/3m88eQXrGU HTTP/1.1" 200 for +821012345678')

    monkeypatch.setattr(werkzeug.serving, "run_simple", serve_one_line)
    app.config.update(LOG_FORMAT="json", LOG_LEVEL="INFO")
    try:
        result = app.test_cli_runner().invoke(args=["serve", "--no-background"])
        assert result.exit_code == 0, result.output
        logged = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    finally:
        configure_logging("text", "WARNING")
    [line] = [entry for entry in logged if entry["logger"] == "werkzeug"]
    assert line["level"] == "INFO" and "+8210****5678" in line["message"]
    assert "+821012345678" not in result.stderr
