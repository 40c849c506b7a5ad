"""Email over SMTP with aiosmtplib on the backend's event loop: a pool of kept-open connections,
typed errors by SMTP reply code, and each message's bytes built without the email package.

The dispatcher awaits `send_async` on `loop` with as many emails in flight as the pool has
connections (the relay sees a handful of busy sessions, not one per message); `send` waits for one
from any thread.
"""

from __future__ import annotations

import asyncio
import email.policy
import ssl
from dataclasses import replace
from email.utils import format_datetime

import aiosmtplib

from schoolbell import timeutil
from schoolbell.channels.base import Closing
from schoolbell.channels.errors import ChannelError, MaybeSentError, PermanentError, TransientError
from schoolbell.channels.event_loop import LoopThread
from schoolbell.channels.masking import redact
from schoolbell.channels.messages import EmailMessage
from schoolbell.channels.mime import build_mime, envelope_address
from schoolbell.channels.mime_fast import mime_bytes
from schoolbell.channels.smtp_addresses import (  # noqa: F401 (re-exported: settings check these)
    NEEDS_SMTPUTF8,
    ascii_address,
    ascii_sender,
    smtp_address,
)

SECURITY_MODES = ("none", "starttls", "tls")
# A connection that broke or stopped answering: nothing more can be said on it.
_DISCONNECTED = (aiosmtplib.SMTPServerDisconnected, ConnectionError, TimeoutError)


class SmtpEmailBackend(Closing):
    """Sends each email with MAIL/RCPT/DATA on one of `connections` kept-open sessions; returns its
    Message-ID."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str | None = None,
        password: str | None = None,
        security: str = "none",
        sender: str = "SchoolBell <noreply@schoolbell.invalid>",
        timeout: float = 10.0,
        connections: int = 8,
    ):
        if security not in SECURITY_MODES:
            raise ValueError(f"security must be one of {', '.join(SECURITY_MODES)}: {security!r}")
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.security = security
        self.sender = ascii_sender(sender)
        self.timeout = timeout
        self.connections = max(1, connections)
        self.loop = LoopThread("schoolbell-smtp")
        self._envelope_from = envelope_address(self.sender)
        # Touched only on the loop's thread, so they need no lock.
        self._idle: list[aiosmtplib.SMTP] = []
        self._open: set[aiosmtplib.SMTP] = set()
        self._slots = asyncio.Semaphore(self.connections)

    async def send_async(self, message: EmailMessage) -> str:
        """Send the email on `loop` and return its Message-ID header value, "<…@domain>"."""
        recipient, utf8 = smtp_address(message.to)
        message = replace(message, to=recipient)
        async with self._slots:
            client, reused = await self._take()
            try:
                try:
                    await self._envelope(client, recipient, utf8)
                except _DISCONNECTED:
                    self._discard(client)
                    if not reused:
                        raise TransientError("SMTP server closed the connection") from None
                    # An idle connection the server dropped: nothing was sent yet, so try a fresh one.
                    client, _ = await self._take(fresh=True)
                    await self._guarded_envelope(client, recipient, utf8)
                return await self._data(client, message, utf8)
            except ChannelError:
                raise  # the connection was reset or dropped where the error was found
            except BaseException:
                self._discard(client)  # a bug or a cancellation mid-command: its state is unknown
                raise
            finally:
                if client in self._open:
                    self._idle.append(client)

    def send(self, message: EmailMessage) -> str:
        """Send one email and wait for its Message-ID (from any thread but the loop's)."""
        return self.loop.run(self.send_async(message))

    def close(self) -> None:
        """Say QUIT on every open connection and stop the loop."""
        self.loop.close(self._quit_all())

    async def _quit_all(self) -> None:
        clients, self._open, self._idle = list(self._open), set(), []
        for client in clients:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    async def _guarded_envelope(self, client: aiosmtplib.SMTP, recipient: str, utf8: bool) -> None:
        try:
            await self._envelope(client, recipient, utf8)
        except _DISCONNECTED:
            self._discard(client)
            raise TransientError("SMTP server closed the connection") from None

    async def _envelope(self, client: aiosmtplib.SMTP, recipient: str, utf8: bool) -> None:
        options: list[str] = []
        if utf8:
            if not client.supports_extension("smtputf8"):
                await self._reset(client)
                raise PermanentError(NEEDS_SMTPUTF8)
            options = ["SMTPUTF8"]
        encoding = "utf-8" if utf8 else "ascii"
        try:
            await client.mail(self._envelope_from, options=options, encoding=encoding)
            await client.rcpt(recipient, encoding=encoding)
        except aiosmtplib.SMTPResponseException as error:
            await self._refused(client, error.code, error.message)

    async def _data(self, client: aiosmtplib.SMTP, message: EmailMessage, utf8: bool) -> str:
        if utf8:  # rare: raw UTF-8 headers, which only the email package writes correctly
            mime = build_mime(message, self.sender)
            data, message_id = mime.as_bytes(policy=email.policy.SMTPUTF8), str(mime["Message-ID"])
        else:
            data, message_id = mime_bytes(message, self.sender,
                                          format_datetime(timeutil.utcnow(), usegmt=True))
        try:
            await client.data(data)
        except aiosmtplib.SMTPResponseException as error:  # DATA, or the message, refused
            await self._refused(client, error.code, error.message)
        except _DISCONNECTED:
            self._discard(client)
            raise MaybeSentError("SMTP connection lost during DATA") from None
        return message_id

    async def _refused(self, client: aiosmtplib.SMTP, code: int, reply: str) -> None:
        text = redact(reply)
        if code == 421:
            self._discard(client)  # the server is closing this connection
        else:
            await self._reset(client)
        error_class: type[ChannelError] = TransientError if 400 <= code < 500 else PermanentError
        raise error_class(text, code)

    async def _reset(self, client: aiosmtplib.SMTP) -> None:
        try:
            await client.rset()
        except (aiosmtplib.SMTPException, OSError):
            self._discard(client)

    async def _take(self, fresh: bool = False) -> tuple[aiosmtplib.SMTP, bool]:
        """An idle connection (reused=True), or a new one; the caller holds a slot."""
        if self._idle and not fresh:
            return self._idle.pop(), True
        try:
            client = await self._connect()
        except aiosmtplib.SMTPResponseException as error:
            error_class = TransientError if error.code < 500 else PermanentError
            raise error_class(f"SMTP connect refused: {error.message}", error.code) from None
        except (OSError, aiosmtplib.SMTPException) as error:
            raise TransientError(f"could not connect to SMTP server: {error}") from None
        self._open.add(client)
        return client, False

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self.host, port=self.port, timeout=self.timeout,
            use_tls=self.security == "tls", start_tls=self.security == "starttls",
            tls_context=ssl.create_default_context() if self.security != "none" else None,
            username=self.username or None, password=(self.password or "") if self.username else None)
        try:
            await client.connect()
            if client.is_ehlo_or_helo_needed:
                await client.ehlo()
        except BaseException:
            client.close()
            raise
        return client

    def _discard(self, client: aiosmtplib.SMTP) -> None:
        self._open.discard(client)
        client.close()
