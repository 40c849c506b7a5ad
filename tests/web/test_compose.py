"""Office staff compose, preview, send, schedule, cancel and resend alerts in the console."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from schoolbell import timeutil
from schoolbell.accounts.models import UserRole
from schoolbell.alerts.models import Alert, AlertEvent, AlertStatus, Delivery, DeliveryStatus
from schoolbell.extensions import db
from schoolbell.timeutil import seoul
from tests import factories
from tests.factories import make_user, post_form, sign_in

FORM = {"alert_class": "urgent", "title_ko": "딥페이크 주의", "body_ko": "의심 게시물은 112에 신고하세요.",
        "title_en": "Deepfake warning", "body_en": "Report suspicious posts to 112.", "role": ["guardian"]}


@pytest.fixture
def office_signed_in(app, client):
    first, second = factories.school("7000001"), factories.school("7000002")
    people = [factories.person((first, "guardian", 1, "1")), factories.person((first, "guardian", 2, "1")),
              factories.person((second, "guardian", 1, "1")), factories.person((first, "teacher", 0, ""))]
    make_user("office@sen.example", UserRole.OFFICE)
    client.get("/login?lang=en")  # the figures below are read in English
    sign_in(client, "office@sen.example")
    return {"first": first, "second": second, "people": people}


def compose(client, **fields):
    return post_form(client, "/console/alerts/new", {**FORM, **fields})


def only_alert() -> Alert:
    return db.session.scalars(select(Alert)).one()


def deliveries() -> int:
    return db.session.scalar(select(func.count()).select_from(Delivery))


def test_compose_preview_then_send_reaches_exactly_the_target(client, office_signed_in):
    response = compose(client, schools="7000001", grade=["1"])
    alert = only_alert()
    assert response.status_code == 302 and response.headers["Location"] == f"/console/alerts/{alert.id}"
    assert alert.status is AlertStatus.DRAFT and alert.created_by == "office@sen.example"
    assert alert.target == {"school_ids": [office_signed_in["first"].id], "grades": [1],
                            "roles": ["guardian"]}

    page = client.get(f"/console/alerts/{alert.id}").get_data(as_text=True)
    assert "1 people: 1 SMS and 1 emails." in page.replace(",", "")
    assert "UCS-2" in page  # the SMS analysis, per language
    assert deliveries() == 0  # a preview sends nothing

    sent = post_form(client, f"/console/alerts/{alert.id}/send", page=f"/console/alerts/{alert.id}")
    assert sent.status_code == 302
    assert "2 messages queued." in client.get(f"/console/alerts/{alert.id}").get_data(as_text=True)
    db.session.expire_all()
    assert only_alert().status is AlertStatus.SENDING
    reached = set(db.session.scalars(select(Delivery.contact_id)))
    assert reached == {office_signed_in["people"][0].id}
    actions = db.session.execute(select(AlertEvent.action, AlertEvent.actor).order_by(AlertEvent.id)).all()
    assert actions == [("created", "office@sen.example"), ("sent", "office@sen.example")]


def test_a_second_send_is_refused_and_nothing_is_sent_twice(client, office_signed_in):
    compose(client)
    alert_id = only_alert().id
    page = f"/console/alerts/{alert_id}"
    post_form(client, f"{page}/send", page=page)
    first = deliveries()
    post_form(client, f"{page}/send", page="/console/")
    assert deliveries() == first
    assert "only a draft or scheduled alert can be sent" in client.get(page).get_data(as_text=True)


@pytest.mark.parametrize(("fields", "named"), [
    ({"schools": "7000001 9999999"}, "9999999"),
    ({"title_ko": "", "body_ko": "", "title_en": "", "body_en": ""}, "Write a title and a message"),
    ({"alert_class": "curriculum"}, "curriculum"),
    ({"lesson": "no-such-lesson"}, "no-such-lesson"),
])
def test_bad_input_is_named_and_nothing_is_created(client, office_signed_in, fields, named):
    response = compose(client, **fields)
    assert response.status_code == 400
    assert named in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Alert)) == 0


def test_curriculum_is_not_offered_to_authors(client, office_signed_in):
    page = client.get("/console/alerts/new").get_data(as_text=True)
    assert 'value="emergency"' in page and 'value="curriculum"' not in page


def test_schedule_in_seoul_time_then_cancel(client, office_signed_in):
    compose(client)
    alert = only_alert()
    page = f"/console/alerts/{alert.id}"
    when = seoul(timeutil.utcnow() + timedelta(days=2)).replace(hour=9, minute=30, second=0, microsecond=0)
    post_form(client, f"{page}/schedule", {"at": when.strftime("%Y-%m-%dT%H:%M")}, page=page)
    db.session.expire_all()
    scheduled = only_alert()
    assert scheduled.status is AlertStatus.SCHEDULED
    assert seoul(scheduled.send_at) == when
    assert f"{when:%Y-%m-%d} 09:30 KST" in client.get(page).get_data(as_text=True)

    post_form(client, f"{page}/cancel", page=page)
    db.session.expire_all()
    assert only_alert().status is AlertStatus.CANCELLED and deliveries() == 0


def test_a_past_or_missing_time_is_refused(client, office_signed_in):
    compose(client)
    page = f"/console/alerts/{only_alert().id}"
    post_form(client, f"{page}/schedule", {"at": "2020-01-01T09:00"}, page=page)
    assert "has passed" in client.get(page).get_data(as_text=True)
    post_form(client, f"{page}/schedule", {"at": ""}, page=page)
    assert "Choose a date and time" in client.get(page).get_data(as_text=True)
    db.session.expire_all()
    assert only_alert().status is AlertStatus.DRAFT


def test_resend_tries_only_the_failed_again(client, office_signed_in):
    compose(client)
    alert = only_alert()
    page = f"/console/alerts/{alert.id}"
    post_form(client, f"{page}/send", page=page)
    failed = db.session.scalars(select(Delivery).limit(1)).one()
    failed.status, failed.error_code = DeliveryStatus.FAILED, "21211"
    db.session.execute(db.update(Delivery).where(Delivery.id != failed.id)
                       .values(status=DeliveryStatus.SENT))
    db.session.commit()
    assert "Try the failed ones again" in client.get(page).get_data(as_text=True)
    post_form(client, f"{page}/resend", page=page)
    db.session.expire_all()
    assert dict(db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()) \
        == {DeliveryStatus.PENDING: 1, DeliveryStatus.SENT: deliveries() - 1}


def test_teachers_and_other_offices_cannot_compose_or_send(app, client, office_signed_in):
    compose(client)
    alert = only_alert()
    make_user("teacher@school.example", UserRole.TEACHER, school=office_signed_in["first"])
    other = factories.office("J10")
    foreign = Alert(office_id=other.id, alert_class="routine", status=AlertStatus.DRAFT,
                    title_ko="x", body_ko="y", target={}, created_by="someone")
    db.session.add(foreign)
    db.session.commit()
    # Office staff never reach another office's alert.
    assert post_form(client, f"/console/alerts/{foreign.id}/send", page="/console/").status_code == 404
    client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/console/")})
    sign_in(client, "teacher@school.example")
    assert client.get("/console/alerts/new").status_code == 404
    for action in ("send", "cancel", "schedule", "resend"):
        assert post_form(client, f"/console/alerts/{alert.id}/{action}", page="/console/").status_code == 404
    db.session.expire_all()
    assert deliveries() == 0 and only_alert_of(alert.id).status is AlertStatus.DRAFT


def only_alert_of(alert_id: int) -> Alert:
    return db.session.get(Alert, alert_id)


def test_a_send_without_the_pages_csrf_token_is_refused(app, client, office_signed_in):
    compose(client)
    alert = only_alert()
    assert client.post(f"/console/alerts/{alert.id}/send").status_code == 400
    assert client.post(f"/console/alerts/{alert.id}/send", data={"csrf_token": "forged"}).status_code == 400
    # A token from another person's session does not work in this one either.
    stranger = app.test_client()
    make_user("other@sen.example", UserRole.OFFICE)
    sign_in(stranger, "other@sen.example")
    theirs = factories.csrf_token(stranger, "/console/")
    assert client.post(f"/console/alerts/{alert.id}/send", data={"csrf_token": theirs}).status_code == 400
    db.session.expire_all()
    assert deliveries() == 0 and only_alert().status is AlertStatus.DRAFT


def test_a_missing_language_is_flagged_in_the_readers_language(client, office_signed_in):
    compose(client, title_en="", body_en="")
    page = f"/console/alerts/{only_alert().id}"
    assert "No English text: English-speaking recipients will get the Korean text." in \
        client.get(page).get_data(as_text=True)
    assert "영어 내용이 없습니다" in client.get(page + "?lang=ko").get_data(as_text=True)
    assert "No Korean text" not in client.get(page + "?lang=en").get_data(as_text=True)
