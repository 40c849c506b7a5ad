"""API test helpers: an office with schools and people, keys of each kind, and a client that sends them."""

from __future__ import annotations

import pytest

from schoolbell.api.keys import create_key
from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db
from tests import factories


def make_key(kind: str = "live", office: EducationOffice | None = None, read_only: bool = False) -> str:
    """A new key's token."""
    _key, token = create_key(office or factories.office(), f"{kind} key", kind, "test", read_only=read_only)
    db.session.commit()
    return token


def auth(token: str, **headers) -> dict:
    """Headers carrying the key."""
    return {"Authorization": f"Bearer {token}", **headers}


@pytest.fixture
def seoul_office(app):
    """Office B10 with two schools, two guardians, a teacher and a staff member who is a console user."""
    office = factories.office()
    first = factories.school("7010001")
    second = factories.school("7010002", name="둘째학교")
    factories.person((first, "guardian", 1, "1"))
    factories.person((second, "guardian", 2, "1"), language="en")
    factories.person((first, "teacher", 1, "1"))
    factories.person((first, "staff", 0, ""), email="office.staff@sen.example", phone=None)
    factories.make_user("office.staff@sen.example", "office")
    db.session.commit()
    return office


@pytest.fixture
def other_office(app, seoul_office):
    """Office J10 (Gyeonggi) with one school and one guardian."""
    from schoolbell.directory.models import Contact, Membership, School

    office = EducationOffice(code="J10", name="경기도교육청")
    db.session.add(office)
    db.session.flush()
    school = School(code="7530001", office_id=office.id, name_ko="경기학교", level="elementary")
    db.session.add(school)
    db.session.flush()
    contact = Contact(office_id=office.id, name="경기보호자", phone="+821090000001", email="j@example.com")
    db.session.add(contact)
    db.session.flush()
    db.session.add(Membership(contact_id=contact.id, school_id=school.id, role="guardian", grade=1,
                              class_name="1"))
    db.session.commit()
    return office


@pytest.fixture
def live_key(seoul_office) -> str:
    """A live key of B10."""
    return make_key("live")


NEW_ALERT = {"class": "urgent", "title_ko": "딥페이크 주의", "body_ko": "의심 게시물은 112에 신고하세요.",
             "title_en": "Deepfake warning", "body_en": "Report suspicious posts to 112."}
