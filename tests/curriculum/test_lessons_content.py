"""The real lessons: valid, complete for every audience, and using only checked facts."""

from __future__ import annotations

import re
from pathlib import Path

from schoolbell.curriculum.lesson_types import AUDIENCES, LANGUAGES
from schoolbell.curriculum.loading import check_lessons, load_lessons

# One lesson at least for each required topic (a)-(h) of the brief.
REQUIRED_SLUGS = {
    "deepfakes-and-the-law",  # (a) what deepfakes are, why they are crimes
    "consent-and-sharing-images",  # (b)
    "privacy-and-photo-habits",  # (c)
    "if-it-happens-to-you",  # (d)
    "when-a-friend-is-targeted",  # (e)
    "if-you-caused-harm",  # (f)
    "talking-with-your-child",  # (g)
    "responding-at-school",  # (h)
    "what-is-a-deepfake",  # simple (a) for elementary pupils
    "tell-a-trusted-adult",  # simple (d) for elementary pupils
}
CHECKED_PHONE_NUMBERS = {"02-735-8994", "02-815-0382"}
CHECKED_TEXT_CODES = {"#0117", "#1388"}


def test_real_lessons_have_no_problems(real_lessons_dir: Path) -> None:
    problems = check_lessons(real_lessons_dir)
    assert problems == [], "\n".join(str(problem) for problem in problems)


def test_every_required_lesson_exists(real_lessons_dir: Path) -> None:
    library = load_lessons(real_lessons_dir)
    assert set(library.slugs) >= REQUIRED_SLUGS
    assert len(library) >= 8


def test_every_audience_has_lessons(real_lessons_dir: Path) -> None:
    library = load_lessons(real_lessons_dir)
    for audience in AUDIENCES:
        assert library.for_audience(audience), f"no lesson for {audience}"


def test_guides_for_adults_say_what_to_do_in_order(real_lessons_dir: Path) -> None:
    library = load_lessons(real_lessons_dir)
    for slug in ("talking-with-your-child", "responding-at-school"):
        assert "## 대응 순서" in library[slug].body_markdown["ko"]
        assert "## What to do, in order" in library[slug].body_markdown["en"]


def test_help_numbers_are_only_the_checked_ones(real_lessons_dir: Path) -> None:
    for lesson in load_lessons(real_lessons_dir):
        for lang in LANGUAGES:
            text = lesson.body_markdown[lang]
            phones = set(re.findall(r"\b0\d{1,2}-\d{3,4}-\d{4}\b", text))
            assert phones <= CHECKED_PHONE_NUMBERS, (lesson.slug, lang, phones)
            assert set(re.findall(r"#\d{4}", text)) <= CHECKED_TEXT_CODES, (lesson.slug, lang)
            assert "8894" not in text, "misprinted Center number"


def test_law_lessons_date_the_law_and_link_the_official_text(real_lessons_dir: Path) -> None:
    law_lessons = [lesson for lesson in load_lessons(real_lessons_dir) if "law" in lesson.topics]
    assert law_lessons
    for lesson in law_lessons:
        assert "2024년 개정 기준" in lesson.body_markdown["ko"], lesson.slug
        assert "as amended in 2024" in lesson.body_markdown["en"], lesson.slug
        assert any("law.go.kr" in (source.url or "") for source in lesson.sources), lesson.slug


def test_every_lesson_renders_in_both_languages(real_lessons_dir: Path) -> None:
    for lesson in load_lessons(real_lessons_dir):
        for lang in LANGUAGES:
            page = lesson.html(lang, link_for=lambda slug: f"/lessons/{slug}")
            assert "<h2>" in page
            assert "lesson:" not in page
            assert 'class="lesson-sources"' in page
            assert lesson.last_checked.isoformat() in page
