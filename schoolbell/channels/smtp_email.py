"""Email over SMTP: one reused connection per thread, typed errors by SMTP reply code."""

import email.policy
import smtplib
import ssl
import threading
from dataclasses import replace
from email.headerregistry import Address
from email.utils import parseaddr

from email_validator import EmailNotValidError, validate_email

from schoolbell.channels.base import Closing
from schoolbell.channels.errors import (
    ChannelError,
    MaybeSentError,
    PermanentError,
    TransientError,
)
from schoolbell.channels.masking import redact
from schoolbell.channels.messages import EmailMessage
from schoolbell.channels.mime import build_mime, envelope_address

SECURITY_MODES = ("none", "starttls", "tls")
_DISCONNECTED = (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError)
NEEDS_SMTPUTF8 = ("the part before @ is not ASCII: it needs SMTPUTF8, which the SMTP server does not "
                  "offer")


def ascii_address(address: str) -> str:
    """The address as plain SMTP can carry it: an internationalised domain in IDNA (xn--…).

    A non-ASCII local part has no ASCII form: PermanentError (see smtp_address for SMTPUTF8).
    """
    address, utf8 = smtp_address(address)
    if utf8:
        raise PermanentError("the part before @ is not ASCII: it has no form without SMTPUTF8")
    return address


def smtp_address(address: str) -> tuple[str, bool]:
    """The address with its domain in IDNA, and whether its local part needs SMTPUTF8 (RFC 6531)."""
    if address.isascii():
        return address, False
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise PermanentError(f"not an email address: {error}") from None
    if checked.ascii_email is not None:
        return checked.ascii_email, False
    # The domain in IDNA still works where a relay resolves names in ASCII only.
    return f"{checked.local_part}@{checked.ascii_domain}", True


class SmtpEmailBackend(Closing):
    """Sends each email with MAIL/RCPT/DATA on a kept-open connection and returns its Message-ID."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str | None = None,
        password: str | None = None,
        security: str = "none",
        sender: str = "SchoolBell <noreply@schoolbell.invalid>",
        timeout: float = 10.0,
    ):
        if security not in SECURITY_MODES:
            raise ValueError(f"security must be one of {', '.join(SECURITY_MODES)}: {security!r}")
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.security = security
        self.sender = ascii_sender(sender)
        self.timeout = timeout
        self._envelope_from = envelope_address(self.sender)
        self._local = threading.local()
        self._open: set[smtplib.SMTP] = set()
        self._open_lock = threading.Lock()

    def send(self, message: EmailMessage) -> str:
        """Send the email and return its Message-ID header value, "<…@domain>"."""
        recipient, utf8 = smtp_address(message.to)
        message = replace(message, to=recipient)
        mime = build_mime(message, self.sender)
        # CRLF line ends, as DATA requires; raw UTF-8 headers only where SMTPUTF8 was agreed.
        data = mime.as_bytes(policy=email.policy.SMTPUTF8 if utf8 else email.policy.SMTP)
        connection, reused = self._connection()
        try:
            self._envelope(connection, recipient, utf8)
        except _DISCONNECTED:
            self._discard(connection)
            if not reused:
                raise TransientError("SMTP server closed the connection") from None
            # An idle connection the server dropped: nothing was sent yet, so try a fresh one.
            connection, _ = self._connection()
            self._guarded_envelope(connection, recipient, utf8)
        self._data(connection, data)
        return str(mime["Message-ID"])

    def close(self) -> None:
        """Say QUIT on every open connection."""
        with self._open_lock:
            connections, self._open = self._open, set()
        for connection in connections:
            _quit(connection)
        self._local = threading.local()

    def _guarded_envelope(self, connection: smtplib.SMTP, recipient: str, utf8: bool) -> None:
        try:
            self._envelope(connection, recipient, utf8)
        except _DISCONNECTED:
            self._discard(connection)
            raise TransientError("SMTP server closed the connection") from None

    def _envelope(self, connection: smtplib.SMTP, recipient: str, utf8: bool = False) -> None:
        options: tuple[str, ...] = ()
        if utf8:
            if not connection.has_extn("smtputf8"):
                raise PermanentError(NEEDS_SMTPUTF8)
            options = ("SMTPUTF8",)
        code, reply = connection.mail(self._envelope_from, options)
        if code != 250:
            self._refused(connection, code, reply)
        code, reply = connection.rcpt(recipient)
        if code not in (250, 251):
            self._refused(connection, code, reply)

    def _data(self, connection: smtplib.SMTP, data: bytes) -> None:
        try:
            code, reply = connection.data(data)
        except smtplib.SMTPDataError as error:  # the DATA command itself was refused
            self._refused(connection, error.smtp_code, error.smtp_error)
        except _DISCONNECTED:
            self._discard(connection)
            raise MaybeSentError("SMTP connection lost during DATA") from None
        if code != 250:
            self._refused(connection, code, reply)

    def _refused(self, connection: smtplib.SMTP, code: int, reply: bytes | str) -> None:
        text = redact(reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply)
        if code == 421:
            self._discard(connection)  # the server is closing this connection
        else:
            try:
                connection.rset()
            except (smtplib.SMTPException, OSError):
                self._discard(connection)
        error_class: type[ChannelError] = TransientError if 400 <= code < 500 else PermanentError
        raise error_class(text, code)

    def _connection(self) -> tuple[smtplib.SMTP, bool]:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            return connection, True
        try:
            connection = self._connect()
        except smtplib.SMTPResponseException as error:
            code = error.smtp_code
            reply = error.smtp_error
            text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
            error_class = TransientError if code < 500 else PermanentError
            raise error_class(f"SMTP connect refused: {text}", code) from None
        except (OSError, smtplib.SMTPException) as error:
            raise TransientError(f"could not connect to SMTP server: {error}") from None
        self._local.connection = connection
        with self._open_lock:
            self._open.add(connection)
        return connection, False

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if self.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if self.username:
                connection.login(self.username, self.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def _discard(self, connection: smtplib.SMTP) -> None:
        if getattr(self._local, "connection", None) is connection:
            self._local.connection = None
        with self._open_lock:
            self._open.discard(connection)
        connection.close()


def ascii_sender(sender: str) -> str:
    """The sender ("Name <noreply@domain>") with its domain in IDNA, as headers and MAIL FROM need."""
    name, address = parseaddr(sender)
    if address.isascii():
        return sender
    try:
        return str(Address(display_name=name, addr_spec=ascii_address(address)))
    except PermanentError as error:
        raise ValueError(f"sender {sender!r}: {error}") from None


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()
