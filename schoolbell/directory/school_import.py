"""Importing schools from NEIS 학교기본정보 exports and coordinates from 학교위치표준데이터."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from schoolbell.directory.csvfiles import CsvRow, ImportFileError, iter_rows, read_header
from schoolbell.directory.models import DistrictOffice, EducationOffice, School, SchoolLevel
from schoolbell.directory.summary import ImportSummary, RowProblem
from schoolbell.extensions import db

SCHOOL_OUTCOMES = ("created", "updated", "unchanged", "rejected")

# NEIS field → our field, under the Korean export headers and the Open API's English keys.
NEIS_FIELDS = {
    "code": ("표준학교코드", "SD_SCHUL_CODE"),
    "name_ko": ("학교명", "SCHUL_NM"),
    "name_en": ("영문학교명", "ENG_SCHUL_NM"),
    "kind": ("학교종류명", "SCHUL_KND_SC_NM"),
    "foundation": ("설립구분", "FOND_SC_NM"),
    "district": ("관할조직명", "JU_ORG_NM"),
    "postal_code": ("도로명우편번호", "ORG_RDNZC"),
    "address": ("도로명주소", "ORG_RDNMA"),
    "address_detail": ("도로명상세주소", "ORG_RDNDA"),
    "phone": ("전화번호", "ORG_TELNO"),
    "homepage": ("홈페이지주소", "HMPG_ADRES"),
    "office_code": ("시도교육청코드", "ATPT_OFCDC_SC_CODE"),
    "office_name": ("시도교육청명", "ATPT_OFCDC_SC_NM"),
}
LOCATION_FIELDS = {
    "location_id": "학교ID",
    "code": "표준학교코드",
    "lot_address": "소재지지번주소",
    "name_ko": "학교명",
    "road_address": "소재지도로명주소",
    "office_name": "시도교육청명",
    "district_code": "교육지원청코드",
    "district": "교육지원청명",
    "latitude": "위도",
    "longitude": "경도",
}
REQUIRED_NEIS = ("code", "name_ko", "kind", "office_code", "office_name")
SCHOOL_CODE = re.compile(r"^\d{7}$")
PROVINCES = frozenset(("서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기", "강원",
                       "충북", "충남", "전북", "전남", "경북", "경남", "제주"))
KOREA_LATITUDE, KOREA_LONGITUDE = (33.0, 38.7), (124.5, 132.0)
_GU = re.compile(r"^\S+\s+(\S+구)\b")


def level_for_kind(kind: str) -> SchoolLevel:
    """Map a NEIS 학교종류명 to a level; 방송통신 schools count as their level."""
    if kind.endswith("초등학교"):
        return SchoolLevel.ELEMENTARY
    if kind.endswith("중학교"):
        return SchoolLevel.MIDDLE
    if kind.endswith("고등학교"):
        return SchoolLevel.HIGH
    if kind == "특수학교":
        return SchoolLevel.SPECIAL
    return SchoolLevel.OTHER


def gu_from_address(address: str) -> str | None:
    """The 구 of a Seoul road address, e.g. 광진구 from '서울특별시 광진구 천호대로 664'."""
    match = _GU.match(address or "")
    return match.group(1) if match else None


def import_schools(path: Path, progress: Callable[[int], None] | None = None, *,
                   dry_run: bool = False) -> ImportSummary:
    """Import a NEIS school list (CSV or Open API JSON) or a location file; commit at the end
    (or, with dry_run, count everything and write nothing)."""
    if path.suffix.lower() == ".json":
        rows, kind = _neis_json_rows(path), "neis"
    else:
        rows, kind = _csv_rows(path)
    importer = _import_locations if kind == "locations" else _import_neis
    summary = ImportSummary(file=path.name, kind=kind)
    try:
        importer(rows, summary, progress or (lambda _n: None))
        if not summary.rows:
            raise ImportFileError(f"{path.name}: no rows to import, only a header")
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return summary


def _csv_rows(path: Path) -> tuple[Iterator[CsvRow], str]:
    _encoding, header = read_header(path)
    names = set(header)
    for language in (0, 1):
        columns = {spelled[language]: field for field, spelled in NEIS_FIELDS.items()}
        if {spelled[language] for field, spelled in NEIS_FIELDS.items()
                if field in REQUIRED_NEIS} <= names:
            return iter_rows(path, columns), "neis"
    if {"학교명", "위도", "경도"} <= names:
        return iter_rows(path, {v: k for k, v in LOCATION_FIELDS.items()}), "locations"
    raise ImportFileError(
        f"{path.name}: none of the expected columns; a NEIS school list needs "
        f"{', '.join(NEIS_FIELDS[f][0] for f in REQUIRED_NEIS)} "
        f"(or {', '.join(NEIS_FIELDS[f][1] for f in REQUIRED_NEIS)}), "
        "a location file needs 학교명, 위도, 경도")


def _neis_json_rows(path: Path) -> Iterator[CsvRow]:
    """Rows of a saved NEIS Open API answer: {"schoolInfo": [{"head": …}, {"row": [...]}]}."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
        records = [row for part in document["schoolInfo"] for row in part.get("row", [])]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ImportFileError(f"{path.name}: not a NEIS Open API schoolInfo JSON answer") from None
    if not records:
        raise ImportFileError(f"{path.name}: the answer holds no schools")
    english = {spelled[1]: field for field, spelled in NEIS_FIELDS.items()}
    for number, record in enumerate(records, start=1):
        values = {english[key]: str(value or "").strip() for key, value in record.items()
                  if key in english}
        yield CsvRow(number, values)


class _Offices:
    """Education and district offices met during an import, created on first sight."""

    def __init__(self):
        self.offices = {o.code: o for o in db.session.scalars(select(EducationOffice))}
        self.districts = {(d.office_id, d.name): d for d in db.session.scalars(select(DistrictOffice))}

    def office(self, code: str, name: str) -> EducationOffice:
        office = self.offices.get(code)
        if office is None:
            office = self.offices[code] = EducationOffice(code=code, name=name)
            db.session.add(office)
            db.session.flush()
        return office

    def district(self, office: EducationOffice, name: str) -> DistrictOffice | None:
        # High schools answer to the office itself and national ones to the ministry (교육부).
        if not name.endswith("교육지원청"):
            return None
        district = self.districts.get((office.id, name))
        if district is None:
            district = self.districts[(office.id, name)] = DistrictOffice(office=office, name=name)
            db.session.add(district)
            db.session.flush()
        return district


def _neis_problem(row: CsvRow) -> RowProblem | None:
    if row.problem:
        field, value, reason = row.problem
        return RowProblem(row.line, NEIS_FIELDS.get(field, (field,))[0], value, reason, row.values)
    for field in REQUIRED_NEIS:
        if not row.values.get(field):
            return RowProblem(row.line, NEIS_FIELDS[field][0], "", "required value is missing",
                              row.values)
    if not SCHOOL_CODE.match(row.values["code"]):
        return RowProblem(row.line, NEIS_FIELDS["code"][0], row.values["code"],
                          "a NEIS school code has 7 digits", row.values)
    return None


def _import_neis(rows, summary: ImportSummary, progress) -> None:
    offices = _Offices()
    schools = {s.code: s for s in db.session.scalars(select(School))}
    for row in rows:
        progress(1)
        problem = _neis_problem(row)
        if problem:
            summary.reject(problem)
            continue
        v = row.values
        office = offices.office(v["office_code"], v["office_name"])
        district = offices.district(office, v.get("district", ""))
        address = v.get("address") or None
        wanted = {
            "office_id": office.id,
            "district_office_id": district.id if district else None,
            "name_ko": v["name_ko"],
            "name_en": v.get("name_en") or None,
            "level": level_for_kind(v["kind"]),
            "kind": v["kind"],
            "foundation": v.get("foundation") or None,
            "gu": gu_from_address(address or ""),
            "postal_code": v.get("postal_code") or None,
            "address": address,
            "address_detail": v.get("address_detail") or None,
            "phone": v.get("phone") or None,
            "homepage": v.get("homepage") or None,
        }
        school = schools.get(v["code"])
        if school is None:
            schools[v["code"]] = school = School(code=v["code"], **wanted)
            db.session.add(school)
            summary.count("created")
        elif _apply(school, wanted):
            summary.count("updated")
        else:
            summary.count("unchanged")


def _apply(obj, values: dict) -> bool:
    """Set the values that differ; tell whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def _import_locations(rows, summary: ImportSummary, progress) -> None:
    schools = SchoolIndex()
    districts = {d.name: d for d in db.session.scalars(select(DistrictOffice))}
    located: dict[int, int] = {}
    for row in rows:
        progress(1)
        v = row.values
        problem = _location_problem(row, schools, located)
        if isinstance(problem, RowProblem):
            summary.reject(problem)
            continue
        school, latitude, longitude = problem
        located[school.id] = row.line
        district = districts.get(v.get("district", ""))
        if district is not None and v.get("district_code") and district.code != v["district_code"]:
            district.code = v["district_code"]
        wanted = {"latitude": latitude, "longitude": longitude}
        summary.count("updated" if _apply(school, wanted) else "unchanged")


def _location_problem(row: CsvRow, schools: SchoolIndex, located: dict[int, int]):
    """What keeps a location row out, or the school and coordinates it gives."""
    v = row.values
    if row.problem:
        field, value, reason = row.problem
        return RowProblem(row.line, LOCATION_FIELDS.get(field, field), value, reason, v)
    found = schools.match(v)
    if isinstance(found, tuple):
        field, reason = found
        return RowProblem(row.line, LOCATION_FIELDS[field], v.get(field, ""), reason, v)
    if found.id in located:
        return RowProblem(row.line, "학교명", v.get("name_ko", ""),
                          f"ambiguous: line {located[found.id]} already located this school", v)
    try:
        latitude, longitude = float(v["latitude"]), float(v["longitude"])
    except (KeyError, ValueError):
        return RowProblem(row.line, "위도", v.get("latitude", ""),
                          "coordinates must be decimal numbers", v)
    if not (KOREA_LATITUDE[0] <= latitude <= KOREA_LATITUDE[1]
            and KOREA_LONGITUDE[0] <= longitude <= KOREA_LONGITUDE[1]):
        return RowProblem(row.line, "위도", v["latitude"], "coordinates outside Korea", v)
    return found, latitude, longitude


class SchoolIndex:
    """Imported schools by NEIS code and by (province, name), to place a location row."""

    def __init__(self):
        schools = list(db.session.scalars(select(School).options(joinedload(School.office))))
        self.by_code = {school.code: school for school in schools}
        self.by_name: dict[tuple[str | None, str], list[School]] = {}
        for school in schools:
            self.by_name.setdefault((school_province(school), school.name_ko), []).append(school)

    def match(self, values: dict) -> School | tuple[str, str]:
        """The school a row describes, or (field, reason) when it cannot be told for sure."""
        region = next(filter(None, (province(values.get(field)) for field in
                                    ("office_name", "road_address", "lot_address"))), None)
        if values.get("code"):
            school = self.by_code.get(values["code"])
            if school is None:
                return "code", "no imported school has this code"
            home = school_province(school)
            if region and home and region != home:
                return "code", f"this school is in {home}, the row is in {region}: " \
                               "not moved across provinces"
            return school
        # A name alone matched 80 Seoul schools to namesakes in other provinces.
        if region is None:
            return "road_address", "no code, region or address to match the name against"
        candidates = self.by_name.get((region, values.get("name_ko", "")), [])
        if not candidates:
            return "name_ko", f"no imported school of this name in {region}"
        if len(candidates) == 1:
            return candidates[0]
        return _same_place(values, candidates) or (
            "name_ko", f"ambiguous: {len(candidates)} schools of this name in {region}; "
                       "give 표준학교코드 or the exact address")


def _same_place(values: dict, candidates: list[School]) -> School | None:
    """The one namesake at the row's address, else the one in the row's 구."""
    address = _squash(values.get("road_address"))
    same_address = [s for s in candidates if address and _squash(s.address) == address]
    if len(same_address) == 1:
        return same_address[0]
    gu = gu_from_address(values.get("road_address", ""))
    same_gu = [s for s in candidates if gu and s.gu == gu]
    return same_gu[0] if len(same_gu) == 1 else None


def province(text: str | None) -> str | None:
    """The province a name or address starts with, short and old/new-name proof: 서울, 전남, 강원."""
    squashed = _squash(text)
    # 충청북도 → 충북; 전북특별자치도 and 전라북도 → 전북; 강원도 and 강원특별자치도 → 강원.
    key = squashed[0] + squashed[2] if squashed[:2] in ("충청", "전라", "경상") and \
        len(squashed) > 2 else squashed[:2]
    return key if key in PROVINCES else None


def school_province(school: School) -> str | None:
    """The province of an imported school: its education office, else its address."""
    return province(school.office.name if school.office else None) or province(school.address)
