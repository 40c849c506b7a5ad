"""An office watches a send in a real Chromium: the progress reaches 100% and the chart fills, no reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from schoolbell.accounts.models import UserRole
from schoolbell.alerts.services import send_alert
from tests import factories
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_the_alert_page_follows_the_send_to_the_end_without_a_reload(app, page, live_server, dispatcher):
    school = factories.school("7400001")
    for number in range(12):
        factories.person((school, "guardian", 1, str(number % 3 + 1)), email=None)
    alert = factories.alert("emergency", {"roles": ["guardian"]}, title_ko="긴급 안내", title_en="Notice")
    make_user("office@sen.example", UserRole.OFFICE)
    send_alert(alert, "office@sen.example")

    page.goto(f"{live_server}/login?lang=ko")
    page.fill("input[name=email]", "office@sen.example")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.goto(f"{live_server}/console/alerts/{alert.id}")
    assert page.locator(".done-percent").inner_text() == "0.0%"
    assert page.locator(".sb-chart .col").count() == 0
    page.evaluate("window.stillTheSamePage = true")

    dispatcher.run(until_idle=True)  # the 12 SMS go while the page is open

    # expect() polls from Playwright's own script world, which the page's CSP does not govern.
    expect(page.locator(".done-percent")).to_have_text("100.0%", timeout=15_000)
    assert page.evaluate("window.stillTheSamePage === true")  # swapped in place, never reloaded
    assert page.locator(".sb-chart .col").count() >= 1
    assert "12" in page.locator(".sb-legend").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
