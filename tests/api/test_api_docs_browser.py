"""/api/docs in a real Chromium: Swagger UI renders the document under the app's CSP, nothing refused."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LAUNCH_ARGS, PHONE, chromium_path  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def page(chromium_path: str):  # noqa: F811
    """A phone-sized page in a fresh Chromium context (as tests/browser does)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        context = browser.new_context(viewport=PHONE)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def test_swagger_ui_shows_the_operations_without_csp_violations(page, live_server):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    external: list[str] = []
    page.on("request", lambda request: external.append(request.url)
            if not request.url.startswith(live_server) else None)
    page.goto(f"{live_server}/api/docs")
    page.get_by_text("/api/v1/alerts/{alert_id}/send").first.wait_for(timeout=15000)
    assert page.get_by_text("SchoolBell API").first.is_visible()
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert external == []  # no CDN, nothing fetched from elsewhere
