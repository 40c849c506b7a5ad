"""Lesson pages in a real Chromium: phone width, language switch, print view, and no injected script."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from schoolbell.curriculum.lesson_types import LessonLibrary
from schoolbell.curriculum.library import EXTENSION_KEY
from schoolbell.curriculum.loading import check_lessons, load_lessons

pytestmark = pytest.mark.browser

REAL_LESSONS = load_lessons(Path(__file__).resolve().parents[2] / "lessons")
SCREENSHOT = Path("/tmp/lesson-ko.png")
# Elements that stick out past the right edge, to say what overflows when the width check fails.
WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')).slice(0, 5)"""


def assert_fits_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, (page.url, width, page.evaluate(WIDE_ELEMENTS))


def test_korean_lesson_fits_a_phone_and_switches_to_english(page, live_server: str) -> None:
    csp_errors: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and csp_errors.append(m.text))
    for slug in REAL_LESSONS.slugs:
        for lang in ("ko", "en"):
            page.goto(f"{live_server}/lessons/{slug}?lang={lang}")
            assert_fits_phone(page)
    for url in ("/lessons/?lang=ko", "/lessons/deepfakes-and-the-law/print?lang=ko"):
        page.goto(live_server + url)
        assert_fits_phone(page)
    lesson = REAL_LESSONS["deepfakes-and-the-law"]  # it has a table, the widest thing a lesson holds
    page.goto(f"{live_server}/lessons/{lesson.slug}?lang=ko")
    assert page.inner_text("h1") == lesson.title["ko"]
    page.screenshot(path=str(SCREENSHOT))
    page.click("a.lang-switch")
    page.wait_for_url(f"{live_server}/lessons/{lesson.slug}?lang=en")
    assert page.inner_text("h1") == lesson.title["en"]
    page.goto(f"{live_server}/lessons/{lesson.slug}")  # the cookie keeps the choice
    assert page.inner_text("h1") == lesson.title["en"]
    assert csp_errors == []


def test_print_view_hides_navigation_and_its_button_in_print(page, live_server: str) -> None:
    page.goto(f"{live_server}/lessons/talking-with-your-child/print?lang=ko")
    button = page.locator("button.print-button")
    assert button.is_visible(), "the static print script did not run"
    assert page.locator("nav").count() == 0
    page.evaluate("window.print = () => { window.__printed = true }")
    button.click()
    assert page.evaluate("window.__printed") is True
    page.emulate_media(media="print")
    assert not button.is_visible() and not page.locator(".print-toolbar").is_visible()
    assert page.locator("h1").is_visible() and page.locator(".lesson-sources").is_visible()
    page.goto(f"{live_server}/lessons/talking-with-your-child?lang=ko")
    navs = page.locator("header nav")
    assert navs.count() == 2
    assert not any(navs.nth(i).is_visible() for i in range(2))
    assert not page.locator(".lesson-tools").is_visible()
    page.emulate_media(media="screen")
    assert all(navs.nth(i).is_visible() for i in range(2)) and page.locator(".lesson-tools").is_visible()


# Raw HTML, which `flask lessons check` refuses; then script hidden where the check lets text through.
RAW_HTML = """\
<img src=x onerror="window.__pwned=1">

<script>window.__pwned=2</script>
"""
ALLOWED_TEXT = """\
Code: `<img src=x onerror="window.__pwned=3">` and [a link](https://example.org "\\"><b onclick=x>").
"""
TAG = "<img src=x onerror=window.__pwned=4>"
SECTIONS = {
    "ko": ("알아볼 내용", "이야기 나누기", "기억할 것", "도움받을 곳"),
    "en": ("What we learn", "Talk it through", "Remember", "Where to get help"),
}


def write_hostile_lesson(root: Path, *, raw_html: bool) -> Path:
    """A lessons folder holding one lesson whose title, summary, source and text try to run script."""
    folder = root / "hostile"
    folder.mkdir(parents=True)
    folder.joinpath("lesson.toml").write_text(
        'slug = "hostile"\nversion = 1\naudiences = ["parents"]\nduration_minutes = 10\n'
        'topics = ["test"]\nlast_checked = 2026-01-01\n'
        f'[title]\nko = "제목 {TAG}"\nen = "Title {TAG}"\n'
        f'[summary]\nko = "요약 {TAG}"\nen = "Summary {TAG}"\n'
        f'[[sources]]\ntitle = "Source {TAG}"\npublisher = "Publisher {TAG}"\ndate = "2026"\n',
        encoding="utf-8",
    )
    text = (RAW_HTML if raw_html else "") + ALLOWED_TEXT
    for lang, sections in SECTIONS.items():
        body = "".join(f"## {name}\n\n{text}\n" for name in sections)
        folder.joinpath(f"{lang}.md").write_text(body, encoding="utf-8")
    return root


def visit_hostile_pages(page, live_server: str) -> None:
    """Open every page that shows the hostile lesson and check no script ran."""
    for lang in ("ko", "en"):
        for url in (f"/lessons/hostile?lang={lang}", f"/lessons/hostile/print?lang={lang}",
                    f"/lessons/?lang={lang}"):
            response = page.goto(live_server + url)
            assert response.status == 200, url
            assert page.evaluate("typeof window.__pwned") == "undefined", url
            assert page.locator("main script, article script, [onerror], [onclick], main img").count() == 0
    assert page.inner_text("h2 + ul a, .lesson-link") == f"Title {TAG}"


def test_injected_script_in_lesson_content_does_not_run(app, page, live_server: str, tmp_path: Path) -> None:
    allowed = write_hostile_lesson(tmp_path / "allowed", raw_html=False)
    app.config["LESSONS_DIR"] = str(allowed)
    visit_hostile_pages(page, live_server)

    raw = write_hostile_lesson(tmp_path / "raw", raw_html=True)
    app.config["LESSONS_DIR"] = str(raw)
    app.extensions.pop(EXTENSION_KEY)
    assert any("raw HTML" in problem.message for problem in check_lessons(raw))
    assert page.goto(f"{live_server}/lessons/hostile?lang=en").status == 500  # raw HTML is never served
    assert page.evaluate("typeof window.__pwned") == "undefined"

    # Served anyway, as if the check had been skipped: the renderer must still neutralise it.
    hostile = load_lessons(allowed)["hostile"]
    bodies = {lang: (raw / "hostile" / f"{lang}.md").read_text(encoding="utf-8") for lang in SECTIONS}
    app.extensions[EXTENSION_KEY] = LessonLibrary((dataclasses.replace(hostile, body_markdown=bodies),))
    visit_hostile_pages(page, live_server)
    page.goto(f"{live_server}/lessons/hostile?lang=en")
    assert "<script>window.__pwned=2</script>" in page.inner_text(".lesson-body")
