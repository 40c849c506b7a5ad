"""Typed errors a backend raises, so the dispatcher can retry, fail or count without guessing."""


class ChannelError(Exception):
    """A message was not known to be accepted: `code` is the provider's code, `reason` its text."""

    def __init__(self, reason: str, code: str | int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = None if code is None else str(code)

    def __str__(self) -> str:
        return f"[{self.code}] {self.reason}" if self.code else self.reason


class TransientError(ChannelError):
    """The provider did not take the message but may later; retry after `retry_after` seconds."""

    def __init__(
        self, reason: str, code: str | int | None = None, retry_after: float | None = None
    ):
        super().__init__(reason, code)
        self.retry_after = retry_after


class PermanentError(ChannelError):
    """The provider refused the message; sending it again will fail the same way."""


class RecipientBlockedError(PermanentError):
    """The recipient opted out at the provider (Twilio 21610): stop sending on this channel."""


class MaybeSentError(ChannelError):
    """The request may have reached the provider (read timeout…): a blind retry could duplicate."""
