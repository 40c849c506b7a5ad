"""Internationalised addresses over SMTP: domains in IDNA, Korean local parts through SMTPUTF8."""

import pytest
from aiosmtpd.controller import Controller

from schoolbell.channels.errors import PermanentError
from schoolbell.channels.messages import EmailMessage
from schoolbell.channels.smtp_email import SmtpEmailBackend
from tests.smtp_server import Inbox, free_port, start_server

DOMAIN = "예시.한국"
ACE = "xn--vv4b11d.xn--3e0b707e"  # 예시.한국 in IDNA
SUBJECT = "[긴급] 딥페이크 성범죄 예방 안내"
TEXT = "딥페이크 합성물은 제작만 해도 처벌됩니다."


@pytest.fixture
def inbox():
    return Inbox()


@pytest.fixture
def utf8_server(inbox):
    """The tests' server, which offers SMTPUTF8 as Postfix 3 and the big mailbox providers do."""
    controller = start_server(inbox, free_port())
    yield controller
    controller.stop()


@pytest.fixture
def ascii_server(inbox):
    """A server that does not offer SMTPUTF8, as an older relay."""
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=False)
    controller.start()
    yield controller
    controller.stop()


def backend_for(server, sender="서울시교육청 스쿨벨 <noreply@sen.example>"):
    return SmtpEmailBackend("127.0.0.1", server.port, sender=sender, timeout=3)


def test_an_internationalised_domain_arrives_in_idna(ascii_server, inbox):
    backend = backend_for(ascii_server)
    try:
        backend.send(EmailMessage(to=f"parent@{DOMAIN}", subject=SUBJECT, text=TEXT))
    finally:
        backend.close()
    assert inbox.envelopes == [("noreply@sen.example", [f"parent@{ACE}"])]
    [received] = inbox.messages
    assert str(received["To"]) == f"parent@{ACE}"
    assert received["Subject"] == SUBJECT


def test_a_korean_local_part_arrives_through_smtputf8(utf8_server, inbox):
    backend = backend_for(utf8_server)
    try:
        backend.send(EmailMessage(to=f"학부모@{DOMAIN}", subject=SUBJECT, text=TEXT))
        backend.send(EmailMessage(to="kim@example.com", subject=SUBJECT, text=TEXT))  # same connection
    finally:
        backend.close()
    assert inbox.envelopes == [("noreply@sen.example", [f"학부모@{ACE}"]),
                               ("noreply@sen.example", ["kim@example.com"])]
    first, second = inbox.messages
    assert str(first["To"]) == f"학부모@{ACE}"
    assert first["Subject"] == SUBJECT and first.get_content().rstrip("\n") == TEXT
    assert str(second["To"]) == "kim@example.com"
    assert len(inbox.sessions) == 1


def test_a_korean_local_part_is_refused_with_the_reason_when_the_server_lacks_smtputf8(
        ascii_server, inbox):
    backend = backend_for(ascii_server)
    try:
        with pytest.raises(PermanentError, match="needs SMTPUTF8") as refused:
            backend.send(EmailMessage(to=f"학부모@{DOMAIN}", subject=SUBJECT, text=TEXT))
        backend.send(EmailMessage(to="kim@example.com", subject=SUBJECT, text=TEXT))
    finally:
        backend.close()
    assert "학부모" not in str(refused.value)  # the reason is stored and shown; the address is not in it
    assert inbox.envelopes == [("noreply@sen.example", ["kim@example.com"])]


def test_a_sender_on_an_internationalised_domain_goes_out_in_idna(ascii_server, inbox):
    backend = backend_for(ascii_server, sender=f"스쿨벨 <noreply@{DOMAIN}>")
    try:
        reference = backend.send(EmailMessage(to="kim@example.com", subject=SUBJECT, text=TEXT))
    finally:
        backend.close()
    assert inbox.envelopes == [(f"noreply@{ACE}", ["kim@example.com"])]
    [received] = inbox.messages
    assert received["From"].addresses[0].display_name == "스쿨벨"
    assert received["From"].addresses[0].addr_spec == f"noreply@{ACE}"
    assert reference.endswith(f"@{ACE}>")


def test_a_sender_whose_local_part_is_not_ascii_is_refused_at_once():
    with pytest.raises(ValueError, match="sender"):
        SmtpEmailBackend("127.0.0.1", 25, sender=f"스쿨벨 <알림@{DOMAIN}>")
