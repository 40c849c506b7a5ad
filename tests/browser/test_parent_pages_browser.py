"""A parent on a phone (375 px), in a real Chromium: the link from the outbox, "I have read this", a later
visit, the preference centre (language and channels), and the next alert following the new choices;
a class lesson's "we talked about it". Full-page screenshots of each parent page are kept."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from schoolbell import timeutil
from schoolbell.alerts.models import Delivery
from schoolbell.alerts.services import send_alert
from schoolbell.curriculum.assignments import assign_series
from schoolbell.curriculum.library import get_library
from schoolbell.extensions import db
from tests import factories
from tests.browser.accessibility import axe_violations, overflow, screenshot

pytestmark = pytest.mark.browser


def path_of(body: str) -> str:
    link = re.search(r"https?://\S+", body).group()
    return "/" + link.split("/", 3)[3]


def lands_in_view(page, selector: str) -> None:
    """The element is on screen once the browser has scrolled to the anchor (smoothly, maybe)."""
    page.wait_for_function("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight; }""", arg=selector, timeout=5000)


def check_phone_page(page, name: str) -> None:
    """Nothing scrolls sideways, axe-core finds nothing, and a screenshot is kept."""
    assert overflow(page) <= 0, (name, overflow(page))
    assert axe_violations(page) == [], name
    # From the top (KRDS scrolls smoothly; a full-page shot taken mid-page draws the header mid-page).
    page.evaluate("document.documentElement.style.scrollBehavior = 'auto'; window.scrollTo(0, 0)")
    print(f"screenshot: {screenshot(page, f'parent-{name}-375')}")


def test_a_parent_reads_confirms_and_changes_settings_that_the_next_alert_follows(
        page, live_server, app, dispatcher, backends):
    first, second = factories.school("7400001"), factories.school("7400002")
    parent = factories.person((first, "guardian", 2, "1"), (second, "guardian", 5, "3"))
    factories.person((first, "guardian", 2, "1"))  # a neighbour, so every alert reaches someone
    alert = factories.alert("emergency", {"school_ids": [first.id]},
                            title_ko="긴급 스쿨벨: 딥페이크 성범죄 주의",
                            body_ko="딥페이크 합성물을 만들거나 퍼뜨리거나 보기만 해도 범죄입니다.\n\n"
                                    "의심 게시물은 112·117에 신고해 주세요.")
    alert.lesson_slug = "deepfakes-and-the-law"
    send_alert(alert, "office@sen.example")
    dispatcher.run(until_idle=True)
    sms = next(m for m in backends.sms.outbox if m.to == parent.phone)
    assert sms.body.startswith("[서울시교육청] 긴급 스쿨벨")
    message = live_server + path_of(sms.body)

    page.goto(message)
    assert page.inner_text("h1") == "긴급 스쿨벨: 딥페이크 성범죄 주의"
    assert "서울시교육청" in page.inner_text(".sb-from") and "도움받을 곳" in page.inner_text("main")
    check_phone_page(page, "alert-ko")
    page.emulate_media(media="print")
    assert not page.locator("button.ack-button").is_visible()  # the print has no button
    page.emulate_media(media="screen")

    page.click("button.ack-button")  # no JavaScript involved: a form, a redirect to #confirmation
    assert page.url.endswith("#confirmation")
    confirmation = page.locator("#confirmation .ack-done")
    assert confirmation.is_visible() and "확인했습니다" in confirmation.inner_text()
    lands_in_view(page, "#confirmation .ack-done")  # no jump to the top
    check_phone_page(page, "alert-confirmed-ko")

    page.goto(message)  # a later visit says when, instead of the button again
    assert page.locator("button.ack-button").count() == 0
    assert re.search(r"\d+월 \d+일 오[전후] \d+:\d\d에 확인했습니다", page.inner_text("#confirmation"))

    page.click("text=알림 설정")  # the second tap
    assert page.inner_text("h1") == "알림 설정"
    assert "긴급 알림은 계속 받습니다" in page.inner_text("main")
    check_phone_page(page, "settings-ko")
    page.click("label[for=pref-en]")  # KRDS draws the box on the label
    page.click("label[for=pref-sms]")
    page.click(f"label[for=pref-school-{first.id}]")
    page.click("button[type=submit]")
    assert page.url.endswith("#saved")
    assert "The next message follows these settings" in page.inner_text("#saved")
    check_phone_page(page, "settings-saved-en")

    db.session.expire_all()
    routine = factories.alert("routine", {"roles": ["guardian"]}, title_en="Parents' evening")
    send_alert(routine, "office@sen.example")
    got = db.session.execute(select(Delivery.channel, Delivery.language).where(
        Delivery.alert_id == routine.id, Delivery.contact_id == parent.id)).all()
    assert [(str(channel), language) for channel, language in got] == [("email", "en")]
    dispatcher.run(until_idle=True)
    mail = next(m for m in backends.email.outbox if m.to == parent.email and m.subject == "Parents' evening")
    page.goto(mail.unsubscribe_url.replace("http://schoolbell.test", live_server))  # one tap from the email
    assert page.inner_text("h1") == "Message settings"
    assert page.is_checked("input[name=email]") and not page.is_checked("input[name=sms]")
    check_phone_page(page, "settings-from-email-en")

    page.goto(message)  # the alert page now speaks the parent's new language, and switches back
    assert page.inner_text("h1") == "Deepfake warning"
    assert "Confirmed on" in page.inner_text("#confirmation")
    assert "Where to get help" in page.inner_text("main")
    check_phone_page(page, "alert-en")
    page.click("text=한국어로 보기")
    assert page.inner_text("h1") == "긴급 스쿨벨: 딥페이크 성범죄 주의"


def test_a_parent_confirms_a_class_lesson_from_the_school(page, live_server, app, dispatcher, backends,
                                                        time_machine):
    time_machine.move_to("2026-12-08T06:05:00+00:00", tick=True)  # after the lessons' last check
    school = factories.school("7400003", name="서울가락초등학교")
    parent = factories.person((school, "guardian", 3, "2"), email=None)
    lesson = get_library()["talking-with-your-child"]
    assign_series(school, 3, "2", [lesson], [timeutil.utcnow()], actor="teacher")
    dispatcher.run(until_idle=True)
    sms = next(m for m in backends.sms.outbox if m.to == parent.phone)
    assert sms.body.startswith(f"[서울가락초등학교] {lesson.title['ko']}")
    page.goto(live_server + path_of(sms.body))
    assert page.inner_text("h1") == lesson.title["ko"]
    page.click("button.ack-button")
    assert page.url.endswith("#confirmation")
    assert page.locator("#confirmation .ack-done").is_visible()
    lands_in_view(page, "#confirmation .ack-done")
    check_phone_page(page, "lesson-talked-ko")
