"""check_lessons on broken copies of the real lessons: each problem is found and named."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from schoolbell.curriculum.lesson_types import LessonContentError
from schoolbell.curriculum.loading import check_lessons, load_lessons

SLUG = "what-is-a-deepfake"
REAL_TOML = Path(__file__).resolve().parents[2] / "lessons" / SLUG / "lesson.toml"
NEW_SOURCE = REAL_TOML.read_text(encoding="utf-8").count("[[sources]]") + 1  # index of an appended source
TODAY = date(2026, 12, 4)


def toml_line(field: str, value: str):
    """Return an edit replacing the line that sets ``field`` in lesson.toml."""
    return lambda text: re.sub(rf"^{field} = .*$", f"{field} = {value}", text, count=1, flags=re.M)


def messages(directory: Path) -> list[str]:
    return [str(problem) for problem in check_lessons(directory, today=TODAY)]


def only_problem(directory: Path) -> str:
    found = messages(directory)
    assert len(found) == 1, found
    return found[0]


def test_bad_audience_names_file_field_and_allowed_values(lessons_copy, edit) -> None:
    edit(lessons_copy / SLUG / "lesson.toml", toml_line("audiences", '["kids"]'))
    assert only_problem(lessons_copy) == (
        f"lessons/{SLUG}/lesson.toml: audiences: 'kids' is not one of "
        "elementary, middle, high, parents, teachers"
    )


def test_missing_english_body(lessons_copy) -> None:
    (lessons_copy / SLUG / "en.md").unlink()
    problem = only_problem(lessons_copy)
    assert problem.startswith(f"lessons/{SLUG}/en.md: missing")


def test_empty_korean_body(lessons_copy) -> None:
    (lessons_copy / SLUG / "ko.md").write_text("  \n", encoding="utf-8")
    assert only_problem(lessons_copy) == f"lessons/{SLUG}/ko.md: is empty"


def test_missing_section(lessons_copy, edit) -> None:
    edit(lessons_copy / SLUG / "en.md", lambda text: text.replace("## Remember\n", "Remember:\n"))
    assert only_problem(lessons_copy) == (
        f"lessons/{SLUG}/en.md: missing required section '## Remember'"
    )


def test_section_at_the_wrong_level_gets_a_hint(lessons_copy, edit) -> None:
    edit(lessons_copy / SLUG / "ko.md", lambda text: text.replace("## 기억할 것", "### 기억할 것"))
    problem = only_problem(lessons_copy)
    assert "ko.md: missing required section '## 기억할 것' (line" in problem
    assert "uses level 3" in problem


def test_sections_out_of_order(lessons_copy, edit) -> None:
    def swap(text: str) -> str:
        return (
            text.replace("## Talk it through", "## TMP")
            .replace("## What we learn", "## Talk it through")
            .replace("## TMP", "## What we learn")
        )

    edit(lessons_copy / SLUG / "en.md", swap)
    assert "en.md: required sections are out of order" in only_problem(lessons_copy)


def test_empty_section(lessons_copy, edit) -> None:
    edit(
        lessons_copy / SLUG / "en.md",
        lambda text: text.split("## Where to get help")[0] + "## Where to get help\n",
    )
    assert "en.md: line" in only_problem(lessons_copy)
    assert "section '## Where to get help' is empty" in only_problem(lessons_copy)


def test_broken_lesson_link(lessons_copy, edit) -> None:
    edit(lessons_copy / SLUG / "ko.md", lambda text: text + "\n[더 보기](lesson:no-such-lesson)\n")
    problem = only_problem(lessons_copy)
    assert problem.startswith(f"lessons/{SLUG}/ko.md: line ")
    assert "link 'lesson:no-such-lesson' points to no lesson" in problem


def test_link_with_unknown_scheme(lessons_copy, edit) -> None:
    edit(lessons_copy / SLUG / "en.md", lambda text: text + "\n[x](lessons:typo)\n")
    assert "en.md: line" in only_problem(lessons_copy)
    assert "'lessons:typo' must start with one of" in only_problem(lessons_copy)


def test_raw_html_in_content(lessons_copy, edit) -> None:
    edit(lessons_copy / SLUG / "en.md", lambda text: text + "\n<script>alert(1)</script>\n")
    problem = only_problem(lessons_copy)
    assert "en.md: line" in problem
    assert "raw HTML is not allowed" in problem
    assert "<script>" in problem


def test_level_one_heading(lessons_copy, edit) -> None:
    edit(lessons_copy / SLUG / "ko.md", lambda text: "# 제목\n\n" + text)
    assert "ko.md: line 1: level-1 heading '제목' is not allowed" in only_problem(lessons_copy)


def test_future_last_checked(lessons_copy, edit) -> None:
    edit(lessons_copy / SLUG / "lesson.toml", toml_line("last_checked", "2026-12-05"))
    assert only_problem(lessons_copy) == (
        f"lessons/{SLUG}/lesson.toml: last_checked: 2026-12-05 is in the future"
    )


def test_last_checked_must_be_a_toml_date(lessons_copy, edit) -> None:
    edit(lessons_copy / SLUG / "lesson.toml", toml_line("last_checked", '"2026-12-03"'))
    assert "lesson.toml: last_checked: '2026-12-03' must be a TOML date" in only_problem(
        lessons_copy
    )


def test_missing_sources(lessons_copy, edit) -> None:
    edit(lessons_copy / SLUG / "lesson.toml", lambda text: re.sub(r"\[\[sources\]\]\n(?:\w.*\n)*", "", text))
    assert only_problem(lessons_copy) == (
        f"lessons/{SLUG}/lesson.toml: sources: at least one [[sources]] entry is required"
    )


def test_source_needs_title_publisher_and_url_or_date(lessons_copy, edit) -> None:
    bad_source = '\n[[sources]]\ntitle = ""\nurl = "http://example.org"\n'
    edit(lessons_copy / SLUG / "lesson.toml", lambda text: text + bad_source)
    found = "\n".join(messages(lessons_copy))
    assert f"lesson.toml: sources[{NEW_SOURCE}].title: required text is missing" in found
    assert f"lesson.toml: sources[{NEW_SOURCE}].publisher: required text is missing" in found
    assert f"lesson.toml: sources[{NEW_SOURCE}].url: 'http://example.org' must start with https://" in found


def test_source_without_url_needs_a_date(lessons_copy, edit) -> None:
    source = '\n[[sources]]\ntitle = "A report"\npublisher = "An outlet"\n'
    edit(lessons_copy / SLUG / "lesson.toml", lambda text: text + source)
    assert f"sources[{NEW_SOURCE}]: give a url, or a date" in only_problem(lessons_copy)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (toml_line("slug", '"another-slug"'), "slug: 'another-slug' does not match the directory"),
        (toml_line("slug", '"Bad Slug"'), "slug: 'Bad Slug' must be lowercase"),
        (toml_line("version", "0"), "version: 0 must be at least 1"),
        (toml_line("version", '"1"'), "version: '1' must be a whole number"),
        (toml_line("duration_minutes", "500"), "duration_minutes: 500 must be between 1 and 180"),
        (toml_line("audiences", "[]"), "audiences: must be a non-empty list of strings"),
        (
            toml_line("audiences", '["middle", "middle"]'),
            "audiences: 'middle' is listed more than once",
        ),
        (toml_line("topics", '["Deep Fake"]'), "topics: 'Deep Fake' must be lowercase"),
        (lambda text: re.sub(r"^version = .*\n", "", text, flags=re.M), "version: required"),
        (lambda text: "colour = 1\n" + text, "unknown field 'colour'"),
        (lambda text: re.sub(r'^en = ".*"\n', "", text, count=1, flags=re.M), "title.en: missing"),
        (
            lambda text: re.sub(
                r'^(ko = ".*)"$', r"\1" + "가" * 200 + '"', text, count=1, flags=re.M
            ),
            "characters, at most 80",
        ),
        (lambda text: text.replace("[summary]", "[summary]\njp = 'x'"), "unknown language 'jp'"),
        (lambda text: text + "\nnot toml = = =\n", "cannot be read"),
    ],
)
def test_metadata_problems(lessons_copy, edit, change, expected) -> None:
    edit(lessons_copy / SLUG / "lesson.toml", change)
    found = messages(lessons_copy)
    assert found, "no problem reported"
    assert all(message.startswith(f"lessons/{SLUG}/lesson.toml: ") for message in found), found
    assert any(expected in message for message in found), found


def test_problems_carry_the_slug(lessons_copy) -> None:
    (lessons_copy / SLUG / "en.md").unlink()
    (problem,) = check_lessons(lessons_copy, today=TODAY)
    assert (problem.slug, problem.file) == (SLUG, f"lessons/{SLUG}/en.md")


def test_missing_metadata_file(lessons_copy) -> None:
    (lessons_copy / SLUG / "lesson.toml").unlink()
    assert only_problem(lessons_copy) == f"lessons/{SLUG}/lesson.toml: missing"


def test_missing_and_empty_directories(tmp_path: Path) -> None:
    assert "does not exist" in str(check_lessons(tmp_path / "nowhere")[0])
    assert "no lessons found" in str(check_lessons(tmp_path)[0])


def test_load_lessons_refuses_broken_content(lessons_copy) -> None:
    (lessons_copy / SLUG / "en.md").unlink()
    with pytest.raises(LessonContentError) as raised:
        load_lessons(lessons_copy, today=TODAY)
    assert [problem.file for problem in raised.value.problems] == [f"lessons/{SLUG}/en.md"]
    assert f"lessons/{SLUG}/en.md: missing" in str(raised.value)


def test_library_lookup(lessons_copy) -> None:
    library = load_lessons(lessons_copy, today=TODAY)
    lesson = library[SLUG]
    assert SLUG in library and "nope" not in library
    assert library.get("nope") is None
    assert lesson.title["ko"] and lesson.summary["en"] and lesson.sources
    assert lesson.last_checked <= TODAY
    with pytest.raises(KeyError):
        library["nope"]


def without_facilitator(text: str) -> str:
    return text.split("\n[[facilitator.activities]]")[0] + "\n"


def test_pupil_lesson_without_facilitator_notes_fails(lessons_copy, edit) -> None:
    edit(lessons_copy / SLUG / "lesson.toml", without_facilitator)
    assert only_problem(lessons_copy).startswith(
        f"lessons/{SLUG}/lesson.toml: facilitator: a lesson for pupils needs facilitator notes"
    )


def test_lessons_for_adults_only_need_no_notes(lessons_copy) -> None:
    toml = lessons_copy / "talking-with-your-child" / "lesson.toml"
    assert "[facilitator" not in toml.read_text(encoding="utf-8")
    assert messages(lessons_copy) == []


def test_activity_minutes_must_add_up_to_the_duration(lessons_copy, edit) -> None:
    edit(lessons_copy / SLUG / "lesson.toml", lambda text: text.replace("minutes = 5\n", "minutes = 6\n", 1))
    assert only_problem(lessons_copy) == (
        f"lessons/{SLUG}/lesson.toml: facilitator.activities: the minutes add up to 21, "
        "but duration_minutes is 20"
    )


def test_notes_are_loaded_with_the_lesson(lessons_copy) -> None:
    lesson = load_lessons(lessons_copy, today=TODAY)[SLUG]
    assert lesson.for_pupils and lesson.facilitator is not None
    assert lesson.facilitator.activities[0].minutes == 5
    assert lesson.facilitator.activities[0].text["en"]
    assert lesson.facilitator.if_a_pupil_discloses["ko"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda text: re.sub(r"\[facilitator\.if_a_pupil_discloses\]\nko = .*\nen = .*\n", "", text),
            "facilitator.if_a_pupil_discloses: required notes are missing",
        ),
        (
            lambda text: re.sub(r"(\[facilitator\.without_phones\]\nko = .*\n)en = .*\n", r"\1", text),
            "facilitator.without_phones.en: missing or empty",
        ),
        (
            lambda text: text.replace("\nminutes = 5\n", "\nphone = 1\nminutes = 5\n", 1),
            "facilitator.activities[1]: unknown field 'phone'",
        ),
        (
            lambda text: text.replace("minutes = 5\n", "minutes = 0\n", 1),
            "facilitator.activities[1].minutes: 0 must be between 1 and 180",
        ),
        (
            lambda text: re.sub(r"\[\[facilitator\.activities\]\]\n(?:\w.*\n)*\n?", "", text),
            "facilitator.activities: give each timed activity",
        ),
        (
            lambda text: text + "\n[facilitator.extra]\nko = 'x'\nen = 'x'\n",
            "facilitator: unknown field 'extra'",
        ),
    ],
)
def test_facilitator_problems(lessons_copy, edit, change, expected) -> None:
    edit(lessons_copy / SLUG / "lesson.toml", change)
    found = messages(lessons_copy)
    assert any(expected in message for message in found), found
