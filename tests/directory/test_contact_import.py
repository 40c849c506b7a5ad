"""Importing people: every good row goes in, every bad row is named, and re-import changes nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from schoolbell.directory.models import Contact, Membership
from schoolbell.extensions import db

HEADER = ["school_code", "role", "grade", "class", "name", "phone", "email", "language", "consent"]
GOOD_ROWS = [
    ["7134150", "guardian", "3", "2", "김민지", "010-2345-6789", "minji@example.com", "ko", ""],
    ["7134142", "guardian", "1", "4", "김민지", "01023456789", "", "ko", ""],  # same parent
    ["7134150", "teacher", "3", "2", "Jane Park", "+82 10 3456 7890", "", "en", "sms"],
    ["7134150", "guardian", "3", "2", "이서준", "", "seojun@example.com", "", "email"],
]
BAD_ROWS = [
    ["9999999", "guardian", "1", "1", "박하늘", "010-1111-2222", "", "ko", ""],
    ["7134150", "uncle", "1", "1", "박하늘", "010-1111-3333", "", "ko", ""],
    ["7134150", "guardian", "1", "1", "박하늘", "02-12", "", "ko", ""],
    ["7134150", "guardian", "1", "1", "박하늘", "", "not-an-email", "ko", ""],
    ["7134150", "guardian", "1", "1", "", "010-1111-4444", "", "ko", ""],
    ["7134150", "guardian", "1", "1", "박하늘", "010-1111-5555", "", "fr", ""],
    ["7134150", "guardian", "1", "1", "박하늘", "", "", "ko", ""],
]


def write_contacts(path: Path, rows: list[list[str]], encoding: str = "utf-8",
                   header: list[str] = HEADER) -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def schools(runner, school_data):
    result = runner.invoke(args=["schools", "import",
                                 str(school_data / "neis_schoolinfo_seoul_2022-07-31.csv")])
    assert result.exit_code == 0, result.output


def import_json(runner, path: Path, *extra: str) -> dict:
    """The --json summary; the exit code is 0 only when no row was rejected."""
    result = runner.invoke(args=["contacts", "import", str(path), "--json", *extra])
    summary = json.loads(result.output)
    assert result.exit_code == (3 if summary["rejected"] else 0), result.output
    return summary


def directory() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(select(
        Contact.name, Contact.phone, Contact.email, Contact.language, Contact.sms_consent,
        Contact.email_consent, Membership.role, Membership.grade, Membership.class_name,
        Membership.school_id).join(Membership.contact).order_by(Membership.id))]


def test_good_rows_go_in_and_each_bad_row_is_named(schools, runner, tmp_path):
    path = write_contacts(tmp_path / "contacts.csv", GOOD_ROWS + BAD_ROWS)
    summary = import_json(runner, path, "--errors", str(tmp_path / "errors.csv"))
    assert (summary["imported"], summary["updated"], summary["unchanged"], summary["rejected"]) \
        == (4, 0, 0, 7)
    problems = {(p["line"], p["field"]): p["reason"] for p in summary["problems"]}
    assert problems == {
        (6, "school_code"): "unknown school code",
        (7, "role"): "unknown role; use guardian, teacher, student or staff",
        (8, "phone"): "not a valid phone number",
        (9, "email"): "An email address must have an @-sign.",
        (10, "name"): "required value is missing",
        (11, "language"): "unknown language; use ko or en",
        (12, "phone"): "a phone or an email is required",
    }
    kim = db.session.scalar(select(Contact).where(Contact.phone == "+821023456789"))
    assert kim.email == "minji@example.com"
    teacher = db.session.scalar(select(Contact).where(Contact.phone == "+821034567890"))
    assert teacher.language == "en" and teacher.sms_consent and not teacher.email_consent
    lee = db.session.scalar(select(Contact).where(Contact.email == "seojun@example.com"))
    assert lee.phone is None and not lee.sms_consent and lee.email_consent

    with open(tmp_path / "errors.csv", encoding="utf-8-sig") as handle:
        errors = list(csv.DictReader(handle))
    assert [row["error_line"] for row in errors] == [str(n) for n in range(6, 13)]
    assert errors[0]["school_code"] == "9999999" and errors[0]["error_field"] == "school_code"


def test_a_parent_in_two_schools_is_one_person_with_two_memberships(schools, runner, tmp_path):
    import_json(runner, write_contacts(tmp_path / "c.csv", GOOD_ROWS))
    kim = db.session.scalar(select(Contact).where(Contact.phone == "+821023456789"))
    schools = sorted((m.school.code, m.grade, m.class_name) for m in kim.memberships)
    assert schools == [("7134142", 1, "4"), ("7134150", 3, "2")]
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 3


def test_reimport_changes_nothing(schools, runner, tmp_path):
    path = write_contacts(tmp_path / "c.csv", GOOD_ROWS + BAD_ROWS)
    import_json(runner, path)
    before = directory()
    summary = import_json(runner, path)
    assert (summary["imported"], summary["updated"], summary["unchanged"], summary["rejected"]) \
        == (0, 0, 4, 7)
    assert directory() == before


def test_a_changed_row_updates_the_person_in_place(schools, runner, tmp_path):
    import_json(runner, write_contacts(tmp_path / "a.csv", GOOD_ROWS))
    changed = [row[:] for row in GOOD_ROWS]
    changed[2][7] = "ko"  # the teacher now prefers Korean
    summary = import_json(runner, write_contacts(tmp_path / "b.csv", changed))
    assert (summary["imported"], summary["updated"], summary["unchanged"]) == (0, 1, 3)
    teacher = db.session.scalar(select(Contact).where(Contact.phone == "+821034567890"))
    assert teacher.language == "ko"
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 3


def test_corrected_errors_file_can_be_reimported(schools, runner, tmp_path):
    import_json(runner, write_contacts(tmp_path / "c.csv", BAD_ROWS),
                "--errors", str(tmp_path / "errors.csv"))
    with open(tmp_path / "errors.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["school_code"] = "7134150"
    with open(tmp_path / "fixed.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    summary = import_json(runner, tmp_path / "fixed.csv")
    assert summary["imported"] == 1 and summary["rejected"] == 6


@pytest.mark.parametrize("encoding", ["cp949", "utf-8-sig"])
def test_cp949_and_bom_give_the_same_directory(schools, runner, tmp_path, encoding):
    import_json(runner, write_contacts(tmp_path / "utf8.csv", GOOD_ROWS))
    expected = directory()
    db.session.execute(Membership.__table__.delete())
    db.session.execute(Contact.__table__.delete())
    db.session.commit()
    summary = import_json(runner, write_contacts(tmp_path / "other.csv", GOOD_ROWS, encoding))
    assert summary["imported"] == 4
    assert directory() == expected


def test_korean_headers_are_accepted(schools, runner, tmp_path):
    korean = ["학교코드", "역할", "학년", "반", "이름", "전화번호", "이메일", "언어", "수신동의"]
    summary = import_json(runner, write_contacts(tmp_path / "k.csv", GOOD_ROWS, header=korean))
    assert summary["imported"] == 4


def test_files_without_the_columns_fail_whole_and_write_nothing(schools, runner, tmp_path):
    cases = {
        "empty.csv": b"",
        "photo.csv": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        "wrong.csv": b"title,price\nbook,3\n",
        "no-school.csv": b"role,name,phone\nguardian,kim,010-2345-6789\n",
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = runner.invoke(args=["contacts", "import", str(path)])
        assert result.exit_code == 1, (name, result.output)
        assert result.output.strip().startswith(f"Error: {name}"), result.output
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_a_broken_byte_midway_rolls_back_the_whole_file(schools, runner, tmp_path):
    # Enough good rows that the broken bytes lie beyond the block the encoding is detected from.
    big = tmp_path / "big.csv"
    rows = [[*GOOD_ROWS[0][:4], f"p{i}", f"010-3{i:03d}-{i:04d}", "", "ko", ""] for i in range(9000)]
    write_contacts(big, rows)
    big.write_bytes(big.read_bytes() + b"7134150,guardian,1,1,\xc0\xc0\xff,010-2222-3333,,ko,\n")
    result = runner.invoke(args=["contacts", "import", str(big)])
    assert result.exit_code == 1
    assert "line 9002" in result.output and "utf-8" in result.output
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0
