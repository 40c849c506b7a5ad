"""Compose with guardrails: per-field errors, the school picker, SMS limits, a test send, templates and
the two-person rule, as office staff meet them in the console."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from schoolbell.accounts.models import User, UserRole
from schoolbell.alerts.models import Alert, AlertEvent, AlertStatus, Delivery
from schoolbell.alerts.template_models import AlertTemplate
from schoolbell.delivery.backends import get_backends
from schoolbell.directory.models import EducationOffice, SchoolLevel
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user, post_form, sign_in

FORM = {"alert_class": "urgent", "title_ko": "딥페이크 주의", "body_ko": "의심 게시물은 112에 신고하세요.",
        "title_en": "Deepfake warning", "body_en": "Report suspicious posts to 112.", "role": ["guardian"]}
LONG_KO = "가" * 1500  # 3,000 CP949 bytes: more than one LMS


@pytest.fixture
def office(app, client):
    first = factories.school("7000001", name="서울숲초등학교")
    first.name_en = "Seoul Forest Elementary School"
    second = factories.school("7000002", level=SchoolLevel.MIDDLE, name="광진중학교")
    people = [factories.person((first, "guardian", 1, "1")), factories.person((first, "guardian", 2, "1")),
              factories.person((first, "teacher", 0, "")), factories.person((second, "guardian", 1, "1"))]
    make_user("office@sen.example", UserRole.OFFICE)
    client.get("/login?lang=en")
    sign_in(client, "office@sen.example")
    return {"first": first, "second": second, "people": people}


def compose(client, **fields):
    return post_form(client, "/console/alerts/new", {**FORM, **fields})


def alerts() -> list[Alert]:
    return list(db.session.scalars(select(Alert).order_by(Alert.id)))


def deliveries() -> int:
    return db.session.scalar(select(func.count()).select_from(Delivery))


def events(alert_id: int) -> list[tuple[str, str]]:
    return list(db.session.execute(select(AlertEvent.action, AlertEvent.actor)
                                   .where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id)).all())


@pytest.mark.parametrize(("fields", "field", "english", "korean"), [
    ({"link": "javascript:alert(1)"}, "link", "Only an address starting with https://", "https://"),
    ({"title_ko": "가" * 201}, "title_ko", "200", "200"),
    ({"schools": "7000001 9999999"}, "schools", "9999999", "9999999"),
    ({"grade": ["x"]}, "grade", "Invalid", "올바르지 않은"),
    ({"school": ["J100000001"]}, "school", "J100000001", "J100000001"),  # another office's school
    ({"alert_class": "curriculum"}, "alert_class", "curriculum", "curriculum"),
])
def test_a_bad_field_is_named_beside_it_in_the_readers_language(client, office, fields, field, english,
                                                                 korean):
    for language, expected in (("en", english), ("ko", korean)):
        client.get(f"/console/?lang={language}")
        response = compose(client, **fields)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        error = page.split(f'id="{field}-error"')[1].split("</p>")[0]
        assert expected in error
        assert f'aria-describedby="{field}-error"' in page
    assert alerts() == []


def test_the_picker_finds_schools_by_korean_or_english_name_district_and_level(client, office):
    def found(**query) -> str:
        return client.get("/console/alerts/schools", query_string=query).get_data(as_text=True)

    assert "서울숲초등학교" in found(school_q="서울숲") and "광진중학교" not in found(school_q="서울숲")
    assert "서울숲초등학교" in found(school_q="forest")
    assert "7000001" in found(school_q="7000001")
    middle = found(school_level="middle")
    assert "광진중학교" in middle and "서울숲초등학교" not in middle
    district = office["first"].district_office_id
    assert "광진중학교" in found(school_district=str(district))
    # The people each school adds, for the roles chosen: two guardians, or three with the teacher.
    assert "2 people" in found(school_q="서울숲", role="guardian")
    assert "3 people" in found(school_q="서울숲")
    assert "No school of your office matches" in found(school_q="%")


def test_without_javascript_the_picker_answers_in_the_form_and_a_ticked_school_is_targeted(client, office):
    response = compose(client, find_schools="1", school_q="광진")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and alerts() == []
    assert 'value="7000002"' in page and "광진중학교" in page
    assert 'value="딥페이크 주의"' in page  # what was written is kept
    compose(client, school=["7000002"], schools="7000001")
    assert alerts()[0].target["school_ids"] == [office["second"].id, office["first"].id]


def test_sms_check_counts_as_the_route_does_and_offers_stand_ins(client, office, app):
    app.config["SMS_CARRIER_PREFIX"] = "[국제발신]"  # as Twilio's route into Korea shows it
    def check(body: str, language: str = "ko", title: str = "주의") -> dict:
        token = factories.csrf_token(client, "/console/alerts/new")
        return client.post("/console/alerts/sms-check", json={"language": language, "title": title,
                                                                "body": body, "alert_class": "urgent"},
                           headers={"X-CSRFToken": token}).get_json()

    short = check("신고하세요 🚨 — 112")
    assert short["encoding"] == "UCS-2" and short["level"] == "ok"
    assert [u["character"] for u in short["unsupported"]] == ["🚨", "—"]
    assert [u["replacement"] for u in short["unsupported"]] == ["[!]", "-"]
    assert "[국제발신]" in short["sms"] and "신고하세요" in short["sms"]
    assert check("가" * 300)["level"] == "confirm"
    refused = check(LONG_KO)
    assert refused["level"] == "refuse" and refused["over_lms"] and refused["cp949_bytes"] > 2000
    english = check("Report it.", "en", "Warning")
    assert english["encoding"] == "GSM-7"  # the carrier's Korean prefix is not sent by us
    assert english["sms"].split("\n")[1].startswith(english["sender"] + " Warning")


def test_characters_lost_on_korean_routes_are_replaced_without_javascript(client, office):
    response = compose(client, body_ko="신고하세요 🚨 — 112", replace_unsupported="ko")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and alerts() == []
    assert "신고하세요 [!] - 112" in page


def test_an_sms_over_one_lms_is_refused_on_save_and_on_send(client, office):
    response = compose(client, body_ko=LONG_KO)
    assert response.status_code == 400 and alerts() == []
    assert "more than one LMS" in response.get_data(as_text=True).split('id="body_ko-error"')[1]
    # An alert stored some other way (the CLI, an older version) is still refused at send.
    alert = factories.alert("urgent", body_ko=LONG_KO + " 🚨 <b>")
    page = f"/console/alerts/{alert.id}"
    assert "<mark>🚨</mark> &lt;b&gt;" in client.get(page).get_data(as_text=True)  # marked, escaped
    assert "disabled" in client.get(page).get_data(as_text=True).split("send-now")[1].split(">")[0]
    post_form(client, f"{page}/send", page=page)
    assert "more than one LMS" in client.get(page).get_data(as_text=True)
    db.session.expire_all()
    assert deliveries() == 0 and db.session.get(Alert, alert.id).status is AlertStatus.DRAFT


def test_a_long_sms_goes_only_once_the_sender_confirms(client, office, app):
    app.config["SMS_SEGMENT_WARN"] = 2
    compose(client, body_ko="가" * 200)
    alert = alerts()[0]
    page = f"/console/alerts/{alert.id}"
    assert 'name="confirm_long"' in client.get(page).get_data(as_text=True)
    post_form(client, f"{page}/send", page=page)
    assert "tick the box to confirm" in client.get(page).get_data(as_text=True)
    assert deliveries() == 0
    post_form(client, f"{page}/send", {"confirm_long": "1"}, page=page)
    assert deliveries() > 0


def test_a_test_send_goes_to_my_own_phone_and_email_and_nobody_else(client, office, app):
    compose(client)
    alert = alerts()[0]
    page = f"/console/alerts/{alert.id}"
    post_form(client, f"{page}/test", {"phone": "010-9876-5432", "language": "en"}, page=page)
    assert "Test sent to" in client.get(page).get_data(as_text=True)
    backends = get_backends(app)
    [sms], [email] = backends.sms.outbox, backends.email.outbox
    assert sms.to == "+821098765432" and sms.body.split("\n")[0].endswith("] Deepfake warning")
    assert email.to == "office@sen.example" and email.subject == "[Test] Deepfake warning"
    assert db.session.scalar(select(User.phone).where(User.email == "office@sen.example")) == "+821098765432"
    assert ("test_sent", "office@sen.example") in events(alert.id)
    assert deliveries() == 0
    post_form(client, f"{page}/test", {"phone": "02-123-4567"}, page=page)
    assert "Not a mobile number: 02-123-4567" in client.get(page).get_data(as_text=True)


def test_templates_start_new_alerts_and_past_alerts_can_be_duplicated(client, office):
    response = post_form(client, "/console/alerts/templates", {**FORM, "template_name": "긴급 스쿨벨",
                                                                "school": ["7000001"]},
                         page="/console/alerts/new")
    assert response.status_code == 302 and alerts() == []
    template = db.session.scalars(select(AlertTemplate)).one()
    started = client.get(f"/console/alerts/new?template={template.id}").get_data(as_text=True)
    assert 'value="딥페이크 주의"' in started and 'id="chosen-7000001" checked' in started
    compose(client, title_ko="다른 제목")
    alert = alerts()[0]
    page = f"/console/alerts/{alert.id}"
    post_form(client, f"{page}/save-template", {"template_name": "표준 안내"}, page=page)
    assert {t.name for t in db.session.scalars(select(AlertTemplate))} == {"긴급 스쿨벨", "표준 안내"}
    copy = client.get(f"/console/alerts/new?from={alert.id}").get_data(as_text=True)
    assert 'value="다른 제목"' in copy
    post_form(client, f"/console/alerts/templates/{template.id}/delete", page="/console/alerts/new")
    assert [t.name for t in db.session.scalars(select(AlertTemplate))] == ["표준 안내"]
    for query in ("template=999", "template=99999999999999", "from=99999999999999", "from=x", "template=-1"):
        assert client.get(f"/console/alerts/new?{query}").status_code == 200  # nothing to copy: blank


def test_an_emergency_to_the_whole_office_needs_a_second_persons_approval(app, client, office):
    db.session.get(EducationOffice, office["first"].office_id).two_person_emergency = True
    db.session.commit()
    assert "waits for a colleague's approval" in client.get("/console/alerts/new").get_data(as_text=True)
    compose(client, alert_class="emergency")
    alert = alerts()[0]
    page = f"/console/alerts/{alert.id}"
    html = client.get(page).get_data(as_text=True)
    assert "another office user must approve it" in html
    assert "disabled" in html.split("send-now")[1].split(">")[0]
    post_form(client, f"{page}/send", page=page)
    post_form(client, f"{page}/approve", page=page)  # the author cannot approve their own
    assert "you cannot approve it" in client.get(page).get_data(as_text=True)
    assert deliveries() == 0
    make_user("colleague@sen.example", UserRole.OFFICE)
    post_form(client, f"{page}/request-approval", page=page)
    assert "1 office colleagues were emailed" in client.get(page).get_data(as_text=True)
    [notice] = get_backends(app).email.outbox
    assert notice.to == "colleague@sen.example" and f"/console/alerts/{alert.id}" in notice.text

    colleague = app.test_client()
    colleague.get("/login?lang=en")
    sign_in(colleague, "colleague@sen.example")
    assert "office@sen.example asked for approval" in colleague.get(page).get_data(as_text=True)
    post_form(colleague, f"{page}/approve", page=page)
    assert "Approved by colleague@sen.example" in client.get(page).get_data(as_text=True)
    post_form(client, f"{page}/send", page=page)
    assert deliveries() > 0
    assert [action for action, _actor in events(alert.id)] == [
        "created", "approval_requested", "approved", "sent"]


def test_an_edit_after_approval_needs_a_new_approval_and_a_narrow_emergency_needs_none(app, client, office):
    db.session.get(EducationOffice, office["first"].office_id).two_person_emergency = True
    db.session.commit()
    compose(client, alert_class="emergency", school=["7000001"])
    assert "must approve" not in client.get(f"/console/alerts/{alerts()[0].id}").get_data(as_text=True)
    compose(client, alert_class="emergency")
    alert = alerts()[1]
    page = f"/console/alerts/{alert.id}"
    colleague = app.test_client()
    make_user("colleague@sen.example", UserRole.OFFICE)
    sign_in(colleague, "colleague@sen.example")
    post_form(colleague, f"{page}/approve", page=page)
    post_form(client, f"{page}/edit", {**FORM, "alert_class": "emergency", "body_ko": "바뀐 내용"})
    post_form(client, f"{page}/send", page=page)
    assert deliveries() == 0


def test_test_sends_are_limited_per_person(client, office, app):
    compose(client)
    page = f"/console/alerts/{alerts()[0].id}"
    answers = [post_form(client, f"{page}/test", {"language": "ko"}, page=page).status_code
               for _ in range(11)]
    assert answers == [302] * 10 + [429]
    assert len(get_backends(app).email.outbox) == 10


def test_teachers_cannot_search_schools_check_texts_test_approve_or_keep_templates(app, client, office):
    compose(client)
    alert = alerts()[0]
    client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/console/")})
    make_user("teacher@school.example", UserRole.TEACHER, school=office["first"])
    sign_in(client, "teacher@school.example")
    assert client.get("/console/alerts/schools?school_q=서울").status_code == 404
    token = factories.csrf_token(client, "/console/")
    assert client.post("/console/alerts/sms-check", json={"body": "x"},
                       headers={"X-CSRFToken": token}).status_code == 404
    for action in ("test", "approve", "request-approval", "save-template"):
        assert post_form(client, f"/console/alerts/{alert.id}/{action}", page="/console/").status_code == 404
    assert post_form(client, "/console/alerts/templates", FORM, page="/console/").status_code == 404
    assert get_backends(app).sms.outbox == [] and db.session.scalars(select(AlertTemplate)).all() == []


@pytest.mark.parametrize("query", ["role=bogus", "school_level=bogus", "school_district=abc",
                                   "school_district=99999999999", "school_q=" + "가" * 500, "school_q=%25_"])
def test_any_picker_query_is_answered_never_a_500(client, office, query):
    assert client.get(f"/console/alerts/schools?{query}").status_code == 200


@pytest.mark.parametrize("body", [[1, 2], "text", None, {"title": 5, "body": ["x"], "language": "fr"},
                                  {"alert_class": {"a": 1}}])
def test_any_sms_check_body_is_answered_never_a_500(client, office, body):
    token = factories.csrf_token(client, "/console/alerts/new")
    response = client.post("/console/alerts/sms-check", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["language"] == "ko"
