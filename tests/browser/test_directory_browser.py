"""The directory, people, staff and import pages in a real Chromium on a phone (375 px) and a desk:
an office finds a parent and shows their phone (logged), invites a teacher who sets their own password,
syncs a school's roster after seeing its counts; every page passes axe-core and fits a phone."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from schoolbell.accounts.models import User, UserClass, UserRole
from schoolbell.alerts.services import send_alert
from schoolbell.delivery.backends import get_backends
from schoolbell.directory.audit import PersonalDataEvent
from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from tests import factories
from tests.browser.accessibility import axe_violations, english_words, overflow, screenshot
from tests.browser.conftest import LAUNCH_ARGS
from tests.factories import make_user

pytestmark = pytest.mark.browser
WIDTHS = {"phone": {"width": 375, "height": 740}, "desk": {"width": 1280, "height": 900}}


@pytest.fixture
def office(app):
    school = factories.school("7000001", name="서울가온초등학교")
    parent = factories.person((school, "guardian", 3, "2"), phone="+821023456789")
    factories.person((school, "guardian", 3, "2"), email=None)
    factories.person((school, "teacher", 3, "2"), phone=None)
    factories.alert("routine", {"roles": ["guardian"]})
    send_alert(factories.alert("routine", {"roles": ["guardian"]}, title_ko="가정통신문"), "office")
    make_user("office@sen.example", UserRole.OFFICE)
    teacher = make_user("teacher@school.example", UserRole.TEACHER, school=school)
    teacher.classes = [UserClass(grade=3, class_name="2")]
    db.session.commit()
    return {"school": school, "parent": parent}


def sign_in(page, base: str, email: str = "office@sen.example", password: str = "correct horse") -> None:
    page.goto(f"{base}/login?lang=ko")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.login button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/.*"))


def fits(page) -> None:
    assert overflow(page) <= 0, f"{page.url} scrolls sideways by {overflow(page)} px"


def test_office_finds_a_parent_and_shows_their_phone_which_is_logged(page, live_server, office):
    sign_in(page, live_server)
    page.goto(f"{live_server}/console/directory/?lang=ko")
    page.fill("input[name=q]", "가온")
    page.click("form[role=search] button")
    page.click("a:has-text('서울가온초등학교')")
    assert "문자 67%" in page.inner_text("main") or "SMS 67%" in page.inner_text("main")
    fits(page)
    page.click("table.sb-classes a:has-text('3-2')")
    fits(page)
    page.click(f"a[href$='/people/{office['parent'].id}']")
    assert "+821023456789" not in page.inner_text("main") and "6789" in page.inner_text("main")
    assert "가정통신문" in page.inner_text("table.sb-received")
    fits(page)
    page.click("button:has-text('전화번호·이메일 보기')")
    assert "+821023456789" in page.inner_text("dd.sb-phone")
    page.goto(f"{live_server}/console/directory/audit?lang=ko")
    assert "전화번호·이메일 표시" in page.inner_text("table.sb-audit")
    fits(page)


def test_office_invites_a_teacher_who_sets_their_own_password(page, live_server, office, app):
    sign_in(page, live_server)
    page.goto(f"{live_server}/console/staff/?lang=ko")
    page.fill("input[name=email]", "new.teacher@school.example")
    page.fill("input[name=name]", "새 선생님")
    page.select_option("select[name=role]", "teacher")
    page.select_option("select[name=school]", "7000001")
    page.fill("input[name=classes]", "3-2")
    page.click("button:has-text('초대 보내기')")
    assert "new.teacher@school.example" in page.inner_text("[role=status]")
    fits(page)
    [message] = get_backends(app).email.outbox
    link = re.search(r"http://schoolbell\.test(\S+)", message.text).group(1)
    page.context.clear_cookies()
    page.goto(f"{live_server}{link}?lang=ko")
    page.fill("input[name=password]", "violet tram harbour quietly")
    page.fill("input[name=password_again]", "violet tram harbour quietly")
    page.click("button:has-text('비밀번호 저장')")
    assert "비밀번호를 정했습니다" in page.inner_text("main")
    sign_in(page, live_server, "new.teacher@school.example", "violet tram harbour quietly")
    page.goto(f"{live_server}/console/directory/schools/7000001?lang=ko")
    assert "3-2" in page.inner_text("table.sb-classes")


def test_a_school_roster_sync_shows_its_counts_before_anything_is_written(page, live_server, office,
                                                                        tmp_path):
    roster = tmp_path / "roster.csv"
    parent = office["parent"]
    roster.write_text("school_code,role,grade,class,name,phone,email\n"
                      f"7000001,guardian,3,2,{parent.name},010-2345-6789,\n"
                      "7000001,guardian,3,2,새가족,010-3000-1234,\n", encoding="utf-8")
    sign_in(page, live_server)
    page.goto(f"{live_server}/console/imports/?lang=ko")
    page.click("label[for=sync-school]")
    page.set_input_files("input[name=file]", str(roster))
    page.click("button:has-text('파일 확인')")
    page.wait_for_selector("p.sb-sync-line")
    assert "추가 1, 변경 0, 빠짐 2" in page.inner_text("p.sb-sync-line")
    assert db.session.scalar(select(Contact).where(Contact.name == "새가족")) is None
    fits(page)
    page.click("button:has-text('가져오기 실행')")
    page.wait_for_selector("text=가져왔습니다.")
    db.session.expire_all()
    assert set(db.session.scalars(select(Contact.name))) == {parent.name, "새가족"}
    actions = db.session.scalars(select(PersonalDataEvent.action)).all()
    assert "import" in actions


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_directory_page_is_accessible_and_fits_a_phone(chromium_path, live_server, office, language,
                                                             tmp_path):
    from playwright.sync_api import sync_playwright

    parent = office["parent"]
    user = db.session.scalar(select(User).where(User.email == "teacher@school.example"))
    pages = {"schools": "/console/directory/", "school": "/console/directory/schools/7000001",
             "class": "/console/directory/schools/7000001/classes/3/2",
             "find": "/console/directory/people?q=사람", "person": f"/console/directory/people/{parent.id}",
             "audit": "/console/directory/audit", "staff": "/console/staff/",
             "staff-edit": f"/console/staff/{user.id}", "import": "/console/imports/"}
    public = {"forgot": "/account/forgot", "expired-link": "/account/p/nothing"}
    problems = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        try:
            for width, viewport in WIDTHS.items():
                context = browser.new_context(viewport=viewport, locale=language, is_mobile=width == "phone")
                page = context.new_page()
                for name, path in public.items():
                    problems.update(_check(page, live_server, name, path, language, width,
                                           404 if name == "expired-link" else 200))
                sign_in(page, live_server)
                for name, path in pages.items():
                    problems.update(_check(page, live_server, name, path, language, width, 200))
                context.close()
        finally:
            browser.close()
    if problems:
        pytest.fail(json.dumps(problems, ensure_ascii=False, indent=1), pytrace=False)


def _check(page, base: str, name: str, path: str, language: str, width: str, expected: int) -> dict:
    separator = "&" if "?" in path else "?"
    response = page.goto(f"{base}{path}{separator}lang={language}")
    found = {}
    if response.status != expected:
        found["status"] = response.status
    violations = axe_violations(page)
    if violations:
        found["axe"] = violations
    if width == "phone" and overflow(page) > 0:
        found["overflow_px"] = overflow(page)
    if language == "ko" and english_words(page):
        found["english_words"] = english_words(page)
    screenshot(page, f"directory-{name}-{language}-{width}")
    return {f"{name} ({language}, {width})": found} if found else {}


def test_a_teacher_cancels_the_rest_of_a_series_on_a_phone(page, live_server, office):
    from datetime import timedelta

    from schoolbell.alerts.models import AlertStatus
    from schoolbell.curriculum.assignments import assign_series
    from schoolbell.curriculum.library import get_library
    from schoolbell.timeutil import utcnow

    library = get_library()
    lessons = [library["what-is-a-deepfake"], library["tell-a-trusted-adult"]]
    start = utcnow() + timedelta(days=7)
    made = assign_series(office["school"], 3, "2", lessons, [start, start + timedelta(days=7)],
                         actor="teacher@school.example")
    sign_in(page, live_server, "teacher@school.example")
    page.goto(f"{live_server}/console/lessons/?lang=ko")
    assert axe_violations(page) == []
    fits(page)
    page.locator("table.assignments tr", has_text="1번째").locator("button[name=rest]").click()
    assert "수업 2개를 취소했습니다" in page.inner_text("[role=status]")
    db.session.expire_all()
    assert [a.alert.status for a in made] == [AlertStatus.CANCELLED, AlertStatus.CANCELLED]


def test_the_office_deletes_a_person_on_request_on_a_phone(page, live_server, office):
    parent_id = office["parent"].id
    sign_in(page, live_server)
    page.goto(f"{live_server}/console/directory/people/{parent_id}?lang=ko")
    page.click("button:has-text('이 사람 삭제')")
    assert "확인란" in page.inner_text("[role=alert]")  # nothing deleted without the tick
    page.click("label[for=confirm-delete]")
    page.click("button:has-text('이 사람 삭제')")
    assert "삭제했습니다" in page.inner_text("[role=status]")
    fits(page)
    db.session.expire_all()
    assert db.session.get(Contact, parent_id) is None
