"""Teachers assign lessons to their own classes from the console; nobody else can."""

from __future__ import annotations

from sqlalchemy import select

from schoolbell.accounts.models import UserRole
from schoolbell.alerts.models import AlertStatus
from schoolbell.curriculum.models import Assignment
from schoolbell.extensions import db
from schoolbell.timeutil import seoul
from tests import factories
from tests.factories import make_user, post_form, sign_in

FORM = {"lesson": ["what-is-a-deepfake", "tell-a-trusted-adult"], "grade": "2", "class_name": "3",
        "start": "2030-03-04T09:00", "repeat": "weekly", "skip_weekends": "on"}


def test_teacher_assigns_a_weekly_series_to_their_class(app, client):
    school = factories.school("7000001")
    for _ in range(2):
        factories.person((school, "guardian", 2, "3"))
    make_user("teacher@school.example", UserRole.TEACHER, school=school)
    sign_in(client, "teacher@school.example")
    assert client.get("/console/lessons/").status_code == 200
    checking = post_form(client, "/console/lessons/?lang=en", FORM, page="/console/lessons/")
    assert "2 lessons to the 2 families of class 2-3" in checking.get_data(as_text=True)
    assert db.session.scalar(select(Assignment)) is None  # nothing until it is confirmed
    response = post_form(client, "/console/lessons/", {**FORM, "confirmed": "1"})
    assert response.status_code == 302
    made = db.session.scalars(select(Assignment).order_by(Assignment.position)).all()
    assert [(a.lesson_slug, a.school_id, a.grade, a.class_name) for a in made] == [
        ("what-is-a-deepfake", school.id, 2, "3"), ("tell-a-trusted-adult", school.id, 2, "3")]
    assert [f"{seoul(a.send_at):%Y-%m-%d %H:%M}" for a in made] == [
        "2030-03-04 09:00", "2030-03-11 09:00"]
    assert all(a.alert.status is AlertStatus.SCHEDULED for a in made)
    page = client.get("/console/lessons/").get_data(as_text=True)
    assert "2030-03-04 09:00" in page and "2-3" in page


def test_a_bad_form_says_what_is_wrong_and_assigns_nothing(app, client):
    school = factories.school("7000001")
    make_user("teacher@school.example", UserRole.TEACHER, school=school)
    sign_in(client, "teacher@school.example")
    response = post_form(client, "/console/lessons/", {**FORM, "lesson": []})
    assert response.status_code == 400 and "lesson" in response.get_data(as_text=True)
    # A grade beyond an integer column's range was a 500 on PostgreSQL.
    huge = post_form(client, "/console/lessons/?lang=ko", {**FORM, "grade": "9" * 12})
    assert huge.status_code == 400 and "학년은 1부터 12까지의 숫자입니다" in huge.get_data(as_text=True)
    assert db.session.scalar(select(Assignment.id)) is None


def test_office_staff_and_strangers_cannot_assign(app, client):
    factories.school("7000001")
    make_user("office@sen.example", UserRole.OFFICE)
    assert post_form(client, "/console/lessons/", FORM, page="/login").status_code == 302  # to sign in
    sign_in(client, "office@sen.example")
    assert post_form(client, "/console/lessons/", FORM, page="/console/").status_code == 404
    assert db.session.scalar(select(Assignment.id)) is None
