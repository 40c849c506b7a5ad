"""Signed link tokens never reach the access log."""

from __future__ import annotations

import contextlib
import logging
import threading
import urllib.error
import urllib.request

from werkzeug.serving import make_server

from schoolbell.web.access_log import RedactingRequestHandler, redact_tokens


def test_tokens_are_redacted_from_paths_and_queries():
    line = ('GET /m/12.aXb.Q9s?lang=en HTTP/1.1" 200 / '
            "POST /lessons/x/talked?t=5.abc.def&done=1 /unsubscribe/eyJ.x")
    redacted = redact_tokens(line)
    assert "12.aXb.Q9s" not in redacted and "5.abc.def" not in redacted and "eyJ.x" not in redacted
    assert "/m/[token]?lang=en" in redacted and "?t=[token]&done=1" in redacted


def test_the_served_app_logs_no_token(app, caplog):
    server = make_server("127.0.0.1", 0, app, request_handler=RedactingRequestHandler)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    caplog.set_level(logging.INFO, logger="werkzeug")
    with contextlib.suppress(urllib.error.HTTPError):  # a forged token's 404: the log line is what counts
        urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/m/77.secretpart.sig", timeout=5)
    thread.join(timeout=5)
    server.server_close()
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "/m/[token]" in logged and "secretpart" not in logged


def test_short_links_and_their_settings_pages_are_redacted():
    line = "GET /m/AaTaKQPiH/settings?lang=en POST /u/1X2BOKW POST /m/1ASK86X/read"
    redacted = redact_tokens(line)
    assert not any(code in redacted for code in ("AaTaKQPiH", "1X2BOKW", "1ASK86X"))
    assert "/m/[token]/settings?lang=en" in redacted and "/u/[token]" in redacted
