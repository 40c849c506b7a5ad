"""SmtpEmailBackend against a real SMTP server (aiosmtpd) on 127.0.0.1."""

import asyncio
import threading

import pytest

from schoolbell.channels.errors import MaybeSentError, PermanentError, TransientError
from schoolbell.channels.messages import EmailMessage
from schoolbell.channels.smtp_email import SmtpEmailBackend
from tests.smtp_server import Inbox, free_port, start_server

SUBJECT = "[긴급] 딥페이크 성범죄 예방 안내"
TEXT = "학부모님께,\n딥페이크 합성물은 제작만 해도 처벌됩니다. 의심 게시물은 112 또는 117로 신고하세요."
HTML = "<p>학부모님께,</p><p>딥페이크 합성물은 <b>제작만 해도</b> 처벌됩니다.</p>"
UNSUBSCRIBE = "https://office.example/u/abc123"


@pytest.fixture
def inbox():
    return Inbox()


@pytest.fixture
def smtp(inbox):
    controller = start_server(inbox, free_port())
    yield controller
    controller.stop()


@pytest.fixture
def backend(smtp):
    backend = SmtpEmailBackend(
        "127.0.0.1", smtp.port, sender="서울시교육청 스쿨벨 <noreply@sen.example>", timeout=3
    )
    yield backend
    backend.close()


def test_korean_mail_round_trips_with_html_and_unsubscribe(backend, inbox):
    reference = backend.send(
        EmailMessage(
            to="kim@example.com", subject=SUBJECT, text=TEXT, html=HTML,
            unsubscribe_url=UNSUBSCRIBE,
        )
    )
    [received] = inbox.messages
    assert inbox.envelopes == [("noreply@sen.example", ["kim@example.com"])]
    assert received["Subject"] == SUBJECT
    assert received["From"].addresses[0].display_name == "서울시교육청 스쿨벨"
    assert received["Message-ID"] == reference
    assert reference.startswith("<") and reference.endswith("@sen.example>")
    assert received.get_body(("plain",)).get_content().rstrip("\n") == TEXT
    assert received.get_body(("html",)).get_content().rstrip("\n") == HTML
    assert received["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Content-Language"] == "ko"


def test_list_unsubscribe_goes_out_as_plain_ascii_even_when_long(backend, inbox):
    # The default policy folded a long URL into RFC 2047 encoded words (=?utf-8?q?=3Chttps...?=),
    # which mail providers do not read as an address: no one-click unsubscribe button appeared.
    long_url = "https://schoolbell.sen.go.kr/unsubscribe/" + "WzEyMzQ1LCJlbWFpbCJd.Z0Hk8g." * 3
    backend.send(EmailMessage(to="kim@example.com", subject=SUBJECT, text=TEXT, unsubscribe_url=long_url))
    [received] = inbox.messages
    raw = dict(received.raw_items())
    assert raw["List-Unsubscribe"] == f"<{long_url}>"
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "=?" not in raw["List-Unsubscribe"] and raw["List-Unsubscribe"].isascii()


def test_english_text_only_mail_has_no_unsubscribe_headers(backend, inbox):
    backend.send(EmailMessage(to="lee@example.com", subject="Alert", text="Hello", language="en"))
    [received] = inbox.messages
    assert received.get_content_type() == "text/plain"
    assert received.get_content().rstrip("\n") == "Hello"
    assert received["Content-Language"] == "en"
    assert "List-Unsubscribe" not in received


def test_one_connection_is_reused(backend, inbox):
    for number in range(5):
        backend.send(EmailMessage(to=f"p{number}@example.com", subject="s", text="t"))
    assert len(inbox.messages) == 5
    assert len(inbox.sessions) == 1


def test_concurrent_sends_share_a_bounded_pool_of_connections(smtp, inbox):
    backend = SmtpEmailBackend("127.0.0.1", smtp.port, timeout=3, connections=3)

    async def many():
        return await asyncio.gather(*(backend.send_async(
            EmailMessage(to=f"p{number}@example.com", subject="s", text="t")) for number in range(30)))

    try:
        references = backend.loop.run(many())
    finally:
        backend.close()
    assert len(set(references)) == 30
    assert sorted(m["To"] for m in inbox.messages) == sorted(f"p{n}@example.com" for n in range(30))
    assert 1 < len(inbox.sessions) <= 3


def test_sends_from_several_threads_all_arrive(backend, inbox):
    def work(name):
        for number in range(3):
            backend.send(EmailMessage(to=f"{name}{number}@example.com", subject="s", text="t"))

    threads = [threading.Thread(target=work, args=(f"t{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(inbox.messages) == 9


def test_a_long_korean_line_arrives_whole(backend, inbox):
    line = "딥페이크 합성물은 제작만 해도 처벌됩니다. " * 200  # ~5,000 bytes: over SMTP's 998 limit
    backend.send(EmailMessage(to="kim@example.com", subject=SUBJECT, text=f".\n{line}\n.", html=line))
    [received] = inbox.messages
    assert received.get_body(("plain",)).get_content() == f".\n{line}\n."
    assert received.get_body(("html",)).get_content() == line


def test_refused_recipient_is_permanent_with_code(backend, inbox):
    inbox.rcpt_reply = "550 5.1.1 <kim@example.com>: mailbox unavailable"
    with pytest.raises(PermanentError) as caught:
        backend.send(EmailMessage(to="kim@example.com", subject="s", text="t"))
    assert caught.value.code == "550"
    assert "mailbox unavailable" in caught.value.reason
    assert "kim@example.com" not in caught.value.reason
    # The connection survives a refusal (RSET) and goes on working.
    inbox.rcpt_reply = None
    backend.send(EmailMessage(to="lee@example.com", subject="s", text="t"))
    assert len(inbox.sessions) == 1


def test_temporary_failure_is_transient(backend, inbox):
    inbox.data_reply = "451 4.3.0 Try again later"
    with pytest.raises(TransientError) as caught:
        backend.send(EmailMessage(to="kim@example.com", subject="s", text="t"))
    assert caught.value.code == "451"


def test_connection_lost_during_data_may_have_been_sent(backend, inbox):
    inbox.drop_during_data = True
    with pytest.raises(MaybeSentError):
        backend.send(EmailMessage(to="kim@example.com", subject="s", text="t"))
    inbox.drop_during_data = False
    backend.send(EmailMessage(to="kim@example.com", subject="s", text="t"))  # reconnects
    assert len(inbox.sessions) == 2


def test_reconnects_after_server_restart(inbox):
    port = free_port()
    backend = SmtpEmailBackend("127.0.0.1", port, timeout=3)
    first = start_server(inbox, port)
    backend.send(EmailMessage(to="kim@example.com", subject="before", text="t"))
    first.stop()
    second = start_server(inbox, port)
    try:
        backend.send(EmailMessage(to="kim@example.com", subject="after", text="t"))
    finally:
        backend.close()
        second.stop()
    assert [m["Subject"] for m in inbox.messages] == ["before", "after"]
    assert len(inbox.sessions) == 2


def test_no_server_is_transient():
    backend = SmtpEmailBackend("127.0.0.1", free_port(), timeout=1)
    with pytest.raises(TransientError):
        backend.send(EmailMessage(to="kim@example.com", subject="s", text="t"))


def test_unknown_security_mode():
    with pytest.raises(ValueError, match="starttls"):
        SmtpEmailBackend("127.0.0.1", 25, security="ssl")


def test_an_internationalised_domain_goes_out_in_idna(backend, inbox):
    backend.send(EmailMessage(to="parent@학교.한국", subject=SUBJECT, text=TEXT))
    assert inbox.envelopes[-1][1] == ["parent@" + "학교.한국".encode("idna").decode()]


def test_a_non_ascii_local_part_goes_out_through_smtputf8(backend, inbox):
    backend.send(EmailMessage(to="학부모@example.com", subject=SUBJECT, text=TEXT))
    assert inbox.envelopes[-1][1] == ["학부모@example.com"]  # refused before; see test_smtp_idna.py


def test_the_default_sender_is_the_documented_one():
    from inspect import signature

    assert signature(SmtpEmailBackend).parameters["sender"].default == \
        "SchoolBell <noreply@schoolbell.invalid>"


def test_the_date_header_reads_the_one_clock(backend, inbox, time_machine):
    from datetime import UTC, datetime

    time_machine.move_to(datetime(2031, 3, 10, 3, 30, tzinfo=UTC), tick=False)
    backend.send(EmailMessage(to="kim@example.com", subject="s", text="t"))
    assert inbox.messages[-1]["Date"].datetime == datetime(2031, 3, 10, 3, 30, tzinfo=UTC)


def test_an_unsubscribe_link_that_is_not_ascii_is_left_out(backend, inbox):
    # RFC 2369 wants a plain <URL>; a mail client cannot use an encoded one (as build_mime does).
    backend.send(EmailMessage(to="kim@example.com", subject="s", text="t",
                              unsubscribe_url="https://학교.한국/u/abc"))
    assert "List-Unsubscribe" not in inbox.messages[-1]
