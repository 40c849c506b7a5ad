"""File, memory and console backends."""

import email
import email.policy
import io
import threading

import pytest

from schoolbell.channels.console import ConsoleEmailBackend, ConsoleSmsBackend
from schoolbell.channels.errors import RecipientBlockedError
from schoolbell.channels.file import FileEmailBackend, FileSmsBackend
from schoolbell.channels.memory import MemoryEmailBackend, MemorySmsBackend
from schoolbell.channels.messages import EmailMessage, SmsMessage

SMS = SmsMessage(to="+821012345678", body="[서울시교육청] 딥페이크 예방 안내 😀")
MAIL = EmailMessage(
    to="kim@example.com",
    subject="[긴급] 딥페이크 성범죄 예방 안내",
    text="학부모님께, 의심 게시물은 112로 신고하세요.",
    html="<p>학부모님께</p>",
    unsubscribe_url="https://office.example/u/abc",
)


def test_file_sms_is_a_readable_text_file(tmp_path):
    reference = FileSmsBackend(tmp_path / "outbox").send(SMS)
    path = tmp_path / "outbox" / reference
    assert reference.endswith(".txt")
    content = path.read_text(encoding="utf-8")
    assert "To: +821012345678" in content
    assert "1 segment" in content and "UCS-2" in content
    assert "Lost on Korean routes: 😀" in content
    assert content.rstrip("\n").endswith(SMS.body)


def test_file_email_is_an_eml_with_readable_korean(tmp_path):
    reference = FileEmailBackend(tmp_path).send(MAIL)
    raw = (tmp_path / reference).read_bytes()
    assert reference.endswith(".eml")
    assert MAIL.subject.encode() in raw and MAIL.text.encode() in raw  # no base64 or =?utf-8?
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == MAIL.subject
    assert parsed["List-Unsubscribe"] == "<https://office.example/u/abc>"
    assert parsed.get_body(("html",)).get_content().strip() == MAIL.html


def test_file_names_are_unique_across_threads(tmp_path):
    backend = FileSmsBackend(tmp_path)
    names: list[str] = []

    def work():
        names.extend(backend.send(SMS) for _ in range(20))

    threads = [threading.Thread(target=work) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(names)) == 100
    assert len(list(tmp_path.iterdir())) == 100


def test_memory_outbox_and_scripted_failures():
    blocked = "+821099998888"
    backend = MemorySmsBackend(fail_for={blocked: RecipientBlockedError("unsubscribed", 21610)})
    first = backend.send(SMS)
    with pytest.raises(RecipientBlockedError):
        backend.send(SmsMessage(to=blocked, body="x"))
    second = backend.send(SMS)
    assert backend.outbox == [SMS, SMS]
    assert first != second
    backend.close()
    assert backend.closed


def test_memory_email_outbox():
    with MemoryEmailBackend() as backend:
        assert backend.send(MAIL).startswith("memory-")
    assert backend.outbox == [MAIL] and backend.closed


def test_console_prints_readable_messages_with_masked_recipients():
    stream = io.StringIO()
    ConsoleSmsBackend(stream).send(SMS)
    ConsoleEmailBackend(stream).send(MAIL)
    out = stream.getvalue()
    assert "+8210****5678" in out and "+821012345678" not in out
    assert "k**@example.com" in out and "kim@example.com" not in out
    assert SMS.body in out and MAIL.subject in out and MAIL.text in out


def test_console_defaults_to_stdout(capsys):
    reference = ConsoleSmsBackend().send(SMS)
    assert reference.startswith("console-")
    assert SMS.body in capsys.readouterr().out
