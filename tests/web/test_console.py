"""The console: sign-in, and each role sees only its own office's or school's figures."""

from __future__ import annotations

import pytest

from schoolbell.accounts.models import UserRole
from schoolbell.alerts.acknowledgements import acknowledge
from schoolbell.alerts.models import AckKind, Delivery, DeliveryStatus
from schoolbell.alerts.services import send_alert
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user, post_form, sign_in


@pytest.fixture
def two_schools(app):
    first, second = factories.school("7000001"), factories.school("7000002")
    people = {
        "first-1": factories.person((first, "guardian", 1, "1")),
        "first-2": factories.person((first, "guardian", 1, "2")),
        "second": factories.person((second, "guardian", 1, "1")),
    }
    alert = factories.alert("urgent", {"roles": ["guardian"]})
    send_alert(alert, "office")
    for delivery in db.session.scalars(db.select(Delivery)):
        delivery.status = DeliveryStatus.DELIVERED
    db.session.commit()
    first_delivery = db.session.scalar(db.select(Delivery).where(
        Delivery.contact_id == people["first-1"].id))
    acknowledge(first_delivery, AckKind.READ)
    office = make_user("office@sen.example", UserRole.OFFICE)
    teacher = make_user("teacher@school.example", UserRole.TEACHER, school=first)
    return {"alert": alert, "first": first, "second": second, "office": office, "teacher": teacher}


def test_console_needs_sign_in_and_refuses_wrong_passwords(client, two_schools):
    assert client.get("/console/").status_code == 302
    assert sign_in(client, "office@sen.example", "wrong").status_code == 401
    assert client.get("/console/").status_code == 302
    assert sign_in(client, "office@sen.example").status_code == 302
    assert client.get("/console/").status_code == 200


def test_office_sees_every_school_and_the_failures_file(client, two_schools):
    sign_in(client, "office@sen.example")
    page = client.get(f"/console/alerts/{two_schools['alert'].id}").get_data(as_text=True)
    assert "테스트7000001학교" in page and "테스트7000002학교" in page
    assert "50.0%" in page  # 1 of 2 people at the first school confirmed
    assert client.get(f"/console/alerts/{two_schools['alert'].id}/failures.csv").status_code == 200


def test_teacher_sees_only_their_school_by_class(client, two_schools):
    sign_in(client, "teacher@school.example")
    response = client.get(f"/console/alerts/{two_schools['alert'].id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "테스트7000001학교" in page and "테스트7000002학교" not in page
    assert "1-1" in page and "1-2" in page and "100.0%" in page and "0.0%" in page
    assert client.get(f"/console/alerts/{two_schools['alert'].id}/failures.csv").status_code == 404


def test_teacher_cannot_open_an_alert_for_another_school(client, two_schools):
    other = factories.alert("routine", {"school_ids": [two_schools["second"].id]})
    sign_in(client, "teacher@school.example")
    assert client.get(f"/console/alerts/{other.id}").status_code == 404
    assert f"/console/alerts/{other.id}" not in client.get("/console/").get_data(as_text=True)


def test_login_redirect_stays_on_this_site(client, two_schools):
    response = post_form(client, "/login?next=https://evil.example/", {
        "email": "office@sen.example", "password": "correct horse"}, page="/login")
    assert response.headers["Location"] == "/console/"


def test_the_language_chosen_on_one_page_stays_for_the_next(client, two_schools):
    client.get("/login?lang=en")
    sign_in(client, "office@sen.example")
    assert "New alert" in client.get("/console/").get_data(as_text=True)
    client.get("/console/?lang=ko")
    assert "새 알림" in client.get("/console/").get_data(as_text=True)
