"""gunicorn's access log (the production web server) holds no recipient token, as `flask serve`'s does."""

from __future__ import annotations

import datetime
import io
import logging
from types import SimpleNamespace

from gunicorn.config import Config

from schoolbell.web.gunicorn_logging import RedactingLogger


def access_line(environ: dict, headers: tuple = ()) -> str:
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(h)s "%(r)s" %(U)s?%(q)s %(s)s "%(f)s" %({x-token}i)s')
    logger = RedactingLogger(config)
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    logger.access_log.addHandler(handler)
    response = SimpleNamespace(status="200 OK", sent=512, headers=())
    base = {"REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "198.51.100.7"}
    logger.access(response, SimpleNamespace(headers=headers), base | environ,
                  datetime.timedelta(milliseconds=12))
    logger.access_log.removeHandler(handler)
    return captured.getvalue()


def test_tokens_leave_the_request_line_path_query_and_referer():
    line = access_line({"RAW_URI": "/m/77.secretpart.sig?lang=en", "PATH_INFO": "/m/77.secretpart.sig",
                        "QUERY_STRING": "t=5.hidden.mac&done=1",
                        "HTTP_REFERER": "https://school.example/unsubscribe/eyJsecret"})
    assert "secretpart" not in line and "hidden" not in line and "eyJsecret" not in line
    assert '"GET /m/[token]?lang=en HTTP/1.1"' in line and "t=[token]&done=1" in line
    assert "/unsubscribe/[token]" in line and "198.51.100.7" in line


def test_a_phone_or_email_in_a_header_is_masked():
    line = access_line({"RAW_URI": "/", "PATH_INFO": "/", "QUERY_STRING": ""},
                       headers=(("X-Token", "kim@example.com"),))
    assert "kim@example.com" not in line and "k**@example.com" in line


def test_the_shipped_settings_use_the_redacting_logger():
    from pathlib import Path

    settings: dict = {}
    exec(Path(__file__).resolve().parents[2].joinpath("gunicorn.conf.py").read_text(), settings)
    assert settings["logger_class"] == "schoolbell.web.gunicorn_logging.RedactingLogger"
