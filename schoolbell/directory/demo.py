"""A deterministic synthetic directory built on the real Seoul school list and student counts."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text

from schoolbell.database import bulk_insert, is_postgresql
from schoolbell.directory.models import Contact, Membership, School, SchoolLevel
from schoolbell.directory.school_import import import_schools
from schoolbell.extensions import db

NEIS_FILE = "neis_schoolinfo_seoul_2022-07-31.csv"
LOCATION_FILE = "school_location_seoul_2026-03-20.csv"
COUNT_FILES = ("students_elementary_seoul_2025.csv", "students_high_seoul_2025.csv")
DEMO_DISTRICT = "서울특별시성동광진교육지원청"
SCALES = ("demo", "seoul")
# Published averages where a school has no per-school count (middle: ~504 students, 2024).
DEFAULT_STUDENTS = {SchoolLevel.ELEMENTARY: 560, SchoolLevel.MIDDLE: 504, SchoolLevel.HIGH: 640,
                    SchoolLevel.SPECIAL: 150, SchoolLevel.OTHER: 300}
GRADES = {SchoolLevel.ELEMENTARY: 6, SchoolLevel.MIDDLE: 3, SchoolLevel.HIGH: 3,
          SchoolLevel.SPECIAL: 6, SchoolLevel.OTHER: 3}
SIBLING_SHARE = 0.07  # 0.93 guardian contacts per student: 7% of pupils share a guardian
ENGLISH_SHARE = 0.04
EMAIL_SHARE = 0.35
EMAIL_ONLY_SHARE = 0.03
SMS_OPT_OUT_SHARE = 0.02
EMAIL_OPT_OUT_SHARE = 0.05
STUDENT_CONTACT_SHARE = 0.05  # middle and high pupils registered with a school email
STAFF_PER_SCHOOL = 3
SIBLING_POOL = 5000
BATCH = 20_000
SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진"
GIVEN = "민서준지현우수연하윤도예은채원시진영호재희성태경아유나혜승동"
EN_NAMES = ("Alex Kim", "Sam Lee", "Jordan Park", "Taylor Choi", "Morgan Jung", "Chris Kang",
            "Jamie Yoon", "Robin Han", "Casey Lim", "Drew Song")


@dataclass(frozen=True)
class SchoolSize:
    """How many pupils, classes and teachers a school has."""

    students: int
    classes: int
    teachers: int


@dataclass
class SeedReport:
    """What the seed created."""

    schools: int = 0
    contacts: int = 0
    memberships: int = 0


def load_school_sizes(data_dir: Path) -> dict[str, SchoolSize]:
    """Per-school sizes from 학교알리미 2025, keyed by school name."""
    sizes = {}
    for name in COUNT_FILES:
        with open(data_dir / name, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                students = int(row["students_total"] or 0)
                sizes[row["school_name"]] = SchoolSize(
                    students=students,
                    classes=max(1, int(row["classes_total"] or 0)),
                    teachers=int(row["teachers"] or 0) or max(1, students // 14))
    return sizes


def size_for(school: School, sizes: dict[str, SchoolSize]) -> SchoolSize:
    """The real size of a school where known, else the published average for its level."""
    if school.name_ko in sizes:
        return sizes[school.name_ko]
    students = DEFAULT_STUDENTS[school.level]
    return SchoolSize(students=students, classes=max(1, students // 25), teachers=students // 14)


def ensure_schools(data_dir: Path) -> None:
    """Import the real Seoul school list and coordinates when no school exists yet."""
    if db.session.scalar(select(func.count()).select_from(School)) == 0:
        import_schools(data_dir / NEIS_FILE)
        import_schools(data_dir / LOCATION_FILE)


def chosen_schools(scale: str) -> list[School]:
    """All schools for 'seoul'; eight of each level from one district office for 'demo'."""
    schools = list(db.session.scalars(select(School).order_by(School.code)))
    if scale == "seoul":
        return schools
    picked: list[School] = []
    for level in (SchoolLevel.ELEMENTARY, SchoolLevel.MIDDLE, SchoolLevel.HIGH):
        in_district = [s for s in schools if s.level == level and s.district_office
                       and s.district_office.name == DEMO_DISTRICT]
        picked += in_district[:8]
    return picked


class _People:
    """Makes synthetic people with unique, valid-looking numbers and addresses."""

    def __init__(self, rng: random.Random, first_id: int):
        self.rng = rng
        self.next_id = first_id

    def person(self, office_id: int, kind: str, email_always: bool = False) -> dict:
        rng = self.rng
        number = self.next_id
        self.next_id += 1
        english = rng.random() < ENGLISH_SHARE
        email_only = rng.random() < EMAIL_ONLY_SHARE
        has_email = email_always or email_only or rng.random() < EMAIL_SHARE
        name = rng.choice(EN_NAMES) if english else (
            rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN))
        return {
            "id": number,
            "office_id": office_id,
            "name": name,
            # 010-2000-0000 onwards, spread by a multiplier coprime with the range: unique and valid.
            "phone": None if email_only or email_always else
            f"+8210{20_000_000 + (number * 7919) % 39_700_000:08d}",
            "email": f"{kind}{number}@example.com" if has_email else None,
            "language": "en" if english else "ko",
            "sms_consent": rng.random() >= SMS_OPT_OUT_SHARE,
            "email_consent": rng.random() >= EMAIL_OPT_OUT_SHARE,
        }


def _school_people(school: School, size: SchoolSize, people: _People,
                   siblings: list[int]) -> Iterator[tuple[dict | None, dict]]:
    """Yield (new person or None, membership) for one school's guardians, teachers and staff."""
    rng = people.rng
    grades = GRADES[school.level]
    classes_per_grade = max(1, round(size.classes / grades))
    per_class = max(1, round(size.students / (grades * classes_per_grade)))
    # Siblings come from schools seeded earlier, each guardian at most once per school.
    used_here: set[int] = set()
    new_guardians: list[int] = []
    for grade in range(1, grades + 1):
        for class_number in range(1, classes_per_grade + 1):
            class_name = str(class_number)
            for _pupil in range(per_class):
                contact_id = rng.choice(siblings) if siblings and rng.random() < SIBLING_SHARE \
                    else None
                if contact_id is None or contact_id in used_here:
                    guardian = people.person(school.office_id, "parent")
                    contact_id = guardian["id"]
                    new_guardians.append(contact_id)
                else:
                    guardian = None
                used_here.add(contact_id)
                yield guardian, _membership(contact_id, school.id, "guardian", grade, class_name)
                if school.level in (SchoolLevel.MIDDLE, SchoolLevel.HIGH) and \
                        rng.random() < STUDENT_CONTACT_SHARE:
                    pupil = people.person(school.office_id, "student", email_always=True)
                    yield pupil, _membership(pupil["id"], school.id, "student", grade, class_name)
            teacher = people.person(school.office_id, "teacher")
            yield teacher, _membership(teacher["id"], school.id, "teacher", grade, class_name)
    homeroom_teachers = grades * classes_per_grade
    for _ in range(max(0, size.teachers - homeroom_teachers)):
        teacher = people.person(school.office_id, "teacher")
        yield teacher, _membership(teacher["id"], school.id, "teacher", 0, "")
    for _ in range(STAFF_PER_SCHOOL):
        staff = people.person(school.office_id, "staff")
        yield staff, _membership(staff["id"], school.id, "staff", 0, "")
    siblings.extend(rng.sample(new_guardians, min(len(new_guardians), 200)))
    del siblings[:-SIBLING_POOL]


def _membership(contact_id: int, school_id: int, role: str, grade: int, class_name: str) -> dict:
    return {"contact_id": contact_id, "school_id": school_id, "role": role, "grade": grade,
            "class_name": class_name}


def seed_demo(data_dir: Path, scale: str = "demo", seed: int = 20240828,
              progress: Callable[[int], None] | None = None) -> SeedReport:
    """Build the synthetic directory in batches; the same seed always gives the same people."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; use one of {', '.join(SCALES)}")
    progress = progress or (lambda _n: None)
    ensure_schools(data_dir)
    sizes = load_school_sizes(data_dir)
    schools = chosen_schools(scale)
    first_id = (db.session.scalar(select(func.max(Contact.id))) or 0) + 1
    people = _People(random.Random(seed), first_id)
    report = SeedReport(schools=len(schools))
    siblings: list[int] = []
    contacts: list[dict] = []
    memberships: list[dict] = []
    connection = db.session.connection()
    for school in schools:
        for person, membership in _school_people(school, size_for(school, sizes), people, siblings):
            if person is not None:
                contacts.append(person)
            memberships.append(membership)
        if len(memberships) >= BATCH:
            _flush(connection, contacts, memberships, report)
        progress(1)
    _flush(connection, contacts, memberships, report)
    if is_postgresql():
        # Explicit ids leave the sequence behind; move it past them.
        connection.execute(text(
            "SELECT setval(pg_get_serial_sequence('contacts', 'id'), "
            "(SELECT COALESCE(MAX(id), 1) FROM contacts))"))
    db.session.commit()
    return report


def _flush(connection, contacts: list[dict], memberships: list[dict], report: SeedReport) -> None:
    bulk_insert(connection, Contact.__table__, contacts)
    bulk_insert(connection, Membership.__table__, memberships)
    report.contacts += len(contacts)
    report.memberships += len(memberships)
    contacts.clear()
    memberships.clear()


def directory_is_empty() -> bool:
    """True when no person has been loaded yet."""
    return db.session.scalar(select(func.count()).select_from(Contact)) == 0
