"""The public lesson pages through the Flask test client: languages, links, headers, print view, errors."""

from __future__ import annotations

import html as html_lib
import logging
import re
from pathlib import Path

import pytest
from markupsafe import escape

from schoolbell.curriculum.lesson_types import LessonLibrary
from schoolbell.curriculum.library import EXTENSION_KEY, get_library, lesson_url
from schoolbell.curriculum.loading import load_lessons

REAL_LESSONS = load_lessons(Path(__file__).resolve().parents[2] / "lessons")
SLUGS = REAL_LESSONS.slugs
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.IGNORECASE)


def page(client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("slug", SLUGS)
def test_every_lesson_renders_in_both_languages(client, slug: str, lang: str) -> None:
    lesson = REAL_LESSONS[slug]
    html = page(client, f"/lessons/{slug}?lang={lang}")
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{escape(lesson.title[lang])}</h1>" in html
    assert str(escape(lesson.summary[lang])) in html


def test_index_groups_lessons_by_audience_in_the_readers_language(client) -> None:
    html = page(client, "/lessons/?lang=ko")
    sections = html.split('<section class="lesson-group">')[1:]
    assert [re.search(r"<h2>(.*?)</h2>", s).group(1) for s in sections] == ["학생", "보호자", "교사"]
    assert re.findall(r"<h3>(.*?)</h3>", sections[0]) == ["초등학생", "중학생", "고등학생"]
    for lesson in REAL_LESSONS:
        assert str(escape(lesson.title["ko"])) in html
    for audience, section in (("parents", sections[1]), ("teachers", sections[2])):
        assert all(str(escape(one.title["ko"])) in section for one in REAL_LESSONS.for_audience(audience))
    english = page(client, "/lessons/?lang=en")
    assert "<h2>Parents</h2>" in english
    assert str(escape(REAL_LESSONS["what-is-a-deepfake"].summary["en"])) in english
    assert 'href="/lessons/what-is-a-deepfake?lang=en"' in english


def test_language_switch_targets_the_same_lesson(client) -> None:
    html = page(client, "/lessons/what-is-a-deepfake?lang=ko")
    switch = re.search(r'<a class="lang-switch" href="([^"]+)"', html).group(1)
    assert switch == "/lessons/what-is-a-deepfake?lang=en"
    english = page(client, switch)
    assert f"<h1>{escape(REAL_LESSONS['what-is-a-deepfake'].title['en'])}</h1>" in english
    assert 'class="lang-switch" href="/lessons/what-is-a-deepfake?lang=ko"' in english


def test_lesson_links_keep_the_language(client) -> None:
    english = page(client, "/lessons/what-is-a-deepfake?lang=en")
    assert 'href="/lessons/deepfakes-and-the-law?lang=en"' in english
    assert "lesson:" not in english


def test_lang_query_sets_a_cookie_that_sticks(client) -> None:
    response = client.get("/lessons/what-is-a-deepfake?lang=en", headers={"Accept-Language": "ko"})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    later = page(client, "/lessons/what-is-a-deepfake", headers={"Accept-Language": "ko"})
    assert '<html lang="en">' in later


def test_no_cookie_without_an_explicit_choice(client) -> None:
    response = client.get("/lessons/what-is-a-deepfake", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Set-Cookie" not in response.headers
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert {"Cookie", "Accept-Language"} <= set(response.vary)


@pytest.mark.parametrize("url", ["/lessons/no-such-lesson", "/lessons/no-such-lesson/print"])
def test_unknown_slug_is_a_friendly_404(client, url: str) -> None:
    response = client.get(url + "?lang=en")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Lesson not found" in html and 'href="/lessons/"' in html


@pytest.mark.parametrize(
    "url", ["/lessons/", "/lessons/what-is-a-deepfake", "/lessons/what-is-a-deepfake/print", "/lessons/x"]
)
def test_lesson_pages_forbid_inline_script(client, url: str) -> None:
    response = client.get(url)
    policy = dict(
        part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert not INLINE_SCRIPT.search(response.get_data(as_text=True))


def test_sources_and_last_checked_date_close_the_lesson(client) -> None:
    lesson = REAL_LESSONS["deepfakes-and-the-law"]
    html = page(client, "/lessons/deepfakes-and-the-law?lang=en")
    sources = html.index('<section class="lesson-sources"><h2>Sources</h2>')
    assert html.index("Where to get help") < sources
    for source in lesson.sources:
        assert html.find(html_lib.escape(source.title, quote=False), sources) > 0
    assert f"Facts last checked: {lesson.last_checked.isoformat()}" in html[sources:]
    korean = page(client, "/lessons/deepfakes-and-the-law?lang=ko")
    assert f"내용 확인일: {lesson.last_checked.isoformat()}" in korean


def test_print_view_has_no_navigation_and_a_script_file_button(client) -> None:
    lesson = REAL_LESSONS["talking-with-your-child"]
    html = page(client, "/lessons/talking-with-your-child/print?lang=ko")
    assert "<nav" not in html and 'class="top"' not in html and "lesson-tools" not in html
    assert f"<h1>{escape(lesson.title['ko'])}</h1>" in html
    assert '<button type="button" class="print-button" data-print hidden>' in html
    assert '<script src="/static/lesson-print.js" defer></script>' in html
    assert "lesson-sources" in html
    assert 'href="/lessons/talking-with-your-child/print?lang=ko"' in page(
        client, "/lessons/talking-with-your-child?lang=ko"
    )


def test_print_script_is_served(client) -> None:
    response = client.get("/static/lesson-print.js")
    assert response.status_code == 200 and b"window.print()" in response.data
    response.close()


def test_lesson_template_leaves_a_place_for_acknowledgement(app) -> None:
    assert "acknowledgement" in app.jinja_env.get_template("lessons/lesson.html").blocks


def test_library_is_loaded_lazily_once_per_app(app, client) -> None:
    assert EXTENSION_KEY not in app.extensions
    page(client, "/lessons/")
    library = app.extensions[EXTENSION_KEY]
    assert isinstance(library, LessonLibrary) and library.slugs == SLUGS
    assert get_library() is library


def test_broken_content_answers_500_with_a_log_line(app, client, lessons_copy: Path, caplog) -> None:
    toml = lessons_copy / "what-is-a-deepfake" / "lesson.toml"
    good = toml.read_text(encoding="utf-8")
    toml.write_text(re.sub(r"^version = \d+$", "version = 0", good, flags=re.M), encoding="utf-8")
    app.config["LESSONS_DIR"] = str(lessons_copy)
    with caplog.at_level(logging.ERROR):
        response = client.get("/lessons/if-it-happens-to-you?lang=en")
    assert response.status_code == 500
    assert "Lessons are unavailable" in response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("flask lessons check" in m and "what-is-a-deepfake/lesson.toml" in m for m in logged)
    assert client.get("/healthz").status_code == 200
    toml.write_text(good, encoding="utf-8")
    assert client.get("/lessons/if-it-happens-to-you").status_code == 200


def test_lesson_url_relative_in_a_request_and_public_outside(app) -> None:
    assert lesson_url("what-is-a-deepfake") == "/lessons/what-is-a-deepfake"
    assert (
        lesson_url("what-is-a-deepfake", lang="en", _external=True)
        == "http://schoolbell.test/lessons/what-is-a-deepfake?lang=en"
    )
    with app.test_request_context("/"):
        assert lesson_url("what-is-a-deepfake", lang="ko") == "/lessons/what-is-a-deepfake?lang=ko"
