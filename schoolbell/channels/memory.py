"""In-memory backends for tests: sent messages land in `.outbox`; chosen recipients can fail."""

import itertools
import threading
from collections.abc import Mapping

from schoolbell.channels.base import Closing
from schoolbell.channels.messages import EmailMessage, SmsMessage


class _MemoryBackend(Closing):
    def __init__(self, fail_for: Mapping[str, BaseException | type[BaseException]] | None = None):
        self.outbox: list = []
        self.fail_for = dict(fail_for or {})
        self.closed = False
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def send(self, message) -> str:
        """Raise the scripted failure for this recipient, else keep the message."""
        failure = self.fail_for.get(message.to)
        if failure is not None:
            raise failure
        with self._lock:
            self.outbox.append(message)
            return f"memory-{next(self._ids)}"

    def close(self) -> None:
        """Mark the backend closed; the outbox stays readable."""
        self.closed = True


class MemorySmsBackend(_MemoryBackend):
    """Keeps each sent SmsMessage in `.outbox`; `fail_for={number: error}` raises for it."""

    outbox: list[SmsMessage]

    def send(self, message: SmsMessage) -> str:
        """Append the message to the outbox and return a reference such as "memory-1"."""
        return super().send(message)


class MemoryEmailBackend(_MemoryBackend):
    """Keeps each sent EmailMessage in `.outbox`; `fail_for={address: error}` raises for it."""

    outbox: list[EmailMessage]

    def send(self, message: EmailMessage) -> str:
        """Append the message to the outbox and return a reference such as "memory-1"."""
        return super().send(message)
