"""Spreadsheet-safe CSV cells: one helper for every CSV the app writes for people to open."""

from __future__ import annotations

from collections.abc import Iterable

# What Excel, LibreOffice and Google Sheets read as the start of a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text, with a leading ' when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[object]) -> list[str]:
    """Every value of a row made safe with safe_cell."""
    return [safe_cell(value) for value in values]
