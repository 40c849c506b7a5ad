"""Browser test harness: Debian's Chromium, driven by Playwright, against the test app on a live port."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PHONE = {"width": 375, "height": 740}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the Chromium binary; skips off CI when it is missing, fails on CI."""
    if CHROMIUM.is_file():
        return str(CHROMIUM)
    if _in_ci():
        pytest.fail(f"CI is set but {CHROMIUM} is missing: run `bash .ci/chromium.sh` first", pytrace=False)
    pytest.skip(f"browser tests need Chromium at {CHROMIUM}; install it with `bash .ci/chromium.sh`")


@pytest.fixture
def page(chromium_path: str):
    """A phone-sized page in a fresh Chromium context.

    Playwright is started per test, not per session: while it runs, its event loop counts as running
    in the main thread, which would break later tests that call asyncio.run().
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
