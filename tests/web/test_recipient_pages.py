"""Recipient links: signed, expiring, carrying no personal data; confirmations count once."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from sqlalchemy import func, select

from schoolbell import timeutil
from schoolbell.alerts.acknowledgements import ack_rates
from schoolbell.alerts.links import recipient_token
from schoolbell.alerts.models import AckKind, Acknowledgement, Delivery
from schoolbell.alerts.services import send_alert
from schoolbell.channels.memory import MemoryEmailBackend, MemorySmsBackend
from schoolbell.delivery.backends import Backends
from schoolbell.delivery.dispatcher import Dispatcher, DispatcherSettings
from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from schoolbell.signing import make_token, sign_id
from tests import factories


@pytest.fixture
def sent(app):
    """An alert sent by SMS to three guardians of one class; returns (alert, outbox, people)."""
    school = factories.school("7000001")
    people = [factories.person((school, "guardian", 1, "1"), email=None,
                               language="en" if n == 2 else "ko") for n in range(3)]
    alert = factories.alert("urgent", {"roles": ["guardian"]})
    send_alert(alert, "test")
    backends = Backends(sms=MemorySmsBackend(), email=MemoryEmailBackend())
    dispatcher = Dispatcher(app, DispatcherSettings(sms_concurrency=2, drain_horizon=0), backends)
    dispatcher.run(until_idle=True)
    dispatcher.close()
    return alert, backends.sms.outbox, people


def link_in(body: str) -> str:
    return re.search(r"https?://\S+", body).group()


def test_each_sms_carries_a_personal_link_without_personal_data(sent):
    alert, outbox, people = sent
    links = [link_in(message.body) for message in outbox]
    assert len(set(links)) == 3
    for message, link in zip(outbox, links, strict=True):
        assert message.to not in link and message.to[3:] not in link
        person = next(p for p in people if p.phone == message.to)
        assert person.name not in link


def test_read_confirmation_counts_once_per_person(sent, client):
    alert, outbox, people = sent
    path = link_in(outbox[0].body).replace("http://schoolbell.test", "")
    page = client.get(path)
    assert page.status_code == 200 and "읽었습니다" in page.get_data(as_text=True)
    for _ in range(3):
        assert client.post(path + "/read").status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Acknowledgement)) == 1
    rates = ack_rates(alert, AckKind.READ)
    assert rates == [{"school_code": "7000001", "school": "테스트7000001학교", "reached": 3,
                      "confirmed": 1, "rate": 0.3333}]


def test_page_is_in_the_recipients_language(sent, client):
    _alert, outbox, people = sent
    english = next(p for p in people if p.language == "en")
    message = next(m for m in outbox if m.to == english.phone)
    page = client.get(link_in(message.body).replace("http://schoolbell.test", ""))
    assert "Deepfake warning" in page.get_data(as_text=True)


def test_forged_and_expired_links_are_refused(sent, client, app, time_machine):
    _alert, outbox, _people = sent
    path = link_in(outbox[0].body).replace("http://schoolbell.test", "")
    forged = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    assert client.get(forged).status_code == 404
    assert client.post(forged + "/read").status_code == 404
    delivery_id = db.session.scalar(select(Delivery.id).limit(1))
    for other_purpose in (sign_id("unsubscribe", delivery_id), make_token("recipient", [delivery_id])):
        assert client.get("/m/" + other_purpose).status_code == 404
    time_machine.move_to(timeutil.utcnow() + timedelta(days=61))
    assert client.get(path).status_code == 404
    assert client.post(path + "/read").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Acknowledgement)) == 0


def test_unsubscribe_link_turns_off_routine_email_only_after_confirming(app, client):
    from schoolbell.delivery.compose import unsubscribe_url

    school = factories.school("7000001")
    person = factories.person((school, "guardian", 1, "1"))
    path = unsubscribe_url(person.id, "email").replace("http://schoolbell.test", "")
    assert client.get(path).status_code == 200
    db.session.refresh(person)
    assert person.email_consent  # a mail scanner's GET changes nothing
    assert client.post(path).status_code == 200
    db.session.expire_all()
    assert db.session.get(Contact, person.id).email_consent is False
    assert db.session.get(Contact, person.id).sms_consent is True
    assert client.post(path[:-2] + "xx").status_code == 404


def test_token_holds_only_the_delivery_id(app):
    value, timestamp, signature = recipient_token(12345).split(".")
    assert value == "12345"
    assert len(timestamp) <= 8 and len(signature) == 27  # short enough for an SMS


@pytest.mark.parametrize("asked", ["fr", "xx", "", "ko-KR", "../en"])
def test_an_unknown_language_falls_back_to_the_readers_own(sent, client, asked):
    _alert, outbox, people = sent
    english = next(p for p in people if p.language == "en")
    message = next(m for m in outbox if m.to == english.phone)
    path = link_in(message.body).replace("http://schoolbell.test", "")
    page = client.get(path, query_string={"lang": asked})
    assert page.status_code == 200 and "Deepfake warning" in page.get_data(as_text=True)


def test_a_long_link_of_an_earlier_message_still_opens_until_it_expires(sent, client):
    delivery_id = db.session.scalar(select(Delivery.id).limit(1))
    alert = db.session.get(Delivery, delivery_id).alert
    old = recipient_token(delivery_id, alert.fanned_out_at)
    assert client.get(f"/m/{old}").status_code == 200
    later = time.time() + timedelta(days=61).total_seconds()
    with mock.patch("itsdangerous.timed.time.time", return_value=later):
        assert client.get(f"/m/{old}").status_code == 404


def test_links_are_short_and_hold_only_a_signed_id(sent):
    _alert, outbox, _people = sent
    for message in outbox:
        path = link_in(message.body).replace("http://schoolbell.test", "")
        assert re.fullmatch(r"/m/[0-9A-Za-z]{7,9}", path) and len(path) <= 12


def test_after_confirming_the_result_is_in_view_and_a_later_visit_says_when(sent, client, time_machine):
    time_machine.move_to("2026-12-01T06:05:00+00:00")  # 15:05 in Seoul
    _alert, outbox, _people = sent
    korean = next(m for m in outbox if m.to != _people[2].phone)
    path = link_in(korean.body).replace("http://schoolbell.test", "")
    answer = client.post(path + "/read")
    assert answer.status_code == 303 and answer.location.endswith("#confirmation")
    shown = client.get(answer.location).get_data(as_text=True)
    assert 'id="confirmation"' in shown and "12월 1일 오후 3:05" in shown
    later = client.get(path).get_data(as_text=True)
    assert "12월 1일 오후 3:05" in later and "ack-button" not in later


def test_the_alert_page_names_sender_and_time_and_gives_the_lesson_and_help(app, client, dispatcher,
                                                                           backends, time_machine):
    time_machine.move_to("2026-12-08T06:05:00+00:00")  # after the lessons' last check
    school = factories.school("7000001")
    factories.person((school, "guardian", 1, "1"), email=None)
    alert = factories.alert("emergency", {"roles": ["guardian"]})
    alert.lesson_slug = "deepfakes-and-the-law"
    send_alert(alert, "test")
    dispatcher.run(until_idle=True)
    path = link_in(backends.sms.outbox[0].body).replace("http://schoolbell.test", "")
    page = client.get(path).get_data(as_text=True)
    assert "서울시교육청" in page and "2026년 12월 8일 (화) 오후 3:05" in page
    assert "딥페이크 성범죄와 법" in page  # the lesson that goes with it
    assert "도움받을 곳" in page and "117" in page and "1388" in page  # the lesson's help lines
    assert f"{path}/settings" in page  # the preference centre, one more tap
    english = client.get(path, query_string={"lang": "en"}).get_data(as_text=True)
    assert "Deepfake warning" in english and "Where to get help" in english
    assert "Seoul Education Office" in english


def test_an_old_unsubscribe_link_speaks_korean_and_is_recorded(app, client):
    from schoolbell.delivery.compose import unsubscribe_url
    from schoolbell.directory.preference_models import PreferenceChange

    school = factories.school("7000001")
    person = factories.person((school, "guardian", 1, "1"))
    path = unsubscribe_url(person.id, "email").replace("http://schoolbell.test", "")
    page = client.get(path, query_string={"lang": "ko"}).get_data(as_text=True)
    assert "이메일 일반 학교 안내" in page and "email" not in page.split("<main", 1)[1].split("</main>")[0]
    client.post(path)
    [change] = db.session.scalars(select(PreferenceChange))
    assert change.source == "one_click" and change.after["email"] is False


def test_a_parents_page_follows_a_language_changed_since_the_message_went(sent, client):
    _alert, outbox, people = sent
    korean = next(p for p in people if p.language == "ko")
    message = next(m for m in outbox if m.to == korean.phone)
    korean.language = "en"
    db.session.commit()
    page = client.get(link_in(message.body).replace("http://schoolbell.test", ""))
    assert "Deepfake warning" in page.get_data(as_text=True)


def test_a_parents_page_reads_the_database_twice(sent, client, app):
    """During a city-wide send parents open their pages by the thousand: each query costs the database."""
    from sqlalchemy import event

    _alert, outbox, _people = sent
    path = link_in(outbox[0].body).replace("http://schoolbell.test", "")
    client.get(path)  # the app's first request sets itself up
    statements = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The delivery with its alert, office and person; the confirmation.
    assert len(queries) == 2, "\n\n".join(queries)


def test_a_parents_page_reads_without_a_transaction_and_a_confirmation_writes_in_one(sent, client):
    """BEGIN and ROLLBACK were two of a parent's page's four round trips to the database."""
    from sqlalchemy import event

    _alert, outbox, _people = sent
    path = link_in(outbox[0].body).replace("http://schoolbell.test", "")
    client.get(path)
    levels = []

    def level(connection, *_args):
        levels.append(connection.get_execution_options().get("isolation_level", "default"))

    event.listen(db.engine, "before_cursor_execute", level)
    try:
        db.session.remove()  # each request has a session of its own, as under gunicorn
        assert client.get(path).status_code == 200
        page_levels, levels[:] = list(levels), []
        db.session.remove()
        assert client.post(f"{path}/read").status_code == 303
    finally:
        event.remove(db.engine, "before_cursor_execute", level)
    assert page_levels and set(page_levels) == {"AUTOCOMMIT"}
    assert levels and "AUTOCOMMIT" not in levels  # the pooled connection was given back as it was
    assert db.session.scalar(select(func.count()).select_from(Acknowledgement)) == 1
