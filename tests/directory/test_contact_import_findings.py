"""Imports that never mislead: broken bytes, quotes and encodings, case, lengths, landlines, clashes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from schoolbell.directory.models import Contact, Membership, School
from schoolbell.extensions import db
from tests.directory.test_contact_import import GOOD_ROWS, HEADER, write_contacts

ROWS_REJECTED = 3


@pytest.fixture
def seoul(runner, school_data):
    result = runner.invoke(args=["schools", "import",
                                 str(school_data / "neis_schoolinfo_seoul_2022-07-31.csv")])
    assert result.exit_code == 0, result.output


def run(runner, path: Path, *extra: str) -> tuple[int, dict]:
    result = runner.invoke(args=["contacts", "import", str(path), "--json", *extra])
    assert result.output.lstrip().startswith("{"), result.output
    return result.exit_code, json.loads(result.output)


def counts(summary: dict) -> tuple[int, int, int, int]:
    return summary["imported"], summary["updated"], summary["unchanged"], summary["rejected"]


def problems(summary: dict) -> dict[tuple[int, str], str]:
    return {(p["line"], p["field"]): p["reason"] for p in summary["problems"]}


def people() -> int:
    return db.session.scalar(select(func.count()).select_from(Contact))


def csv_text(rows: list[list[str]]) -> str:
    return "\n".join(",".join(row) for row in [HEADER, *rows]) + "\n"


def test_a_nul_byte_rejects_only_its_row(seoul, runner, tmp_path):
    bad = ["7134150", "guardian", "1", "1", "박\x00하늘", "010-1111-2222", "", "ko", ""]
    path = tmp_path / "nul.csv"
    path.write_text(csv_text([GOOD_ROWS[0], bad, *GOOD_ROWS[1:]]), encoding="utf-8")
    code, summary = run(runner, path)
    assert counts(summary) == (4, 0, 0, 1)
    assert "control character" in problems(summary)[(3, "name")]
    assert code == ROWS_REJECTED


def test_an_unclosed_quote_rejects_its_row_and_keeps_the_next(seoul, runner, tmp_path):
    text = csv_text(GOOD_ROWS).replace(",김민지,010-2345-6789", ',"김민지,010-2345-6789', 1)
    path = tmp_path / "quote.csv"
    path.write_text(text, encoding="utf-8")
    code, summary = run(runner, path)
    assert counts(summary) == (3, 0, 0, 1)
    assert problems(summary) == {(2, "name"): 'unclosed quote (") in this field'}
    assert db.session.scalar(select(Contact.name).where(Contact.phone == "+821023456789")) \
        == "김민지"  # line 3, the same parent, was read on its own
    assert code == ROWS_REJECTED


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_read(seoul, runner, tmp_path, encoding):
    path = write_contacts(tmp_path / "u16.csv", GOOD_ROWS, encoding)
    code, summary = run(runner, path)
    assert counts(summary) == (4, 0, 0, 0) and code == 0
    assert db.session.scalar(select(Contact.name).where(Contact.phone == "+821034567890")) \
        == "Jane Park"


def test_a_header_only_file_fails(seoul, runner, tmp_path):
    path = write_contacts(tmp_path / "header.csv", [])
    result = runner.invoke(args=["contacts", "import", str(path)])
    assert result.exit_code != 0
    assert result.output.strip() == "Error: header.csv: no rows to import, only a header"


def test_a_file_whose_every_row_is_rejected_fails(seoul, runner, tmp_path):
    bad = [["9999999", "guardian", "1", "1", "박하늘", "010-1111-2222", "", "ko", ""]]
    code, summary = run(runner, write_contacts(tmp_path / "bad.csv", bad))
    assert counts(summary) == (0, 0, 0, 1) and code == ROWS_REJECTED
    human = runner.invoke(args=["contacts", "import", str(tmp_path / "bad.csv")])
    assert human.exit_code == ROWS_REJECTED and "1 rejected" in human.output


def test_email_case_does_not_make_two_people(seoul, runner, tmp_path):
    rows = [["7134150", "guardian", "1", "1", "김민지", "010-2345-6789", "Parent@X.com", "ko", ""],
            ["7134142", "guardian", "2", "1", "김민지", "", "parent@x.com", "ko", ""]]
    code, summary = run(runner, write_contacts(tmp_path / "a.csv", rows))
    assert counts(summary) == (2, 0, 0, 0) and code == 0
    assert people() == 1
    again = [["7134135", "guardian", "3", "1", "김민지", "", "PARENT@X.COM", "ko", ""]]
    code, summary = run(runner, write_contacts(tmp_path / "b.csv", again))
    assert counts(summary) == (1, 0, 0, 0) and code == 0
    assert people() == 1
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 3


def test_the_database_refuses_two_spellings_of_one_email(seoul):
    office_id = db.session.scalar(select(School.office_id).limit(1))
    db.session.add(Contact(office_id=office_id, name="a", email="parent@x.com"))
    db.session.commit()
    db.session.add(Contact(office_id=office_id, name="b", email="Parent@X.com"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_a_name_over_the_column_length_is_rejected(seoul, runner, tmp_path):
    long_name = "가" * 101
    rows = [["7134150", "guardian", "1", "1", long_name, "010-2345-6789", "", "ko", ""],
            ["7134150", "guardian", "1", "1", "가" * 100, "010-2345-6780", "", "ko", ""]]
    code, summary = run(runner, write_contacts(tmp_path / "long.csv", rows))
    assert counts(summary) == (1, 0, 0, 1) and code == ROWS_REJECTED
    assert problems(summary) == {(2, "name"): "name is longer than 100 characters"}


def test_a_landline_is_never_an_sms_number(seoul, runner, tmp_path):
    rows = [["7134150", "guardian", "1", "1", "박하늘", "02-2252-5950", "", "ko", ""],
            ["7134150", "guardian", "1", "1", "이서준", "02-2252-5951", "seojun@example.com", "", ""]]
    code, summary = run(runner, write_contacts(tmp_path / "landline.csv", rows))
    assert counts(summary) == (1, 0, 0, 1) and code == ROWS_REJECTED
    assert problems(summary) == {(2, "phone"): "not a mobile number"}
    assert [(w["line"], w["field"], w["reason"]) for w in summary["warnings"]] == [
        (3, "phone", "not a mobile number: imported with the email only")]
    lee = db.session.scalar(select(Contact).where(Contact.email == "seojun@example.com"))
    assert lee.phone is None


CLASH_ROWS = [
    ["7134150", "guardian", "1", "1", "X", "010-2345-6789", "", "ko", ""],
    ["7134150", "guardian", "1", "2", "Z", "", "z@example.com", "ko", ""],
    ["7134150", "guardian", "1", "3", "X", "010-2345-6789", "z@example.com", "ko", ""],
]
CLASH = "the phone and the email belong to two different people"


def test_a_phone_of_one_person_and_email_of_another_is_rejected_every_time(seoul, runner,
                                                                           tmp_path):
    path = write_contacts(tmp_path / "clash.csv", CLASH_ROWS)
    for expected in ((2, 0, 0, 1), (0, 0, 2, 1)):
        code, summary = run(runner, path)
        assert counts(summary) == expected and code == ROWS_REJECTED
        assert problems(summary)[(4, "email")].startswith(CLASH)
        assert people() == 2
        x = db.session.scalar(select(Contact).where(Contact.phone == "+821023456789"))
        assert x.email is None and len(x.memberships) == 1


def test_a_later_row_adding_an_email_to_a_new_person_is_kept(seoul, runner, tmp_path):
    rows = [["7134150", "guardian", "1", "1", "X", "010-2345-6789", "", "ko", ""],
            ["7134142", "guardian", "1", "1", "X", "010-2345-6789", "x@example.com", "ko", ""]]
    path = write_contacts(tmp_path / "fill.csv", rows)
    run(runner, path)
    assert db.session.scalar(select(Contact.email).where(Contact.phone == "+821023456789")) \
        == "x@example.com"
    _code, summary = run(runner, path)
    assert counts(summary) == (0, 0, 2, 0)


def test_the_errors_file_is_safe_in_a_spreadsheet(seoul, runner, tmp_path):
    rows = [["9999999", "guardian", "1", "1", "=HYPERLINK(\"http://x\")", "+821012345678", "",
             "ko", ""],
            ["7134150", "guardian", "1", "1", "@SUM(1)", "010-2345-6789", "", "ko", "-"]]
    run(runner, write_contacts(tmp_path / "f.csv", rows), "--errors", str(tmp_path / "e.csv"))
    with open(tmp_path / "e.csv", encoding="utf-8-sig", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert written[0]["name"] == "'=HYPERLINK(\"http://x\")"
    assert written[0]["phone"] == "'+821012345678"
    assert written[1]["name"] == "'@SUM(1)" and written[1]["consent"] == "'-"
    # The corrected file goes back in: the quote the errors file added is not part of the value.
    written[0]["school_code"], written[0]["name"] = "7134150", "김민지"
    written[1]["consent"] = ""
    with open(tmp_path / "fixed.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(written[0]))
        writer.writeheader()
        writer.writerows(written)
    code, summary = run(runner, tmp_path / "fixed.csv")
    assert counts(summary) == (2, 0, 0, 0) and code == 0
    assert db.session.scalar(select(Contact.name).where(Contact.phone == "+821012345678")) == "김민지"
