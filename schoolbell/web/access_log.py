"""Access logs without personal links: the signed token in a recipient's URL is its credential."""

from __future__ import annotations

import re

from werkzeug.serving import WSGIRequestHandler

TOKEN_IN_PATH = re.compile(r"(/(?:m|u|unsubscribe|preferences|p)/)[^/?#\s]+")
TOKEN_IN_QUERY = re.compile(r"([?&](?:t|token)=)[^&#\s]+")


def redact_tokens(text: str) -> str:
    """The text with every recipient token replaced by "[token]"."""
    return TOKEN_IN_QUERY.sub(r"\1[token]", TOKEN_IN_PATH.sub(r"\1[token]", text))


class RedactingRequestHandler(WSGIRequestHandler):
    """The development server's request handler, logging request lines without tokens."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log the request as Werkzeug does, its tokens redacted."""
        # Werkzeug builds the line from `path` (the requestline when there is none); after this
        # call the request has been answered, so neither is read again.
        self.requestline = redact_tokens(self.requestline)
        if hasattr(self, "path"):
            self.path = redact_tokens(self.path)
        super().log_request(code, size)
