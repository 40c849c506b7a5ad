"""Compose with guardrails in a real Chromium, on a phone (375 px) and a desktop (1280 px): the school
picker, the live SMS counter refusing an over-long message, a test send, and the two-person rule."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from schoolbell.accounts.models import UserRole
from schoolbell.alerts.models import Alert, AlertEvent
from schoolbell.delivery.backends import get_backends
from schoolbell.directory.models import EducationOffice, SchoolLevel
from schoolbell.extensions import db
from tests import factories
from tests.browser.accessibility import axe_violations, overflow, screenshot
from tests.factories import make_user

pytestmark = pytest.mark.browser
WIDTHS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(params=sorted(WIDTHS))
def width(request, page) -> str:
    page.set_viewport_size(WIDTHS[request.param])
    return request.param


@pytest.fixture
def directory(app):
    forest = factories.school("7000001", name="서울숲초등학교")
    forest.name_en = "Seoul Forest Elementary School"
    other = factories.school("7000002", level=SchoolLevel.MIDDLE, name="광진중학교")
    people = [factories.person((forest, "guardian", 1, "1"), email=None),
              factories.person((forest, "guardian", 2, "1"), email=None),
              factories.person((other, "guardian", 1, "1"), email=None)]
    make_user("office@sen.example", UserRole.OFFICE)
    return {"forest": forest, "other": other, "people": people}


def sign_in(page, live_server: str, email: str = "office@sen.example") -> None:
    page.goto(f"{live_server}/login?lang=ko")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")


def write(page, title_ko="딥페이크 주의", body_ko="의심 게시물은 112에 신고하세요.") -> None:
    page.fill("#title_ko", title_ko)
    page.fill("#body_ko", body_ko)
    page.fill("#title_en", "Deepfake warning")
    page.fill("#body_en", "Report suspicious posts to 112.")


def test_compose_with_the_school_picker(app, page, live_server, directory, width):
    sign_in(page, live_server)
    page.goto(f"{live_server}/console/alerts/new")
    write(page)
    page.fill("#school_q", "forest")  # the English name finds it too, as you type
    result = page.locator("#school-results label[for=found-7000001]")  # KRDS draws the box on the label
    expect(result).to_be_visible(timeout=10_000)
    assert "2명" in page.locator("#school-results").inner_text() or "2 people" in page.locator(
        "#school-results").inner_text()
    result.click()
    expect(page.locator("#chosen-schools input[value='7000001']")).to_be_checked()
    assert overflow(page) <= 0
    assert axe_violations(page) == []
    screenshot(page, f"compose-ko-{width}")
    page.click("#save-button")
    expect(page.locator("p.preview-counts")).to_contain_text("2")
    alert = db.session.scalars(select(Alert)).one()
    assert alert.target["school_ids"] == [directory["forest"].id]
    assert page.locator(".sb-bubble").first.inner_text().count("딥페이크 주의") == 1
    assert overflow(page) <= 0
    assert axe_violations(page) == []
    screenshot(page, f"alert-before-sending-ko-{width}")


def test_the_live_counter_refuses_an_over_long_sms(app, page, live_server, directory, width):
    sign_in(page, live_server)
    page.goto(f"{live_server}/console/alerts/new")
    write(page, body_ko="신고하세요 🚨")
    ko = page.locator(".sb-sms-check[data-language='ko']")
    expect(ko.locator("[data-unsupported-list]")).to_contain_text("🚨")
    expect(page.locator("[data-bubble=ko] mark")).to_have_text("🚨")  # marked where it stands
    ko.locator("[data-replace]").click()
    expect(page.locator("#body_ko")).to_have_value("신고하세요 [!]")
    expect(ko.locator("[data-unsupported]")).to_be_hidden()

    page.fill("#body_ko", "가" * 1500)  # 3,000 CP949 bytes: more than one LMS
    expect(ko).to_have_attribute("data-level", "refuse")
    expect(ko.locator("[data-verdict=refuse]")).to_be_visible()
    expect(page.locator("#save-button")).to_be_disabled()
    assert int(ko.locator("[data-count=cp949_bytes]").inner_text().split("/")[0].replace(",", "")) > 2000
    screenshot(page, f"compose-refused-ko-{width}")
    # The server refuses it too, whatever the page does.
    page.evaluate("document.getElementById('save-button').disabled = false")
    # Until the refused page has loaded, its script listens to nothing: typing earlier went unchecked.
    with page.expect_navigation():
        page.click("#save-button")
    expect(page.locator("#body_ko-error")).to_be_visible()
    assert db.session.scalars(select(Alert)).all() == []

    page.fill("#body_ko", "짧게 고쳤습니다.")
    expect(ko).to_have_attribute("data-level", "ok")
    expect(page.locator("#save-button")).to_be_enabled()


def test_a_test_send_reaches_only_me(app, page, live_server, directory, width):
    alert = factories.alert("urgent", {"roles": ["guardian"]})
    sign_in(page, live_server)
    page.goto(f"{live_server}/console/alerts/{alert.id}")
    page.fill(".sb-test-send input[name=phone]", "010-9876-5432")
    page.click("button.test-send")
    expect(page.locator("[role=status]")).to_contain_text("****5432")
    backends = get_backends(app)
    assert [sms.to for sms in backends.sms.outbox] == ["+821098765432"]
    assert [email.to for email in backends.email.outbox] == ["office@sen.example"]
    assert "딥페이크 주의" in backends.sms.outbox[0].body
    assert page.locator("button.send-now").is_enabled()


def test_two_person_approval(app, page, live_server, directory, width):
    db.session.get(EducationOffice, directory["forest"].office_id).two_person_emergency = True
    db.session.commit()
    make_user("colleague@sen.example", UserRole.OFFICE)
    alert = factories.alert("emergency", {"roles": ["guardian"]})  # the whole office
    db.session.execute(db.update(Alert).values(created_by="office@sen.example"))
    db.session.execute(db.update(AlertEvent).values(actor="office@sen.example"))
    db.session.commit()
    sign_in(page, live_server)
    page.goto(f"{live_server}/console/alerts/{alert.id}")
    expect(page.locator("button.send-now")).to_be_disabled()
    assert page.locator("button.approve").count() == 0  # not for the author
    page.click("button.ask-approval")
    expect(page.locator(".approval-state")).to_contain_text("office@sen.example")
    screenshot(page, f"approval-waiting-ko-{width}")

    colleague = page.context.browser.new_context(viewport=WIDTHS[width]).new_page()
    sign_in(colleague, live_server, "colleague@sen.example")
    colleague.goto(f"{live_server}/console/alerts/{alert.id}")
    colleague.click("button.approve")
    expect(colleague.locator(".approval-state")).to_contain_text("colleague@sen.example")
    colleague.context.close()

    page.reload()
    expect(page.locator("button.send-now")).to_be_enabled()
    page.click("button.send-now")
    expect(page.locator("[role=status]").first).to_be_visible()
    actions = list(db.session.scalars(select(AlertEvent.action).where(AlertEvent.alert_id == alert.id)
                                      .order_by(AlertEvent.id)))
    assert actions == ["created", "approval_requested", "approved", "sent"]


def test_send_stays_disabled_while_the_preview_reaches_nobody(app, page, live_server, directory, width):
    alert = factories.alert("urgent", {"roles": ["staff"]})  # nobody here is school staff
    sign_in(page, live_server)
    page.goto(f"{live_server}/console/alerts/{alert.id}?lang=en")
    expect(page.locator("#reaches-nobody")).to_be_visible()
    send = page.locator("button.send-now")
    expect(send).to_be_disabled()
    assert send.get_attribute("aria-describedby") == "reaches-nobody"
    assert overflow(page) <= 0
    assert axe_violations(page) == []
    screenshot(page, f"alert-reaches-nobody-en-{width}")
    page.goto(f"{live_server}/console/alerts/new?from={alert.id}&lang=en")  # a copy, in English
    expect(page.locator("#title_ko")).to_have_value("딥페이크 주의")
    assert axe_violations(page) == []
    screenshot(page, f"compose-copy-en-{width}")
