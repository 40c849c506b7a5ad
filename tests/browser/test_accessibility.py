"""Every main page in a real Chromium, in Korean and English, at 375 and 1280 px: axe-core finds nothing,
nothing scrolls sideways on a phone, a Korean page shows no English status word; screenshots are kept."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from schoolbell.accounts.models import UserRole
from schoolbell.alerts.models import Delivery, DeliveryStatus
from schoolbell.alerts.services import send_alert
from schoolbell.extensions import db
from tests import factories
from tests.browser.accessibility import axe_violations, english_words, overflow, screenshot
from tests.browser.conftest import LAUNCH_ARGS
from tests.factories import make_user

pytestmark = pytest.mark.browser
PUBLIC_PAGES = ("home", "lessons", "lesson", "lesson-print", "not-found", "parent-message", "parent-settings",
                "login")
CONSOLE_PAGES = ("dashboard", "alert-sent", "failures", "alert-draft", "compose", "integrations", "schools",
                 "school", "people", "person", "staff", "import", "data-log")
WIDTHS = {"phone": {"width": 375, "height": 740}, "desk": {"width": 1280, "height": 900}}


@pytest.fixture
def office_day(app, dispatcher, backends):
    """An office with a sent emergency (one failure), a draft, and a parent's link from the outbox."""
    school = factories.school("7300001")
    for number in range(3):
        factories.person((school, "guardian", 1, str(number + 1)), email=None)
    sent = factories.alert("emergency", {"roles": ["guardian"]}, title_ko="딥페이크 성범죄 긴급 안내",
                           title_en="Deepfake crime: emergency notice")
    send_alert(sent, "office@sen.example")
    dispatcher.run(until_idle=True)
    failed = db.session.scalar(select(Delivery).order_by(Delivery.id))
    failed.status, failed.error_code, failed.error_reason = DeliveryStatus.FAILED, "30003", "Unreachable"
    db.session.commit()
    draft = factories.alert("routine", {"roles": ["guardian"]}, title_ko="가정통신문", title_en="Newsletter")
    make_user("office@sen.example", UserRole.OFFICE)
    link = re.search(r"https?://\S+", backends.sms.outbox[-1].body).group()
    person = db.session.scalar(select(Delivery.contact_id).order_by(Delivery.id.desc()))
    return {"sent": sent, "draft": draft, "link_path": "/" + link.split("/", 3)[3], "person": person}


def _pages(day) -> dict[str, str]:
    sent, draft = day["sent"].id, day["draft"].id
    return {
        "home": "/", "lessons": "/lessons/", "lesson": "/lessons/talking-with-your-child",
        "lesson-print": "/lessons/talking-with-your-child/print",
        "not-found": "/no-such-page", "parent-message": day["link_path"],
        "parent-settings": day["link_path"] + "/settings",
        "login": "/login", "dashboard": "/console/", "alert-sent": f"/console/alerts/{sent}",
        "failures": f"/console/alerts/{sent}/failures", "alert-draft": f"/console/alerts/{draft}",
        "compose": "/console/alerts/new", "integrations": "/console/integrations/",
        "schools": "/console/directory/", "school": "/console/directory/schools/7300001",
        "people": "/console/directory/people?q=010", "person": f"/console/directory/people/{day['person']}",
        "staff": "/console/staff/", "import": "/console/imports/", "data-log": "/console/directory/audit",
    }


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "office@sen.example")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/.*"))


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_main_page_is_accessible_and_fits_a_phone(chromium_path, live_server, office_day, language):
    from playwright.sync_api import sync_playwright

    problems = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        try:
            for width_name, viewport in WIDTHS.items():
                context = browser.new_context(viewport=viewport, locale=language,
                                              is_mobile=width_name == "phone")
                page = context.new_page()
                pages = _pages(office_day)
                for name in PUBLIC_PAGES:
                    problems.update(_check(page, live_server, name, pages[name], language, width_name))
                _sign_in(page, live_server)
                for name in CONSOLE_PAGES:
                    problems.update(_check(page, live_server, name, pages[name], language, width_name))
                context.close()
        finally:
            browser.close()
    if problems:
        pytest.fail(json.dumps(problems, ensure_ascii=False, indent=1), pytrace=False)


def _check(page, base: str, name: str, path: str, language: str, width: str) -> dict:
    separator = "&" if "?" in path else "?"
    response = page.goto(f"{base}{path}{separator}lang={language}")
    found = {}
    expected = 404 if name == "not-found" else 200
    if response.status != expected:
        found["status"] = response.status
    if page.locator("html").get_attribute("lang") != language:
        found["lang"] = page.locator("html").get_attribute("lang")
    violations = axe_violations(page)
    if violations:
        found["axe"] = violations
    if width == "phone" and overflow(page) > 0:
        found["overflow_px"] = overflow(page)
    if language == "ko" and not name.startswith("lesson") and english_words(page):
        found["english_words"] = english_words(page)
    screenshot(page, f"{name}-{language}-{width}")
    return {f"{name} ({language}, {width})": found} if found else {}
