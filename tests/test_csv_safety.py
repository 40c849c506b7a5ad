"""Spreadsheet-safe CSV cells: what Excel would run as a formula is turned into text."""

from __future__ import annotations

import pytest

from schoolbell.csv_safety import safe_cell, safe_row


@pytest.mark.parametrize("value", ["=1+1", "+821012345678", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
                                   "=HYPERLINK(\"http://evil\",\"x\")"])
def test_formula_starts_are_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["김민지", "010-1234-5678", "minji@example.com", "", " =1",
                                   "a=b", "'=1"])
def test_plain_text_is_left_alone(value):
    assert safe_cell(value) == value


def test_values_of_any_type_become_text():
    assert safe_cell(None) == ""
    assert safe_cell(12) == "12"
    assert safe_cell(-3) == "'-3"
    assert safe_cell(1.5) == "1.5"


def test_safe_row_applies_to_every_cell():
    assert safe_row(["=1", 2, None, "ok"]) == ["'=1", "2", "", "ok"]
    assert safe_row(value for value in ("+1", "-")) == ["'+1", "'-"]
