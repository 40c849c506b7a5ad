"""Alerts by email through the dispatcher to a real SMTP server, in Korean and in English."""

from __future__ import annotations

import pytest

from schoolbell.alerts.services import send_alert
from schoolbell.delivery.backends import get_backends
from schoolbell.delivery.dispatcher import Dispatcher, DispatcherSettings
from tests import factories
from tests.smtp_server import Inbox, free_port, start_server


@pytest.fixture
def inbox(app):
    inbox = Inbox()
    controller = start_server(inbox, free_port())
    app.config.update(EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port,
                      MAIL_SENDER="서울특별시교육청 스쿨벨 <noreply@sen.example>")
    yield inbox
    controller.stop()


def test_each_person_gets_the_alert_in_their_language(app, inbox):
    school = factories.school("7000001")
    korean = factories.person((school, "guardian", 2, "1"), phone=None, email="kim@example.com")
    english = factories.person((school, "guardian", 2, "1"), phone=None, email="lee@example.com",
                               language="en")
    alert = factories.alert("urgent", {"roles": ["guardian"]},
                            link_url="http://schoolbell.test/lessons/deepfakes-and-the-law")
    send_alert(alert, "test")
    dispatcher = Dispatcher(app, DispatcherSettings(sms_concurrency=2, drain_horizon=0))
    try:
        totals = dispatcher.run(until_idle=True)
    finally:
        dispatcher.close()
        get_backends(app).close()
    assert totals["sent"] == 2
    received = {message["To"]: message for message in inbox.messages}
    assert set(received) == {korean.email, english.email}
    ko, en = received[korean.email], received[english.email]
    assert ko["Subject"] == "딥페이크 주의" and en["Subject"] == "Deepfake warning"
    assert "의심 게시물은 112에 신고하세요." in ko.get_body(("plain",)).get_content()
    assert "Report suspicious posts to 112." in en.get_body(("plain",)).get_content()
    assert "deepfakes-and-the-law" in ko.get_body(("html",)).get_content()
    assert ko["List-Unsubscribe"].startswith("<http://schoolbell.test/u/")
    assert "스쿨벨" in str(ko["From"])
