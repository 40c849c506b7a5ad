"""gunicorn's access log without personal links: every token redacted, as `flask serve` does."""

from __future__ import annotations

from gunicorn.glogging import Logger

from schoolbell.channels.masking import redact
from schoolbell.web.access_log import redact_tokens

QUERY_FIELDS = ("q", "{query_string}e")


class RedactingLogger(Logger):
    """gunicorn's logger whose access-log fields carry no recipient token, phone or email.

    Every field is cleaned, not just the request line: a token also travels in the path, the query
    string and the Referer of the page a parent opens next.
    """

    def atoms(self, resp, req, environ, request_time):
        """gunicorn's access-log fields, each string redacted."""
        fields = super().atoms(resp, req, environ, request_time)
        return {name: _clean(name, value) if isinstance(value, str) else value
                for name, value in fields.items()}


def _clean(name: str, value: str) -> str:
    if name in QUERY_FIELDS:  # a bare query string: "t=…" with no "?" for the pattern to anchor on
        return redact(redact_tokens("?" + value))[1:]
    return redact(redact_tokens(value))
