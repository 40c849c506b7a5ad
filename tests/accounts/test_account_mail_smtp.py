"""Invitation and reset emails through a real SMTP server (aiosmtpd): the link arrives and works; a
mail server that refuses leaves the account, says so, and lets the link be sent again."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from schoolbell.accounts.models import User, UserRole
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user, post_form, sign_in
from tests.smtp_server import Inbox, free_port, start_server


@pytest.fixture
def inbox(app):
    inbox = Inbox()
    controller = start_server(inbox, free_port())
    app.config.update(EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port,
                      MAIL_SENDER="서울특별시교육청 스쿨벨 <noreply@sen.example>")
    factories.school("7000001")
    make_user("office@sen.example", UserRole.OFFICE)
    yield inbox
    controller.stop()


def invite(client):
    return post_form(client, "/console/staff/invite?lang=en", {
        "email": "new@school.example", "name": "새 선생님", "role": "teacher", "school": "7000001"},
        page="/console/staff/")


def test_the_invitation_arrives_with_a_working_link(client, inbox):
    sign_in(client, "office@sen.example")
    assert invite(client).status_code == 302
    [message] = inbox.messages
    assert message["To"] == "new@school.example" and "초대" in message["Subject"]
    path = re.search(r"http://schoolbell\.test(/account/p/\S+)", message.get_content()).group(1)
    assert client.get(path).status_code == 200


def test_a_refusing_mail_server_is_said_and_the_link_can_be_sent_again(client, inbox):
    inbox.rcpt_reply = "550 mailbox unavailable"
    sign_in(client, "office@sen.example")
    response = invite(client)
    page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "could not be sent" in page
    user = db.session.scalar(select(User).where(User.email == "new@school.example"))
    inbox.rcpt_reply = None
    resend = post_form(client, f"/console/staff/{user.id}/resend", page=f"/console/staff/{user.id}")
    assert resend.status_code == 302 and len(inbox.messages) == 1


def test_the_access_log_never_holds_a_link_token():
    from schoolbell.web.access_log import redact_tokens

    line = '"GET /account/p/Zm9vYmFyLXNlY3JldA?lang=ko HTTP/1.1" 200'
    assert "Zm9vYmFy" not in redact_tokens(line)
