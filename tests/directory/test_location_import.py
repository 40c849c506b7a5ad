"""School coordinates: matched by code, else by name within the province; never across provinces."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import select

from schoolbell.directory.models import School
from schoolbell.extensions import db

NEIS_HEADER = ["학교종류명", "표준학교코드", "학교명", "관할조직명", "도로명주소", "시도교육청코드",
               "시도교육청명"]
SCHOOLS = [
    ["중학교", "7134123", "광양중학교", "서울특별시성동광진교육지원청", "서울특별시 광진구 자양로3길 7",
     "B10", "서울특별시교육청"],
    ["중학교", "8321015", "광양중학교", "전라남도광양교육지원청", "전라남도 광양시 광양읍 인동로 10",
     "Q10", "전라남도교육청"],
    ["초등학교", "7134150", "서울숭신초등학교", "서울특별시성동광진교육지원청",
     "서울특별시 성동구 무학로 2", "B10", "서울특별시교육청"],
    ["초등학교", "7010001", "새이름초등학교", "서울특별시중부교육지원청", "서울특별시 중구 세종대로 1",
     "B10", "서울특별시교육청"],
    ["초등학교", "7010002", "한빛초등학교", "서울특별시중부교육지원청", "서울특별시 중구 퇴계로 1",
     "B10", "서울특별시교육청"],
    ["초등학교", "7010003", "한빛초등학교", "서울특별시중부교육지원청", "서울특별시 중구 을지로 9",
     "B10", "서울특별시교육청"],
]
LOCATION_HEADER = ["학교ID", "표준학교코드", "학교명", "소재지도로명주소", "시도교육청명", "위도", "경도"]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def coordinates(code: str) -> tuple:
    school = db.session.scalar(select(School).where(School.code == code))
    return school.latitude, school.longitude


def test_locations_match_by_code_then_name_within_the_province(runner, tmp_path):
    result = runner.invoke(args=["schools", "import", str(write(tmp_path / "neis.csv", NEIS_HEADER,
                                                                  SCHOOLS))])
    assert result.exit_code == 0, result.output
    rows = [
        # 2: same name in two provinces, no code: the province decides.
        ["B1", "", "광양중학교", "전라남도 광양시 광양읍 인동로 10", "전라남도교육청", "34.98", "127.59"],
        # 3: the Seoul one, found by its code although the file spells its name otherwise.
        ["B2", "7134123", "광양중", "서울특별시 광진구 자양로3길 7", "서울특별시교육청", "37.53", "127.07"],
        # 4: a name only Seoul has, in another province: never moved there.
        ["B3", "", "서울숭신초등학교", "경상북도 경주시 어딘가로 1", "경상북도교육청", "35.85", "129.21"],
        # 5: a code whose school is in Seoul, on a row in Busan: refused, not moved.
        ["B4", "7010001", "새이름초등학교", "부산광역시 중구 중앙대로 1", "부산광역시교육청", "35.1",
         "129.0"],
        # 6: two schools of this name in the province and no address to tell them apart.
        ["B5", "", "한빛초등학교", "서울특별시 중구 다른길 5", "서울특별시교육청", "37.56", "126.98"],
        # 7: the same name, told apart by its address.
        ["B6", "", "한빛초등학교", "서울특별시 중구 을지로 9", "서울특별시교육청", "37.566", "126.99"],
        # 8: a second row for a school already located in this file.
        ["B7", "", "광양중학교", "전라남도 광양시 광양읍 인동로 10", "전라남도교육청", "34.99", "127.6"],
        # 9: no code and no region: a name alone is not enough.
        ["B8", "", "서울숭신초등학교", "", "", "37.56", "127.02"],
    ]
    path = write(tmp_path / "locations.csv", LOCATION_HEADER, rows)
    result = runner.invoke(args=["schools", "import", str(path), "--json"])
    summary = json.loads(result.output)
    assert (summary["updated"], summary["rejected"]) == (3, 5)
    assert result.exit_code != 0
    assert coordinates("8321015") == (34.98, 127.59)
    assert coordinates("7134123") == (37.53, 127.07)
    assert coordinates("7010003") == (37.566, 126.99)
    for code in ("7134150", "7010001", "7010002"):
        assert coordinates(code) == (None, None), code
    reasons = {p["line"]: (p["field"], p["reason"]) for p in summary["problems"]}
    assert reasons[4] == ("학교명", "no imported school of this name in 경북")
    assert reasons[5] == ("표준학교코드", "this school is in 서울, the row is in 부산: "
                                       "not moved across provinces")
    assert reasons[6] == ("학교명", "ambiguous: 2 schools of this name in 서울; "
                                 "give 표준학교코드 or the exact address")
    assert reasons[8] == ("학교명", "ambiguous: line 2 already located this school")
    assert reasons[9] == ("소재지도로명주소", "no code, region or address to match the name against")
