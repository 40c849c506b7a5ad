"""Fixtures for the curriculum tests: the real lessons directory and editable copies of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

REAL_LESSONS_DIR = Path(__file__).resolve().parents[2] / "lessons"


@pytest.fixture
def real_lessons_dir() -> Path:
    """The lessons shipped in the repository."""
    return REAL_LESSONS_DIR


@pytest.fixture
def lessons_copy(tmp_path: Path) -> Path:
    """A copy of the real lessons in tmp_path/lessons, safe to break."""
    target = tmp_path / "lessons"
    shutil.copytree(REAL_LESSONS_DIR, target)
    return target


@pytest.fixture
def edit() -> Callable[[Path, Callable[[str], str]], None]:
    """Rewrite a file through a function of its text, failing if nothing changed."""

    def apply(path: Path, change: Callable[[str], str]) -> None:
        before = path.read_text(encoding="utf-8")
        after = change(before)
        assert after != before, f"the edit did not change {path}"
        path.write_text(after, encoding="utf-8")

    return apply
