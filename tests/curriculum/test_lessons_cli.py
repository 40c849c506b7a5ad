"""`flask lessons check`, `list` and `notes` on a bare Flask app."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from schoolbell.curriculum.cli import lessons_cli
from schoolbell.curriculum.loading import load_lessons


def make_app(lessons_dir: Path | None) -> Flask:
    app = Flask("t")
    if lessons_dir is not None:
        app.config["LESSONS_DIR"] = str(lessons_dir)
    app.cli.add_command(lessons_cli)
    return app


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["lessons", *args])


def test_check_passes_on_the_real_lessons(real_lessons_dir: Path) -> None:
    result = run(make_app(real_lessons_dir), "check")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{len(load_lessons(real_lessons_dir))} lessons OK"


def test_check_fails_with_one_line_per_problem(lessons_copy: Path) -> None:
    (lessons_copy / "what-is-a-deepfake" / "en.md").unlink()
    (lessons_copy / "if-it-happens-to-you" / "ko.md").write_text("", encoding="utf-8")
    result = run(make_app(lessons_copy), "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "lessons/if-it-happens-to-you/ko.md: is empty",
        "lessons/what-is-a-deepfake/en.md: missing (every lesson needs ko.md and en.md)",
    ]
    assert "2 problems found" in result.output


def test_check_dir_option_overrides_config(real_lessons_dir: Path, lessons_copy: Path) -> None:
    (lessons_copy / "what-is-a-deepfake" / "en.md").unlink()
    app = make_app(real_lessons_dir)
    assert run(app, "check", "--dir", str(lessons_copy)).exit_code == 1
    assert run(make_app(lessons_copy), "check", "--dir", str(real_lessons_dir)).exit_code == 0


def test_check_without_a_directory_is_a_usage_error() -> None:
    result = run(make_app(None), "check")
    assert result.exit_code == 2
    assert "LESSONS_DIR" in result.output


def test_list_prints_slugs_audiences_and_titles(real_lessons_dir: Path) -> None:
    result = run(make_app(real_lessons_dir), "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    library = load_lessons(real_lessons_dir)
    assert len(lines) == len(library)
    for line, lesson in zip(lines, library, strict=True):
        assert line.startswith(lesson.slug)
        assert ",".join(lesson.audiences) in line
        assert lesson.title["ko"] in line and lesson.title["en"] in line


@pytest.mark.parametrize("audience", ["elementary", "parents"])
def test_list_filters_by_audience(real_lessons_dir: Path, audience: str) -> None:
    result = run(make_app(real_lessons_dir), "list", "--audience", audience)
    assert result.exit_code == 0
    slugs = [line.split()[0] for line in result.output.splitlines()]
    expected = [lesson.slug for lesson in load_lessons(real_lessons_dir).for_audience(audience)]
    assert slugs == expected


def test_list_refuses_broken_content(lessons_copy: Path) -> None:
    (lessons_copy / "what-is-a-deepfake" / "en.md").unlink()
    result = run(make_app(lessons_copy), "list")
    assert result.exit_code == 1
    assert "lessons/what-is-a-deepfake/en.md: missing" in result.output
    assert "flask lessons check" in result.output


@pytest.mark.parametrize(("lang", "heading"), [("ko", "학생이 털어놓으면:"), ("en", "If a pupil discloses:")])
def test_notes_print_timing_and_safety_notes(real_lessons_dir: Path, lang: str, heading: str) -> None:
    result = run(make_app(real_lessons_dir), "notes", "what-is-a-deepfake", "--lang", lang)
    assert result.exit_code == 0, result.output
    lesson = load_lessons(real_lessons_dir)["what-is-a-deepfake"]
    assert result.output.startswith(lesson.title[lang])
    assert heading in result.output
    for activity in lesson.facilitator.activities:
        assert activity.text[lang] in result.output


def test_notes_for_unknown_or_adult_only_lessons(real_lessons_dir: Path) -> None:
    app = make_app(real_lessons_dir)
    assert "unknown lesson" in run(app, "notes", "nope").output
    adults_only = run(app, "notes", "talking-with-your-child")
    assert adults_only.exit_code == 1 and "no facilitator notes" in adults_only.output
