"""In-memory backends for tests: sent messages land in `.outbox`; chosen recipients can fail."""

import itertools
import threading
from collections.abc import Mapping

from schoolbell.channels.base import Closing
from schoolbell.channels.messages import EmailMessage, SmsMessage


def _identity(message) -> tuple:
    return (message.to, getattr(message, "body", None) or getattr(message, "text", None))


class _MemoryBackend(Closing):
    def __init__(self, fail_for: Mapping[str, BaseException | type[BaseException]] | None = None):
        self.outbox: list = []
        self.fail_for = dict(fail_for or {})
        # Recipients whose next message is kept but answered with this error (a lost answer).
        self.keep_then_fail: dict[str, BaseException] = {}
        self.references: dict[tuple, str] = {}
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
            reference = self.references[_identity(message)] = f"memory-{next(self._ids)}"
            lost_answer = self.keep_then_fail.pop(message.to, None)
        if lost_answer is not None:
            raise lost_answer
        return reference

    def find(self, message) -> str | None:
        """The reference of a message with the same recipient and text already kept, as Twilio's
        lookup by recipient and body would give."""
        failure = self.fail_for.get(message.to)
        if failure is not None:
            raise failure
        with self._lock:
            return self.references.get(_identity(message))

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
