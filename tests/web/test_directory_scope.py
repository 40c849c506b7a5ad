"""The directory's pages: each role sees and changes only its own office, school or classes —
tested per endpoint in both directions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from schoolbell.accounts.models import UserClass, UserRole
from schoolbell.directory.audit import PersonalDataEvent
from schoolbell.directory.models import Contact, EducationOffice, School, SchoolLevel
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user, post_form, sign_in


@pytest.fixture
def world(app):
    """Office B10 with two schools (classes 1-1 and 1-2 at the first), and another office J10."""
    first, second = factories.school("7000001", name="서울가온초등학교"), factories.school("7000002")
    other_office = EducationOffice(code="J10", name="경기도교육청")
    db.session.add(other_office)
    db.session.flush()
    elsewhere = School(code="7500001", office_id=other_office.id, name_ko="경기다른학교",
                       level=SchoolLevel.HIGH)
    db.session.add(elsewhere)
    db.session.flush()
    people = {
        "1-1": factories.person((first, "guardian", 1, "1")),
        "1-2": factories.person((first, "guardian", 1, "2")),
        "second": factories.person((second, "guardian", 2, "1")),
    }
    stranger = Contact(office_id=other_office.id, name="다른교육청사람", phone="+821099990000")
    db.session.add(stranger)
    db.session.flush()
    from schoolbell.directory.models import Membership
    db.session.add(Membership(contact_id=stranger.id, school_id=elsewhere.id, role="guardian", grade=1,
                              class_name="1"))
    make_user("office@sen.example", UserRole.OFFICE)
    make_user("admin@first.example", UserRole.SCHOOL_ADMIN, school=first)
    teacher = make_user("teacher@first.example", UserRole.TEACHER, school=first)
    teacher.classes = [UserClass(grade=1, class_name="1")]
    db.session.commit()
    return {"first": first, "second": second, "elsewhere": elsewhere, "people": people,
            "stranger": stranger}


def status(client, path):
    return client.get(path).status_code


def test_office_administrator_sees_their_office_and_nothing_of_another(client, world):
    sign_in(client, "office@sen.example")
    page = client.get("/console/directory/").get_data(as_text=True)
    assert "서울가온초등학교" in page and "7000002" in page and "경기다른학교" not in page
    assert status(client, "/console/directory/schools/7000002") == 200
    assert status(client, "/console/directory/schools/7500001") == 404
    assert status(client, "/console/directory/schools/7500001/classes/1/1") == 404
    assert status(client, f"/console/directory/people/{world['people']['second'].id}") == 200
    assert status(client, f"/console/directory/people/{world['stranger'].id}") == 404
    found = client.get("/console/directory/people?q=010-9999-0000").get_data(as_text=True)
    assert "다른교육청사람" not in found
    parent = world["people"]["1-1"]
    local = "0" + parent.phone[3:]  # +8210… as a parent writes it: 010…
    assert parent.name in client.get(f"/console/directory/people?q={local}").get_data(as_text=True)
    assert status(client, "/console/directory/audit") == 200


def test_school_administrator_sees_their_school_only(client, world):
    sign_in(client, "admin@first.example")
    page = client.get("/console/directory/").get_data(as_text=True)
    assert "서울가온초등학교" in page and "7000002" not in page
    assert status(client, "/console/directory/schools/7000001") == 200
    assert status(client, "/console/directory/schools/7000002") == 404
    assert status(client, "/console/directory/schools/7000002/classes/2/1") == 404
    assert status(client, f"/console/directory/people/{world['people']['1-2'].id}") == 200
    assert status(client, f"/console/directory/people/{world['people']['second'].id}") == 404
    assert status(client, "/console/directory/audit") == 404
    # Export and deletion answer the office's duty, not a school's.
    own = f"/console/directory/people/{world['people']['1-2'].id}"
    assert post_form(client, f"{own}/export", page=own).status_code == 404
    assert post_form(client, f"{own}/delete", {"confirm": "yes"}, page=own).status_code == 404


def test_teacher_sees_their_classes_only(client, world):
    sign_in(client, "teacher@first.example")
    school = client.get("/console/directory/schools/7000001").get_data(as_text=True)
    assert "1-1" in school and "1-2" not in school
    assert status(client, "/console/directory/schools/7000001/classes/1/1") == 200
    assert status(client, "/console/directory/schools/7000001/classes/1/2") == 404
    assert status(client, f"/console/directory/people/{world['people']['1-1'].id}") == 200
    assert status(client, f"/console/directory/people/{world['people']['1-2'].id}") == 404
    assert status(client, "/console/directory/schools/7000002") == 404
    assert status(client, "/console/staff/") == 404
    assert status(client, "/console/imports/") == 404
    reveal = post_form(client, f"/console/directory/people/{world['people']['1-2'].id}/reveal",
                       page=f"/console/directory/people/{world['people']['1-1'].id}")
    assert reveal.status_code == 404


def test_phone_and_email_are_masked_until_shown_and_each_look_is_logged(client, world):
    parent = world["people"]["1-1"]
    sign_in(client, "teacher@first.example")
    path = f"/console/directory/people/{parent.id}"
    page = client.get(path).get_data(as_text=True)
    assert parent.phone not in page and parent.email not in page and parent.phone[-4:] in page
    shown = post_form(client, f"{path}/reveal", page=path)
    assert parent.phone in shown.get_data(as_text=True) and parent.email in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    events = [(e.actor, e.action, e.contact_id) for e in db.session.scalars(
        select(PersonalDataEvent).order_by(PersonalDataEvent.id))]
    assert events[-2:] == [("teacher@first.example", "view", parent.id),
                           ("teacher@first.example", "reveal", parent.id)]


def test_the_school_page_counts_people_by_role_and_reach(client, world):
    first = world["first"]
    factories.person((first, "teacher", 1, "1"), phone=None)  # email only
    factories.person((first, "guardian", 1, "1"), phone=None, email=None)  # unreachable
    db.session.commit()
    sign_in(client, "office@sen.example")
    page = client.get("/console/directory/schools/7000001").get_data(as_text=True)
    assert "4 명" in page or "4명" in page or "4 people" in page
    # 1-1: 3 people: SMS 1 (33%), email 2 (67%), none 1 (33%)
    assert "SMS 33%" in page and "67%" in page


def test_staff_and_the_log_of_another_office_stay_out_of_reach(client, world):
    from schoolbell.accounts.models import User
    from schoolbell.directory.audit import DataAction, record

    office_j10 = world["elsewhere"].office_id
    stranger = User(email="office@goe.example", name="경기", role=UserRole.OFFICE, office_id=office_j10)
    stranger.set_password("correct horse")
    db.session.add(stranger)
    record(office_j10, "office@goe.example", DataAction.REVEAL, "person #999", contact_id=999)
    db.session.commit()
    sign_in(client, "office@sen.example")
    assert status(client, f"/console/staff/{stranger.id}") == 404
    assert "office@goe.example" not in client.get("/console/staff/").get_data(as_text=True)
    own = client.get("/console/staff/")
    response = post_form(client, f"/console/staff/{stranger.id}/active", {"active": "0"},
                         page="/console/staff/")
    assert own.status_code == 200 and response.status_code == 404
    assert "#999" not in client.get("/console/directory/audit").get_data(as_text=True)
    db.session.refresh(stranger)
    assert stranger.active


def test_class_lists_and_searches_are_logged_without_the_searched_value(client, world):
    parent = world["people"]["1-1"]
    sign_in(client, "office@sen.example")
    client.get("/console/directory/schools/7000001/classes/1/1")
    client.get(f"/console/directory/people?q={'0' + parent.phone[3:]}")
    events = db.session.scalars(select(PersonalDataEvent).order_by(PersonalDataEvent.id)).all()
    assert [(e.subject, e.detail["people"]) for e in events] == [("class 1-1 of 7000001", 1),
                                                                 ("search by phone", 1)]
    assert all(parent.phone[-4:] not in str(e.detail) + e.subject for e in events)


def test_the_log_page_words_each_record_in_the_readers_language(client, world):
    parent = world["people"]["1-1"]
    sign_in(client, "office@sen.example")
    client.get("/console/directory/schools/7000001/classes/1/1")
    client.get(f"/console/directory/people?q={'0' + parent.phone[3:]}")
    korean = client.get("/console/directory/audit?lang=ko").get_data(as_text=True)
    assert "7000001 학교 1-1반" in korean and "검색 기준: 전화번호" in korean and "인원 1" in korean
    assert "search by" not in korean and "people=" not in korean
    english = client.get("/console/directory/audit?lang=en").get_data(as_text=True)
    assert "class 1-1 of school 7000001" in english and "search by phone number" in english
