"""Reading Korean public-data CSV files whatever their encoding: UTF-8, UTF-8 with a BOM, or CP949."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SNIFF_BYTES = 256 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is one line meant for the person."""


@dataclass(frozen=True)
class CsvRow:
    """One data row with the line it started on in the file."""

    line: int
    values: dict[str, str]


def detect_encoding(path: Path) -> str:
    """Name the encoding of a text file: utf-8-sig, utf-8 or cp949."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise ImportFileError(f"{path.name}: the file is empty")
    if b"\x00" in head:
        raise ImportFileError(f"{path.name}: not a CSV file (it contains binary data)")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp949"):
        try:
            # An incremental decoder tolerates a character cut at the end of the sniffed block.
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{path.name}: not a CSV file in UTF-8 or CP949 (EUC-KR)")


def count_lines(path: Path) -> int:
    """Count the lines of a file quickly, for a progress bar."""
    lines = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    return lines


def read_header(path: Path) -> tuple[str, list[str]]:
    """Return the encoding and the cleaned header of a CSV file."""
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        try:
            header = next(csv.reader(handle))
        except StopIteration:
            raise ImportFileError(f"{path.name}: the file is empty") from None
        except (csv.Error, UnicodeDecodeError) as error:
            raise ImportFileError(f"{path.name}: not a readable CSV file ({error})") from None
    return encoding, [name.strip() for name in header]


def iter_rows(path: Path, columns: dict[str, str]) -> Iterator[CsvRow]:
    """Yield rows keyed by canonical field name; `columns` maps a header in the file to that name."""
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
            positions = [(index, columns[name]) for index, name in enumerate(header)
                         if name in columns]
            line = reader.line_num + 1
            for record in reader:
                if any(cell.strip() for cell in record):
                    values = {field: (record[index].strip() if index < len(record) else "")
                              for index, field in positions}
                    yield CsvRow(line, values)
                line = reader.line_num + 1
        except UnicodeDecodeError as error:
            line = _first_undecodable_line(path, encoding)
            raise ImportFileError(
                f"{path.name}: line {line} is not valid {encoding} ({error.reason})") from None
        except csv.Error as error:
            raise ImportFileError(f"{path.name}: line {reader.line_num}: {error}") from None


def _first_undecodable_line(path: Path, encoding: str) -> int:
    """The line holding the first bytes that do not decode (the text reader reads ahead)."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError:
                return number
    return 0


def write_csv(rows: list[dict[str, str]], fieldnames: list[str]) -> str:
    """Render rows as CSV text (UTF-8 with a BOM is added by the caller when writing a file)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
