"""Staff accounts in the browser's forms: invite by email with a one-time link, roles within scope,
deactivation, and "forgot password" that never says whether an account exists."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from schoolbell.accounts.models import User, UserRole
from schoolbell.delivery.backends import get_backends
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user, post_form, sign_in

GOOD_PASSWORD = "violet tram harbour quietly"


@pytest.fixture
def staff(app):
    first, second = factories.school("7000001"), factories.school("7000002")
    make_user("office@sen.example", UserRole.OFFICE)
    make_user("admin@first.example", UserRole.SCHOOL_ADMIN, school=first)
    make_user("teacher@second.example", UserRole.TEACHER, school=second)
    return {"first": first, "second": second}


def outbox(app):
    for thread in app.extensions.get("schoolbell.account_mail_threads", []):
        thread.join(timeout=10)
    return get_backends(app).email.outbox


def link_in(message) -> str:
    return re.search(r"http://schoolbell\.test(/account/p/\S+)", message.text).group(1)


def test_an_invitee_sets_their_own_password_once_and_signs_in(client, app, staff):
    sign_in(client, "office@sen.example")
    response = post_form(client, "/console/staff/invite", {
        "email": "New.Teacher@School.example", "name": "새 선생님", "role": "teacher",
        "school": "7000001", "classes": "3-2, 3-4"}, page="/console/staff/")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.teacher@school.example"))
    assert [c.label for c in user.classes] == ["3-2", "3-4"] and user.school.code == "7000001"
    [message] = outbox(app)
    assert message.to == "new.teacher@school.example"
    link = link_in(message)
    client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/console/")})
    weak = post_form(client, link, {"password": "password1234", "password_again": "password1234"})
    assert weak.status_code == 400
    done = post_form(client, link, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    assert done.status_code == 200
    assert client.get(link).status_code == 404  # used: it opens nothing again
    assert sign_in(client, "new.teacher@school.example", GOOD_PASSWORD).status_code == 302


def test_an_invitation_expires(client, app, staff, time_machine):
    time_machine.move_to("2026-12-01T09:00+09:00", tick=False)
    sign_in(client, "office@sen.example")
    post_form(client, "/console/staff/invite", {"email": "late@school.example", "name": "늦은",
                                                "role": "teacher", "school": "7000001"},
              page="/console/staff/")
    link = link_in(outbox(app)[0])
    time_machine.move_to("2026-12-04T09:01+09:00", tick=False)
    assert client.get(link).status_code == 404


def test_a_school_administrator_invites_teachers_of_their_school_only(client, app, staff):
    sign_in(client, "admin@first.example")
    refused = post_form(client, "/console/staff/invite", {"email": "boss@x.example", "name": "x",
                                                          "role": "office"}, page="/console/staff/")
    assert refused.status_code == 400
    post_form(client, "/console/staff/invite", {"email": "t@first.example", "name": "교사",
                                                "role": "teacher", "school": "7000002", "classes": "1-1"},
              page="/console/staff/")
    invited = db.session.scalar(select(User).where(User.email == "t@first.example"))
    assert invited.school.code == "7000001"  # their own school, whatever the form said
    other = db.session.scalar(select(User).where(User.email == "teacher@second.example"))
    assert client.get(f"/console/staff/{other.id}").status_code == 404
    assert "teacher@second.example" not in client.get("/console/staff/").get_data(as_text=True)
    office = db.session.scalar(select(User).where(User.email == "office@sen.example"))
    assert client.get(f"/console/staff/{office.id}").status_code == 404


def test_bad_invitations_are_named(client, staff):
    sign_in(client, "office@sen.example")
    for form, words in (({"email": "nope", "name": "x", "role": "teacher", "school": "7000001"}, "Email"),
                        ({"email": "office@sen.example", "name": "x", "role": "office"}, "already"),
                        ({"email": "a@b.example", "name": "x", "role": "teacher", "school": "9999999"},
                         "9999999"),
                        ({"email": "a@b.example", "name": "x", "role": "teacher", "school": "7000001",
                          "classes": "three"}, "three")):
        response = post_form(client, "/console/staff/invite?lang=en", form, page="/console/staff/")
        assert response.status_code == 400 and words in response.get_data(as_text=True), form


def test_deactivation_ends_the_sessions_at_once(client, app, staff):
    other = app.test_client()
    sign_in(other, "teacher@second.example")
    assert other.get("/console/").status_code == 200
    sign_in(client, "office@sen.example")
    teacher = db.session.scalar(select(User).where(User.email == "teacher@second.example"))
    post_form(client, f"/console/staff/{teacher.id}/active", {"active": "0"},
              page=f"/console/staff/{teacher.id}")
    assert other.get("/console/").status_code == 302
    assert sign_in(other, "teacher@second.example").status_code == 401


def test_changing_role_school_and_classes(client, staff):
    sign_in(client, "office@sen.example")
    teacher = db.session.scalar(select(User).where(User.email == "teacher@second.example"))
    path = f"/console/staff/{teacher.id}"
    assert post_form(client, path, {"role": "school_admin", "school": "7000001"}).status_code == 302
    db.session.refresh(teacher)
    assert teacher.role is UserRole.SCHOOL_ADMIN and teacher.school.code == "7000001"


def test_forgot_password_says_the_same_whether_or_not_the_account_exists(client, app, staff):
    known = post_form(client, "/account/forgot", {"email": "office@sen.example"})
    unknown = post_form(client, "/account/forgot", {"email": "nobody@sen.example"})
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r'name="csrf_token" value="[^"]+"')
    assert strip.sub("", known.get_data(as_text=True)) == strip.sub("", unknown.get_data(as_text=True))
    [message] = outbox(app)
    assert message.to == "office@sen.example"
    link = link_in(message)
    chosen = {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD}
    assert post_form(client, link, chosen).status_code == 200
    assert sign_in(client, "office@sen.example", GOOD_PASSWORD).status_code == 302


def test_forgot_password_is_throttled(client, staff):
    answers = [post_form(client, "/account/forgot", {"email": "office@sen.example"}).status_code
               for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_users_create_still_makes_the_first_administrator(runner, staff):
    result = runner.invoke(args=["users", "create", "--email", "first@sen.example", "--name", "처음",
                                 "--role", "office", "--password", GOOD_PASSWORD])
    assert result.exit_code == 0, result.output
