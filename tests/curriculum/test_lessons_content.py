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
    "threats-and-sextortion",  # threats to distribute, sextortion (middle and high school)
    "when-your-child-did-it",  # for parents whose child caused harm
    "teachers-first-hour",  # a teacher's checklist for the first hour
    "easy-read-deepfakes",  # the core message in short sentences
}
LESSON_COUNT = 14
CHECKED_PHONE_NUMBERS = {"02-735-8994", "02-815-0382"}
CHECKED_TEXT_CODES = {"#0117", "#1388"}


def test_real_lessons_have_no_problems(real_lessons_dir: Path) -> None:
    problems = check_lessons(real_lessons_dir)
    assert problems == [], "\n".join(str(problem) for problem in problems)


def test_every_required_lesson_exists(real_lessons_dir: Path) -> None:
    library = load_lessons(real_lessons_dir)
    assert set(library.slugs) >= REQUIRED_SLUGS
    assert len(library) == LESSON_COUNT


def test_every_audience_has_lessons(real_lessons_dir: Path) -> None:
    library = load_lessons(real_lessons_dir)
    for audience in AUDIENCES:
        assert library.for_audience(audience), f"no lesson for {audience}"


def test_guides_for_adults_say_what_to_do_in_order(real_lessons_dir: Path) -> None:
    library = load_lessons(real_lessons_dir)
    for slug in ("talking-with-your-child", "responding-at-school", "when-your-child-did-it",
                 "teachers-first-hour"):
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


def test_pupil_lessons_carry_facilitator_notes(real_lessons_dir: Path) -> None:
    pupil_lessons = [lesson for lesson in load_lessons(real_lessons_dir) if lesson.for_pupils]
    assert len(pupil_lessons) >= 10
    for lesson in pupil_lessons:
        notes = lesson.facilitator
        assert notes is not None, lesson.slug
        assert sum(activity.minutes for activity in notes.activities) == lesson.duration_minutes
        assert "신고" in notes.if_a_pupil_discloses["ko"], lesson.slug  # the duty to report
        assert "report" in notes.if_a_pupil_discloses["en"], lesson.slug
        assert "2026" in notes.without_phones["ko"] and "2026" in notes.without_phones["en"]


def test_every_lesson_gives_the_center_with_1366_beside_it(real_lessons_dir: Path) -> None:
    for lesson in load_lessons(real_lessons_dir):
        for lang in LANGUAGES:
            lines = [line for line in lesson.body_markdown[lang].splitlines() if "02-735-8994" in line]
            assert lines, (lesson.slug, lang, "no Center number")
            assert all("1366" in line for line in lines), (lesson.slug, lang)


# Wording the 2026 review corrected; none of it may come back.
RETIRED_WORDING = (
    "입을 맞추", "당신 잘못", "약 833", "about 833", "Since September 2024", "2024년 9월부터, 그것으로",
    "9~18시", "9:00-18:00", "같이 봐 주세요", "look at it with me", "학교 전용 상담", "동의란 그 사람이",
    "list of schools", "학교 명단", "1377** (24", "Threatening or coercing someone with it",
)


def test_corrected_wording_does_not_come_back(real_lessons_dir: Path) -> None:
    for lesson in load_lessons(real_lessons_dir):
        for lang in LANGUAGES:
            text = lesson.body_markdown[lang]
            for retired in RETIRED_WORDING:
                assert retired not in text, (lesson.slug, lang, retired)
            # The commission's old name appears only as "formerly".
            assert not re.search(r"(?<!옛 )방송통신심의위원회", text), (lesson.slug, lang)
            assert not re.search(r"(?<!formerly the )Korea Communications Standards", text), lesson.slug


def test_the_law_lesson_separates_threats_from_coercion(real_lessons_dir: Path) -> None:
    lesson = load_lessons(real_lessons_dir)["deepfakes-and-the-law"]
    ko, en = lesson.body_markdown["ko"], lesson.body_markdown["en"]
    assert "| 그것으로 협박하기 | 제14조의3 | 1년 이상 징역" in ko
    assert "| 제14조의3 | 3년 이상 징역 |" in ko
    assert "| Threatening someone with it | 14-3 | 1 year in prison or more" in en
    assert "| 14-3 | 3 years in prison or more |" in en
    assert "2024년 10월 16일 시행" in ko and "in force since 16 October 2024" in en
    assert "1월 1일" in ko and "1 January" in en


def _sentences(markdown: str, skip_section: str) -> list[str]:
    body = markdown.split(f"## {skip_section}")[0]
    found = []
    for line in body.splitlines():
        line = re.sub(r"^\s*(?:[-*]|\d+\.)\s*", "", line).strip()
        if line and not line.startswith("#"):
            line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line).replace("**", "")
            found += [part for part in re.split(r"(?<=[.?!])\s+", line) if part.strip()]
    return found


def test_easy_read_keeps_sentences_short(real_lessons_dir: Path) -> None:
    lesson = load_lessons(real_lessons_dir)["easy-read-deepfakes"]
    assert set(lesson.audiences) == {"elementary", "parents"}
    for lang, section, limit in (("ko", "도움받을 곳", 35), ("en", "Where to get help", 60)):
        sentences = _sentences(lesson.body_markdown[lang], section)
        assert len(sentences) > 40
        assert [s for s in sentences if len(s) > limit] == [], lang
