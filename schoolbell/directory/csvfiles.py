"""Reading Korean public-data CSV files whatever their encoding: UTF-8 (with or without a BOM),
CP949 or UTF-16; one record per line, so one broken row never takes its neighbours with it."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from schoolbell.csv_safety import FORMULA_STARTS, safe_row

SNIFF_BYTES = 256 * 1024
# Binary formats are full of NULs; a text file may carry a stray one, which only its row pays for.
BINARY_NUL_SHARE = 0.05
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is one line meant for the person."""


@dataclass(frozen=True)
class CsvRow:
    """One data row with its line in the file, and what is wrong with it as text, if anything."""

    line: int
    values: dict[str, str]
    # (field, value, reason) when the row cannot be read as written: a broken quote, a control byte.
    problem: tuple[str, str, str] | None = None


def detect_encoding(path: Path) -> str:
    """Name the encoding of a text file: utf-8-sig, utf-16, utf-16-le/-be, utf-8 or cp949."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise ImportFileError(f"{path.name}: the file is empty")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _bomless_utf16(head)
    if utf16:
        return utf16
    first_line = head.split(b"\n", 1)[0]
    if b"\x00" in first_line or head.count(b"\x00") > BINARY_NUL_SHARE * len(head):
        raise ImportFileError(f"{path.name}: not a CSV file (it contains binary data)")
    for encoding in ("utf-8", "cp949"):
        if _decodes(head, encoding):
            return encoding
    raise ImportFileError(f"{path.name}: not a CSV file in UTF-8, CP949 (EUC-KR) or UTF-16")


def _decodes(head: bytes, encoding: str) -> bool:
    try:
        # An incremental decoder tolerates a character cut at the end of the sniffed block.
        codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        return True
    except UnicodeDecodeError:
        return False


def _bomless_utf16(head: bytes) -> str | None:
    """utf-16-le or -be when NULs sit on one side of most byte pairs (digits, commas, Latin)."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2 or 1
    for nuls, other, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nuls > pairs // 4 and other * 20 < nuls and _decodes(head, encoding):
            return encoding
    return None


def count_lines(path: Path) -> int:
    """Count the lines of a file quickly, for a progress bar."""
    lines = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    return lines


def _parse_line(text: str) -> tuple[list[str], int | None]:
    """The cells of one line, and the index of a cell whose quote is never closed."""
    try:
        return next(csv.reader([text], strict=True), []), None
    except csv.Error:
        cells = next(csv.reader([text]), [])
        unclosed = text.count('"') % 2 == 1
        return cells, (len(cells) - 1 if unclosed else None)


def read_header(path: Path) -> tuple[str, list[str]]:
    """Return the encoding and the cleaned header of a CSV file."""
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        try:
            first = handle.readline()
        except UnicodeDecodeError as error:
            raise ImportFileError(f"{path.name}: not a readable CSV file ({error.reason})") from None
    header, unclosed = _parse_line(first)
    if not any(name.strip() for name in header):
        raise ImportFileError(f"{path.name}: the file is empty")
    if unclosed is not None:
        raise ImportFileError(f'{path.name}: line 1: unclosed quote (") in the header')
    return encoding, [name.strip() for name in header]


def _clean(cell: str) -> str:
    """A cell as typed: spaces trimmed, and the quote our own errors files put before a formula
    start taken off again, so a corrected errors file imports as it was."""
    text = cell.strip()
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_STARTS:
        text = text[1:].strip()
    return text


def iter_rows(path: Path, columns: dict[str, str]) -> Iterator[CsvRow]:
    """Yield rows keyed by canonical field name; `columns` maps a header in the file to that name.

    A line is one record: a quote left open is that row's problem, not a reason to read on
    into the next rows (no file we import has a cell spanning lines)."""
    encoding = detect_encoding(path)
    line = 0
    with open(path, encoding=encoding, newline="") as handle:
        try:
            header = [name.strip() for name in _parse_line(handle.readline())[0]]
            line = 1
            positions = [(index, columns[name]) for index, name in enumerate(header)
                         if name in columns]
            for text in handle:
                line += 1
                record, unclosed = _parse_line(text)
                if any(cell.strip() for cell in record):
                    yield _row(line, record, positions, unclosed)
        except UnicodeDecodeError as error:
            where = _first_undecodable_line(path, encoding) or line + 1
            raise ImportFileError(
                f"{path.name}: line {where} is not valid {encoding} ({error.reason})") from None


def _row(line: int, record: list[str], positions: list[tuple[int, str]],
         unclosed: int | None) -> CsvRow:
    values = {field: (_clean(record[index]) if index < len(record) else "")
              for index, field in positions}
    if unclosed is not None:
        field = dict(positions).get(unclosed, f"column {unclosed + 1}")
        return CsvRow(line, values, (field, values.get(field, ""), 'unclosed quote (") in this field'))
    for field, value in values.items():
        control = _CONTROL.search(value)
        if control:
            return CsvRow(line, values, (field, "", f"contains a control character "
                                                    f"(U+{ord(control.group()):04X})"))
    return CsvRow(line, values)


def _first_undecodable_line(path: Path, encoding: str) -> int | None:
    """The line holding the first bytes that do not decode (the text reader reads ahead)."""
    if encoding.startswith("utf-16"):
        return None  # lines are not split on single bytes there
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError:
                return number
    return None


def write_csv(rows: list[dict[str, object]], fieldnames: list[str]) -> str:
    """Render rows as CSV text, every cell safe to open in a spreadsheet (the caller adds a BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(fieldnames))
    writer.writerows(safe_row(row.get(name, "") for name in fieldnames) for row in rows)
    return buffer.getvalue()
