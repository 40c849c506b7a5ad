"""Small builders for tests: an office, schools and people with exactly the traits a test needs."""

from __future__ import annotations

import itertools
import re

from flask import g

from schoolbell.accounts.models import User
from schoolbell.alerts.services import AlertDraft, create_alert
from schoolbell.directory.models import (
    Contact,
    DistrictOffice,
    EducationOffice,
    Membership,
    School,
    SchoolLevel,
)
from schoolbell.extensions import db

_numbers = itertools.count(1)


def office(code: str = "B10") -> EducationOffice:
    """An education office with one district office."""
    found = db.session.query(EducationOffice).filter_by(code=code).one_or_none()
    if found:
        return found
    created = EducationOffice(code=code, name="서울특별시교육청")
    db.session.add(created)
    db.session.flush()
    db.session.add(DistrictOffice(office_id=created.id, name="서울특별시성동광진교육지원청"))
    db.session.flush()
    return created


def school(code: str, level: SchoolLevel = SchoolLevel.ELEMENTARY, name: str | None = None) -> School:
    """A school of the office B10."""
    owner = office()
    district = db.session.query(DistrictOffice).filter_by(office_id=owner.id).first()
    created = School(code=code, office_id=owner.id, district_office_id=district.id,
                     name_ko=name or f"테스트{code}학교", level=level, gu="성동구")
    db.session.add(created)
    db.session.flush()
    return created


def person(*memberships: tuple, phone: str | None = "auto", email: str | None = "auto",
           language: str = "ko", **traits) -> Contact:
    """A person; each membership is (school, role, grade, class_name)."""
    number = next(_numbers)
    contact = Contact(
        office_id=office().id, name=f"사람{number}",
        phone=f"+8210{20000000 + number:08d}" if phone == "auto" else phone,
        email=f"person{number}@example.com" if email == "auto" else email,
        language=language, **traits)
    db.session.add(contact)
    db.session.flush()
    for school_row, role, grade, class_name in memberships:
        db.session.add(Membership(contact_id=contact.id, school_id=school_row.id, role=role,
                                  grade=grade, class_name=class_name))
    db.session.flush()
    return contact


def alert(alert_class: str = "routine", target: dict | None = None, **texts) -> object:
    """A draft alert with Korean and English texts unless told otherwise."""
    draft = AlertDraft(alert_class=alert_class,
                       title_ko=texts.get("title_ko", "딥페이크 주의"),
                       body_ko=texts.get("body_ko", "의심 게시물은 112에 신고하세요."),
                       title_en=texts.get("title_en", "Deepfake warning"),
                       body_en=texts.get("body_en", "Report suspicious posts to 112."),
                       link_url=texts.get("link_url", ""), target=target or {})
    created = create_alert(office(), draft, actor="test-office")
    db.session.commit()
    return created


def make_user(email, role, school=None, password="correct horse"):
    """A console account of the office B10."""
    user = User(email=email, name=email.split("@")[0], role=role, office_id=office().id,
                school_id=school.id if school else None)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, page: str) -> str:
    """The CSRF token in a page's forms, read as a browser would."""
    # The test's app context outlives each request, and Flask-WTF caches the token on `g`: forget
    # it, or a page after sign-in (which clears the session) shows a token the session lacks.
    g.pop("csrf_token", None)
    found = CSRF_FIELD.search(client.get(page).get_data(as_text=True))
    assert found, f"no form with a CSRF token on {page}"
    return found.group(1)


def post_form(client, path: str, data: dict | None = None, page: str | None = None):
    """POST a console form as a browser does: with the token of the page it is on (default: path)."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, page or path)})


def sign_in(client, email, password="correct horse"):
    """Sign in through the login form."""
    return post_form(client, "/login", {"email": email, "password": password})
