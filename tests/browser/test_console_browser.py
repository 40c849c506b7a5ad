"""The console in a real Chromium: a teacher signs in on a phone and assigns a lesson series; a parent
opens their link and says they talked about it; the teacher sees the rate for the class."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from schoolbell.accounts.models import UserRole
from schoolbell.alerts.models import AlertStatus
from schoolbell.alerts.services import send_alert
from schoolbell.curriculum.models import Assignment
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_teacher_assigns_and_sees_the_class_talked_about_it(app, page, live_server, dispatcher, backends):
    school = factories.school("7000001")
    parent = factories.person((school, "guardian", 2, "3"), email=None)
    make_user("teacher@school.example", UserRole.TEACHER, school=school)

    page.goto(f"{live_server}/login?lang=ko")
    page.fill("input[name=email]", "teacher@school.example")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.click("a[href='/console/lessons/']")
    page.goto(f"{live_server}/console/lessons/?lang=ko")
    page.click("label[for=lesson-talking-with-your-child]")
    page.fill("input[name=grade]", "2")
    page.fill("input[name=class_name]", "3")
    page.fill("input[name=start]", "2030-03-04T09:00")
    page.click("form.assign button[type=submit]")
    assert "1개 가정" in page.locator("section.confirm").inner_text()
    page.click("section.confirm button[type=submit]")
    assert page.locator("table.assignments").inner_text().count("2-3") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # The scheduled lesson falls due: send it now, as the scheduler would at its time.
    assignment = db.session.scalar(select(Assignment))
    assert assignment.alert.status is AlertStatus.SCHEDULED
    send_alert(assignment.alert, "scheduler")
    dispatcher.run(until_idle=True)
    [sms] = backends.sms.outbox
    assert sms.to == parent.phone
    link = re.search(r"https?://\S+", sms.body).group().replace("http://schoolbell.test", live_server)

    parent_page = page.context.new_page()
    parent_page.goto(link)
    parent_page.click("button:has-text('아이와 이야기 나눴어요')")
    assert "감사합니다" in parent_page.locator("[role=status]").inner_text()

    page.goto(f"{live_server}/console/lessons/?lang=ko")
    assert "1/1 (100.0%)" in page.locator("table.assignments").inner_text()


def test_office_composes_previews_and_sends_an_alert(app, page, live_server, dispatcher, backends):
    first, second = factories.school("7000001"), factories.school("7000002")
    korean = factories.person((first, "guardian", 1, "1"), email=None)
    english = factories.person((first, "guardian", 3, "2"), email=None, language="en")
    factories.person((second, "guardian", 1, "1"), email=None)  # another school: not targeted
    make_user("office@sen.example", UserRole.OFFICE)

    page.goto(f"{live_server}/login?lang=ko")
    page.fill("input[name=email]", "office@sen.example")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.click("a:has-text('새 알림')")
    page.click("label[for=alert_class-1]")  # KRDS draws the radio on its label
    page.fill("input[name=title_ko]", "딥페이크 주의")
    page.fill("textarea[name=body_ko]", "의심 게시물은 112에 신고하세요.")
    page.fill("input[name=title_en]", "Deepfake warning")
    page.fill("textarea[name=body_en]", "Report suspicious posts to 112.")
    page.fill("textarea[name=schools]", "7000001")
    page.click("button:has-text('저장하고 미리 보기')")

    assert "2명: 문자 2건, 이메일 0건." in page.locator("p.preview-counts").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert backends.sms.outbox == []
    page.click("button:has-text('지금 2명에게 보내기')")
    assert "메시지 2건을 발송 대기열에 넣었습니다." in page.locator("[role=status]").inner_text()
    assert page.locator(".alert-status").inner_text() == "발송 중"

    dispatcher.run(until_idle=True)
    assert {message.to: message.body.split("\n")[0] for message in backends.sms.outbox} == {
        korean.phone: "[서울시교육청] 딥페이크 주의",
        english.phone: "[Seoul Education Office] Deepfake warning"}
    page.reload()
    assert page.locator(".alert-status").inner_text() == "발송 완료"
