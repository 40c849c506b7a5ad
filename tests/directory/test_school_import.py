"""Importing the real Seoul school files, in every encoding and header style NEIS publishes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import func, select

from schoolbell.directory.models import DistrictOffice, EducationOffice, School, SchoolLevel
from schoolbell.directory.school_import import NEIS_FIELDS
from schoolbell.extensions import db

NEIS = "neis_schoolinfo_seoul_2022-07-31.csv"
LOCATIONS = "school_location_seoul_2026-03-20.csv"


def school_table() -> list[tuple]:
    """Every school as a comparable tuple, in code order."""
    rows = db.session.execute(select(
        School.code, School.name_ko, School.name_en, School.level, School.gu, School.address,
        School.phone, DistrictOffice.name).outerjoin(School.district_office)
        .order_by(School.code)).all()
    return [tuple(row) for row in rows]


def reencode(source: Path, target: Path, encoding: str) -> Path:
    target.write_bytes(source.read_text(encoding="utf-8").encode(encoding))
    return target


def test_real_neis_file_creates_every_school_with_levels_and_districts(runner, school_data):
    result = runner.invoke(args=["schools", "import", str(school_data / NEIS), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["created"] == 1421 and summary["rejected"] == 0
    levels = dict(db.session.execute(select(School.level, func.count()).group_by(School.level)).all())
    # 초등학교 610; 중학교 390 + 방송통신중 1; 고등학교 321 + 방송통신고 5; 각종·평생·외국인 are other.
    assert levels == {SchoolLevel.ELEMENTARY: 610, SchoolLevel.MIDDLE: 391, SchoolLevel.HIGH: 326,
                      SchoolLevel.SPECIAL: 32, SchoolLevel.OTHER: 62}
    school = db.session.scalar(select(School).where(School.code == "7134150"))
    assert school.name_ko == "서울숭신초등학교"
    assert school.name_en == "Seoul Soongshin Elementary School"
    assert school.level == SchoolLevel.ELEMENTARY
    assert school.gu == "성동구"
    assert school.district_office.name == "서울특별시성동광진교육지원청"
    assert school.office.code == "B10" and school.office.name == "서울특별시교육청"
    assert db.session.scalar(select(func.count()).select_from(EducationOffice)) == 1
    assert db.session.scalar(select(func.count()).select_from(DistrictOffice)) == 11


def test_reimport_changes_nothing_and_duplicates_nothing(runner, school_data):
    runner.invoke(args=["schools", "import", str(school_data / NEIS)])
    before = school_table()
    result = runner.invoke(args=["schools", "import", str(school_data / NEIS), "--json"])
    summary = json.loads(result.output)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 1421)
    assert school_table() == before


def test_cp949_and_bom_copies_give_the_same_schools(app, runner, school_data, tmp_path):
    runner.invoke(args=["schools", "import", str(school_data / NEIS)])
    expected = school_table()
    for encoding in ("cp949", "utf-8-sig"):
        db.session.execute(School.__table__.delete())
        db.session.commit()
        copy = reencode(school_data / NEIS, tmp_path / f"schools-{encoding}.csv", encoding)
        result = runner.invoke(args=["schools", "import", str(copy), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["created"] == 1421
        assert school_table() == expected, encoding


def test_open_api_english_keys_in_csv_and_json(app, runner, school_data, tmp_path):
    with open(school_data / NEIS, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:5]
    english = {korean: keys[1] for keys in NEIS_FIELDS.values() for korean in [keys[0]]}
    api_rows = [{english[k]: v for k, v in row.items() if k in english} for row in rows]
    csv_file = tmp_path / "api.csv"
    with open(csv_file, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(api_rows[0]))
        writer.writeheader()
        writer.writerows(api_rows)
    result = runner.invoke(args=["schools", "import", str(csv_file), "--json"])
    assert json.loads(result.output)["created"] == 5
    json_file = tmp_path / "schoolInfo.json"
    json_file.write_text(json.dumps({"schoolInfo": [
        {"head": [{"list_total_count": 5}, {"RESULT": {"CODE": "INFO-000"}}]},
        {"row": api_rows}]}, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["schools", "import", str(json_file), "--json"])
    assert json.loads(result.output)["unchanged"] == 5
    assert db.session.scalar(select(School.name_ko).where(School.code == rows[0]["표준학교코드"])) \
        == rows[0]["학교명"]


def test_location_file_adds_coordinates_and_reports_unmatched(runner, school_data):
    runner.invoke(args=["schools", "import", str(school_data / NEIS)])
    result = runner.invoke(args=["schools", "import", str(school_data / LOCATIONS), "--json"])
    summary = json.loads(result.output)
    assert summary["kind"] == "locations"
    assert summary["updated"] > 1250
    assert summary["rejected"] == len(summary["problems"]) > 0
    assert all(p["field"] == "학교명" and p["line"] > 1 for p in summary["problems"])
    located = db.session.scalar(select(func.count()).where(School.latitude.is_not(None)))
    assert located == summary["updated"]
    lat = db.session.scalar(select(School.latitude).where(School.name_ko == "영락고등학교"))
    assert abs(lat - 37.47654259) < 1e-9


def test_bad_rows_are_named_and_good_rows_go_in(runner, school_data, tmp_path):
    lines = (school_data / NEIS).read_text(encoding="utf-8").splitlines()
    broken = lines[:4]
    broken[2] = broken[2].replace(",7134150,", ",71341,")  # a code without 7 digits
    broken[3] = broken[3].replace("행당중학교", "")  # no name
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(broken) + "\n", encoding="utf-8")
    summary = json.loads(runner.invoke(args=["schools", "import", str(path), "--json"]).output)
    assert summary["created"] == 1 and summary["rejected"] == 2
    assert summary["problems"][0] == {"line": 3, "field": "표준학교코드", "value": "71341",
                                      "reason": "a NEIS school code has 7 digits"}
    assert summary["problems"][1]["line"] == 4 and summary["problems"][1]["field"] == "학교명"


def test_unusable_files_fail_with_one_line_and_write_nothing(runner, tmp_path):
    cases = {
        "empty.csv": b"",
        "binary.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "other.csv": b"name,age\nkim,3\n",
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = runner.invoke(args=["schools", "import", str(path)])
        assert result.exit_code != 0, name
        message = result.output.strip().splitlines()[-1]
        assert message.startswith("Error: " + name), message
    assert db.session.scalar(select(func.count()).select_from(School)) == 0
