"""A teacher's assignments: listed per class with dates and confirmation rates, cancelled one at a time
or the rest of a series, and refused clearly for a class that does not exist, a class not theirs, a
lesson for another audience, or a past start."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from schoolbell.accounts.models import UserClass, UserRole
from schoolbell.alerts.models import AlertStatus
from schoolbell.curriculum.models import Assignment
from schoolbell.directory.models import SchoolLevel
from schoolbell.extensions import db
from schoolbell.timeutil import seoul, utcnow
from tests import factories
from tests.factories import make_user, post_form, sign_in

FORM = {"lesson": ["what-is-a-deepfake", "tell-a-trusted-adult", "talking-with-your-child"],
        "grade": "2", "class_name": "3", "start": "2030-03-04T09:00", "repeat": "weekly",
        "confirmed": "1"}


@pytest.fixture
def teacher(app):
    school = factories.school("7000001", SchoolLevel.ELEMENTARY)
    factories.person((school, "guardian", 2, "3"))
    factories.person((school, "guardian", 2, "4"))
    user = make_user("teacher@school.example", UserRole.TEACHER, school=school)
    user.classes = [UserClass(grade=2, class_name="3")]
    db.session.commit()
    return user


def refusal(client, **changes) -> str:
    response = post_form(client, "/console/lessons/?lang=en", {**FORM, **changes}, page="/console/lessons/")
    assert response.status_code == 400, response.get_data(as_text=True)[-3000:]
    assert db.session.scalar(select(Assignment.id)) is None
    return response.get_data(as_text=True)


def test_clear_refusals(client, teacher):
    sign_in(client, "teacher@school.example")
    assert "There is no class 2-9 at" in refusal(client, class_name="9")
    assert "Class 2-4 is not one of yours (2-3)" in refusal(client, class_name="4")
    assert "is written for teachers, not for the families" in refusal(client, lesson=["teachers-first-hour"])
    assert "written for middle school pupils, high school pupils" in refusal(
        client, lesson=["deepfakes-and-the-law"])
    yesterday = (seoul(utcnow()) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert "time has passed: choose a time from now on" in refusal(client, start=yesterday)


def test_cancel_one_then_the_rest_of_a_series(client, teacher):
    sign_in(client, "teacher@school.example")
    assert post_form(client, "/console/lessons/", FORM).status_code == 302
    made = db.session.scalars(select(Assignment).order_by(Assignment.position)).all()
    page = client.get("/console/lessons/?lang=en&class=2-3").get_data(as_text=True)
    assert "2030-03-04 09:00" in page and "lesson 3 of the series" in page
    post_form(client, f"/console/lessons/{made[1].id}/cancel", page="/console/lessons/")
    db.session.expire_all()
    assert [a.alert.status for a in made] == [AlertStatus.SCHEDULED, AlertStatus.CANCELLED,
                                              AlertStatus.SCHEDULED]
    post_form(client, f"/console/lessons/{made[0].id}/cancel", {"rest": "1"}, page="/console/lessons/")
    db.session.expire_all()
    assert all(a.alert.status is AlertStatus.CANCELLED for a in made)


def test_another_teachers_class_cannot_be_cancelled(client, app, teacher):
    sign_in(client, "teacher@school.example")
    post_form(client, "/console/lessons/", FORM)
    other = make_user("other@school.example", UserRole.TEACHER, school=teacher.school)
    other.classes = [UserClass(grade=2, class_name="4")]
    db.session.commit()
    stranger = app.test_client()
    sign_in(stranger, "other@school.example")
    chosen = db.session.scalar(select(Assignment))
    response = post_form(stranger, f"/console/lessons/{chosen.id}/cancel", page="/console/lessons/")
    assert response.status_code == 404
    assert "2030-03-04" not in stranger.get("/console/lessons/").get_data(as_text=True)
    db.session.expire_all()
    assert chosen.alert.status is AlertStatus.SCHEDULED
