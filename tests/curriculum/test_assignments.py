"""Assigning lessons to a class: the class's guardians, in their languages, with a lesson link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from schoolbell import timeutil
from schoolbell.alerts.acknowledgements import ack_rates
from schoolbell.alerts.models import AckKind, Acknowledgement, AlertStatus, Delivery
from schoolbell.channels.memory import MemoryEmailBackend, MemorySmsBackend
from schoolbell.curriculum.assignments import AssignmentError, assign_series, home_tips
from schoolbell.curriculum.library import get_library
from schoolbell.delivery.backends import Backends
from schoolbell.delivery.dispatcher import Dispatcher, DispatcherSettings
from schoolbell.extensions import db
from tests import factories


@pytest.fixture
def classroom(app):
    school = factories.school("7000001")
    target = (school, "guardian", 3, "2")
    people = {
        "ko": factories.person(target),
        "en": factories.person(target, language="en"),
        "email_only": factories.person(target, phone=None),
        "pupil": factories.person((school, "student", 3, "2"), phone=None),
        "next_door": factories.person((school, "guardian", 3, "1")),
        "other_grade": factories.person((school, "guardian", 2, "2")),
    }
    return school, people


def dispatch(app) -> Backends:
    backends = Backends(sms=MemorySmsBackend(), email=MemoryEmailBackend())
    dispatcher = Dispatcher(app, DispatcherSettings(sms_concurrency=2, drain_horizon=0), backends)
    dispatcher.run(until_idle=True)
    dispatcher.close()
    return backends


def test_assignment_reaches_exactly_the_class_guardians_in_their_languages(app, classroom):
    school, people = classroom
    lesson = get_library()["talking-with-your-child"]
    [assignment] = assign_series(school, 3, "2", [lesson], [timeutil.utcnow()], actor="teacher-park")
    assert assignment.alert.status is AlertStatus.SENDING
    backends = dispatch(app)
    assert sorted(m.to for m in backends.sms.outbox) == sorted([people["ko"].phone, people["en"].phone])
    assert sorted(m.to for m in backends.email.outbox) == sorted(
        [people["ko"].email, people["en"].email, people["email_only"].email])
    sms = {m.to: m.body for m in backends.sms.outbox}
    # A class lesson comes from the school the parent knows, not from the office.
    assert sms[people["ko"].phone].startswith(f"[{school.name_ko}] {lesson.title['ko']}\n")
    assert sms[people["en"].phone].startswith(f"[{school.name_ko}] {lesson.title['en']}\n")
    assert re.search(r"\nhttp://schoolbell.test/m/[0-9A-Za-z]{7,9}$", sms[people["en"].phone])
    assert len(sms[people["ko"].phone].splitlines()) == 2  # a short SMS: title and link
    mail = {m.to: m for m in backends.email.outbox}
    english = mail[people["en"].email]
    assert lesson.summary["en"] in english.text and "Points to talk about at home" in english.text
    assert "집에서 이야기 나눌 점" in mail[people["ko"].email].text


def test_pupils_are_included_only_when_asked(app, classroom):
    school, people = classroom
    lesson = get_library()["consent-and-sharing-images"]
    assign_series(school, 3, "2", [lesson], [timeutil.utcnow()], actor="t", include_students=True)
    backends = dispatch(app)
    assert people["pupil"].email in [m.to for m in backends.email.outbox]


def test_a_series_schedules_later_lessons(app, classroom):
    school, _people = classroom
    library = get_library()
    lessons = [library["what-is-a-deepfake"], library["tell-a-trusted-adult"]]
    now = timeutil.utcnow()
    made = assign_series(school, 3, "2", lessons, [now, now + timedelta(days=3)], actor="t")
    assert [a.position for a in made] == [1, 2] and made[0].series_id == made[1].series_id
    assert made[1].alert.status is AlertStatus.SCHEDULED
    assert db.session.scalar(select(func.count()).select_from(Delivery)
                             .where(Delivery.alert_id == made[1].alert_id)) == 0
    with pytest.raises(AssignmentError):
        assign_series(school, 3, "2", lessons, [now], actor="t")


def test_we_talked_about_it_counts_once_and_shows_per_class(app, classroom, client):
    school, people = classroom
    lesson = get_library()["talking-with-your-child"]
    [assignment] = assign_series(school, 3, "2", [lesson], [timeutil.utcnow()], actor="t")
    backends = dispatch(app)
    # The Korean-speaking family's message: the outbox's order differs between databases.
    korean = next(sms for sms in backends.sms.outbox if sms.to == people["ko"].phone)
    link = re.search(r"https?://\S+", korean.body).group()
    path = link.replace("http://schoolbell.test", "")
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    token = re.search(r'name="t" value="([^"]+)"', page).group(1)
    for _ in range(2):
        answer = client.post(f"/lessons/{lesson.slug}/talked", data={"t": token})
        assert answer.status_code == 303 and answer.location.endswith("#confirmation")
    later = client.get(path, follow_redirects=True).get_data(as_text=True)  # a later visit says when
    assert "확인했습니다" in later and 'name="t"' not in later
    # The same link cannot confirm a different lesson.
    assert client.post("/lessons/what-is-a-deepfake/talked", data={"t": token}).status_code == 403
    assert client.post(f"/lessons/{lesson.slug}/talked", data={"t": token + "x"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Acknowledgement)) == 1
    [rate] = ack_rates(assignment.alert, AckKind.TALKED, by_class=True)
    assert (rate["grade"], rate["class_name"], rate["reached"], rate["confirmed"]) == (3, "2", 3, 1)


def test_home_tips_come_from_the_remember_section(app):
    lesson = get_library()["what-is-a-deepfake"]
    tips = home_tips(lesson, "ko")
    assert tips.startswith("- ") and "##" not in tips


def test_switching_language_keeps_the_parents_confirmation_button(app, classroom, client):
    school, people = classroom
    lesson = get_library()["talking-with-your-child"]
    assign_series(school, 3, "2", [lesson], [timeutil.utcnow()], actor="t")
    backends = dispatch(app)
    # The Korean-speaking family's message: the outbox's order differs between databases.
    korean = next(sms for sms in backends.sms.outbox if sms.to == people["ko"].phone)
    link = re.search(r"https?://\S+", korean.body).group()
    page = client.get(link.replace("http://schoolbell.test", ""),
                      follow_redirects=True).get_data(as_text=True)
    switch = re.search(r'class="lang-switch" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    switched = client.get(switch).get_data(as_text=True)
    assert 'name="t"' in switched  # the "we talked about it" form is still there
