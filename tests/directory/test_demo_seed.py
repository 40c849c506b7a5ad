"""The synthetic demo directory: deterministic, shaped like Seoul, and sharing parents across schools."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from schoolbell.directory.models import Contact, Membership, Role, School
from schoolbell.extensions import db


def fingerprint() -> str:
    rows = db.session.execute(select(
        Contact.id, Contact.name, Contact.phone, Contact.email, Contact.language,
        Contact.sms_consent, Contact.email_consent).order_by(Contact.id)).all()
    members = db.session.execute(select(
        Membership.contact_id, Membership.school_id, Membership.role, Membership.grade,
        Membership.class_name).order_by(Membership.id)).all()
    return hashlib.sha256(repr((rows, members)).encode()).hexdigest()


def test_demo_seed_builds_a_realistic_district(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(School)) == 1421
    schools_with_people = db.session.scalar(select(func.count(Membership.school_id.distinct())))
    assert 12 <= schools_with_people <= 24
    guardians = db.session.scalar(select(func.count(Membership.contact_id.distinct()))
                                  .where(Membership.role == Role.GUARDIAN))
    guardian_links = db.session.scalar(select(func.count()).where(Membership.role == Role.GUARDIAN))
    # About 0.93 guardian contacts per pupil: some parents have children in two schools.
    assert 0.90 < guardians / guardian_links < 0.96
    shared = db.session.scalar(select(func.count()).select_from(
        select(Membership.contact_id).where(Membership.role == Role.GUARDIAN)
        .group_by(Membership.contact_id).having(func.count(Membership.school_id.distinct()) > 1)
        .subquery()))
    assert shared > 100
    people = db.session.scalar(select(func.count()).select_from(Contact))
    english = db.session.scalar(select(func.count()).where(Contact.language == "en"))
    email_only = db.session.scalar(select(func.count()).where(Contact.phone.is_(None)))
    opted_out = db.session.scalar(select(func.count()).where(Contact.sms_consent.is_(False)))
    assert 0.02 < english / people < 0.06
    assert email_only > 0 and opted_out > 0
    teachers = db.session.scalar(select(func.count()).where(Membership.role == Role.TEACHER))
    assert teachers > 300


def test_demo_seed_is_deterministic(app, runner):
    runner.invoke(args=["demo", "seed"])
    first = fingerprint()
    db.session.execute(Membership.__table__.delete())
    db.session.execute(Contact.__table__.delete())
    db.session.commit()
    runner.invoke(args=["demo", "seed"])
    assert fingerprint() == first


def test_seed_refuses_a_loaded_directory_unless_asked_to_skip(runner):
    runner.invoke(args=["demo", "seed"])
    people = db.session.scalar(select(func.count()).select_from(Contact))
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 1 and "already holds people" in again.output
    skipped = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert skipped.exit_code == 0 and "nothing seeded" in skipped.output
    assert db.session.scalar(select(func.count()).select_from(Contact)) == people
