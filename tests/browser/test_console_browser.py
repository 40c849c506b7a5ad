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
    page.check("input[value=talking-with-your-child]")
    page.fill("input[name=grade]", "2")
    page.fill("input[name=class_name]", "3")
    page.fill("input[name=start]", "2030-03-04T09:00")
    page.click("button:has-text('배정하기')")
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
    assert "1/1 (100%)" in page.locator("table.assignments").inner_text()
