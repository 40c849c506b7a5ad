"""Console backends: print a readable rendering of each message (recipients masked)."""

import sys
import threading
import uuid
from typing import TextIO

from schoolbell.channels.base import Closing
from schoolbell.channels.messages import EmailMessage, SmsMessage
from schoolbell.channels.rendering import render_email, render_sms

_RULE = "-" * 72


class _ConsoleBackend(Closing):
    def __init__(self, stream: TextIO | None = None):
        self._stream = stream
        self._lock = threading.Lock()

    def _write(self, kind: str, text: str) -> str:
        # Resolved at send time so that a swapped sys.stdout (pytest's capsys) is honoured.
        stream = self._stream or sys.stdout
        with self._lock:
            stream.write(f"{_RULE}\n{kind}\n{text}\n")
            stream.flush()
        return f"console-{uuid.uuid4().hex}"


class ConsoleSmsBackend(_ConsoleBackend):
    """Prints each SMS with its length figures to `stream` (default stdout)."""

    def send(self, message: SmsMessage) -> str:
        """Print the SMS and return a reference such as "console-<hex>"."""
        return self._write("SMS", render_sms(message))


class ConsoleEmailBackend(_ConsoleBackend):
    """Prints each email's headers and text to `stream` (default stdout)."""

    def send(self, message: EmailMessage) -> str:
        """Print the email and return a reference such as "console-<hex>"."""
        return self._write("EMAIL", render_email(message))
