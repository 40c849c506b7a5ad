"""The contract every SMS and email backend keeps: `send(message) -> reference` and `close()`."""

from typing import Protocol, Self, runtime_checkable

from schoolbell.channels.event_loop import LoopThread
from schoolbell.channels.messages import EmailMessage, SmsMessage


class SmsBackend(Protocol):
    """Sends one SMS and returns the provider's reference, or raises a ChannelError."""

    def send(self, message: SmsMessage) -> str:
        """Send one SMS; return the provider's reference or raise a ChannelError."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


@runtime_checkable
class AsyncSmsBackend(Protocol):
    """An SMS backend that also sends as a coroutine on its own event loop (many in flight)."""

    loop: LoopThread

    async def send_async(self, message: SmsMessage) -> str:
        """Send one SMS on `loop`; return the provider's reference or raise a ChannelError."""
        ...


@runtime_checkable
class FindingSmsBackend(Protocol):
    """An SMS backend that can tell whether the provider already has a message (after a broken send)."""

    def find(self, message: SmsMessage) -> str | None:
        """The provider's reference of this exact message (same recipient and body), or None."""
        ...


@runtime_checkable
class AsyncFindingSmsBackend(Protocol):
    """`find` as a coroutine on the backend's event loop."""

    loop: LoopThread

    async def find_async(self, message: SmsMessage) -> str | None:
        """Like FindingSmsBackend.find; run on `loop` only."""
        ...


class EmailBackend(Protocol):
    """Sends one email and returns the provider's reference, or raises a ChannelError."""

    def send(self, message: EmailMessage) -> str:
        """Send one email; return the provider's reference or raise a ChannelError."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


@runtime_checkable
class AsyncEmailBackend(Protocol):
    """An email backend that also sends as a coroutine on its own event loop (SMTP: a connection pool)."""

    loop: LoopThread

    async def send_async(self, message: EmailMessage) -> str:
        """Send one email on `loop`; return the provider's reference or raise a ChannelError."""
        ...


class Closing:
    """Mixin: use a backend as a context manager; `close()` does nothing unless overridden."""

    def close(self) -> None:
        """Release connections; the backend may not be used afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
