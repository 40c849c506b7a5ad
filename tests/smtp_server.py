"""A real SMTP server for tests (aiosmtpd on 127.0.0.1) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import socket

from aiosmtpd.controller import Controller


class Inbox:
    """An aiosmtpd handler that keeps messages, counts connections and can refuse on demand."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.sessions: list[object] = []  # strong references: one per connection that sent MAIL
        self.rcpt_reply: str | None = None
        self.data_reply: str | None = None
        self.drop_during_data = False

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if not any(known is session for known in self.sessions):
            self.sessions.append(session)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_during_data:
            server.transport.close()  # the message arrived, the reply never leaves
            return "250 OK"
        if self.data_reply:
            return self.data_reply
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        wire = envelope.content.replace(b"\r\n", b"\n")  # SMTP's CRLF, as Python text lines
        parsed = email.message_from_bytes(wire, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(inbox: Inbox, port: int) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller
