"""`flask schools list`: find a school's code by district office, level, name or code."""

from __future__ import annotations

import json

import pytest

from schoolbell.directory.models import SchoolLevel
from tests import factories


@pytest.fixture
def schools(app):
    factories.school("7000001", name="서울가온초등학교")
    factories.school("7000002", SchoolLevel.MIDDLE, name="서울나래중학교")
    other = factories.office()
    from schoolbell.directory.models import DistrictOffice, School
    from schoolbell.extensions import db
    elsewhere = DistrictOffice(office_id=other.id, name="서울특별시강남서초교육지원청", code="7091300")
    db.session.add(elsewhere)
    db.session.flush()
    db.session.add(School(code="7000003", office_id=other.id, district_office_id=elsewhere.id,
                          name_ko="서울다솜고등학교", name_en="Seoul Dasom High School",
                          level=SchoolLevel.HIGH))
    db.session.commit()


def test_lists_schools_grouped_by_district_office_and_level(runner, schools):
    result = runner.invoke(args=["schools", "list"])
    assert result.exit_code == 0, result.output
    out = result.output
    order = [out.index(word) for word in ("강남서초", "다솜", "성동광진", "가온", "나래")]
    assert order == sorted(order)
    assert "3 schools" in out


def test_filters_by_district_level_and_name_in_either_language(runner, schools):
    def codes(*args):
        listed = runner.invoke(args=["schools", "list", "--json", *args]).output
        return [school["code"] for school in json.loads(listed)]
    assert codes("--district", "성동광진") == ["7000001", "7000002"]
    assert codes("--district", "7091300") == ["7000003"]
    assert codes("--level", "middle") == ["7000002"]
    assert codes("--search", "dasom") == ["7000003"]
    assert codes("--search", "가온") == ["7000001"]
    assert codes("--search", "7000002") == ["7000002"]
    assert codes("--search", "100%") == []


def test_says_how_to_get_schools_when_there_are_none(runner, app):
    result = runner.invoke(args=["schools", "list"])
    assert result.exit_code == 0 and "flask schools import" in result.output


def test_a_school_administrator_account_needs_a_school_code(runner, schools):
    result = runner.invoke(args=["users", "create", "--email", "admin@school.example", "--name", "관리자",
                                 "--role", "school_admin", "--password", "long unusual words here"])
    assert result.exit_code == 1 and "flask schools list" in result.output
    result = runner.invoke(args=["users", "create", "--email", "admin@school.example", "--name", "관리자",
                                 "--role", "school_admin", "--school", "7000001",
                                 "--password", "long unusual words here"])
    assert result.exit_code == 0, result.output


def test_a_teacher_account_can_be_given_classes(runner, schools):
    from sqlalchemy import select

    from schoolbell.accounts.models import User
    from schoolbell.extensions import db

    args = ["users", "create", "--email", "t@school.example", "--name", "교사", "--role", "teacher",
            "--school", "7000001", "--password", "long unusual words here"]
    refused = runner.invoke(args=[*args, "--classes", "three"])
    assert refused.exit_code == 1 and "--classes" in refused.output
    assert runner.invoke(args=[*args, "--classes", "3-2, 3-4"]).exit_code == 0
    user = db.session.scalar(select(User).where(User.email == "t@school.example"))
    assert [c.label for c in user.classes] == ["3-2", "3-4"]
